"""FastAPI front: `/health`, `/ready`, `/stats`, `POST /tts` and `POST /tts/stream` (NDJSON framing).

The layer is thin: read and validate the body, build the prompt off the loop, hand a job to the scheduler,
and turn its events into one of three response shapes. Model loading and warm-up run on a background thread
at startup; until they finish, model-bound requests get 503 `model_loading`.

Run: `uvicorn csm_gpu.app:app --port 8001` (or `python -m csm_gpu`, which honours `PORT`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from .audio import SAMPLE_RATE, wav_bytes
from .config import Settings
from .engine import CsmEngine, load_engine, resolve_device
from .errors import ServiceError, invalid, too_large
from .prompt import build_prompt
from .scheduler import Chunk, End, Event, Job, Scheduler
from .schemas import HealthResponse, TtsRequest

log = logging.getLogger("csm_gpu.app")

NDJSON = "application/x-ndjson"


@dataclass
class ServiceState:
    """What the routes need; `status` moves loading -> ok (or error)."""

    settings: Settings
    status: str = "loading"
    error: str | None = None
    engine: CsmEngine | None = None
    scheduler: Scheduler | None = None
    device: str = "unknown"

    def ready(self) -> Scheduler:
        """Return the scheduler, or raise the 503 that tells the client why not."""
        if self.status == "ok" and self.scheduler is not None:
            return self.scheduler
        if self.status == "error":
            raise ServiceError("model_failed", f"model failed to load: {self.error}", 503)
        raise ServiceError(
            "model_loading", "model is loading or warming up; poll /health", 503, retryable=True
        )


def _load(state: ServiceState, loader: Callable[[Settings], CsmEngine]) -> None:
    try:
        engine = loader(state.settings)
        if state.settings.warmup:
            log.info("warm-up took %.2fs", engine.warmup())
        scheduler = Scheduler(engine)
        scheduler.start()
        state.engine, state.scheduler = engine, scheduler
        state.device = str(engine.device)
        state.status = "ok"
    except Exception as exc:
        log.exception("model load failed")
        state.error = f"{type(exc).__name__}: {exc}"
        state.status = "error"


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large("body_too_large", f"body is {declared} bytes; the cap is {limit}", max_bytes=limit)
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise too_large("body_too_large", f"body exceeds the {limit}-byte cap", max_bytes=limit)
        parts.append(part)
    return b"".join(parts)


def _parse(body: bytes) -> TtsRequest:
    try:
        return TtsRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        raise invalid("request body does not match the /tts schema", errors=errors) from exc


async def _wait_disconnect(request: Request) -> None:
    # The body is consumed, so the next ASGI message on this request is the client's disconnect.
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _end_fields(end: End) -> dict[str, Any]:
    return {
        "stop_reason": end.reason,
        "frames": end.frames,
        "samples": end.samples,
        "duration_ms": round(end.samples * 1000 / SAMPLE_RATE, 1),
        "ttfa_ms": None if end.ttfa_ms is None else round(end.ttfa_ms, 1),
        "queued_ms": round(end.queued_ms, 1),
        "generation_ms": round(end.generation_ms, 1),
        "max_batch": end.max_batch,
    }


def create_app(
    settings: Settings | None = None,
    loader: Callable[[Settings], CsmEngine] = load_engine,
) -> FastAPI:
    """Build the app; `loader` is injectable so tests can hold the service in its loading state."""
    state = ServiceState(settings=settings or Settings.from_env())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with contextlib.suppress(Exception):
            state.device = str(resolve_device(state.settings.device))
        threading.Thread(target=_load, args=(state, loader), name="csm-loader", daemon=True).start()
        try:
            yield
        finally:
            if state.scheduler is not None:
                await asyncio.to_thread(state.scheduler.stop)

    app = FastAPI(title="csm-gpu", version="0.1.0", lifespan=lifespan)
    app.state.service = state

    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
        headers = {"Retry-After": "2"} if exc.retryable and exc.status == 503 else None
        return JSONResponse(exc.to_body(), status_code=exc.status, headers=headers)

    @app.get("/health", response_model=HealthResponse)
    async def health() -> HealthResponse:
        return HealthResponse(
            status=state.status,
            model_loaded=state.status == "ok",
            device=state.device,
            error=state.error,
        )

    @app.get("/ready")
    async def ready() -> dict[str, str]:
        state.ready()
        return {"status": "ok"}

    @app.get("/stats")
    async def stats() -> dict[str, Any]:
        return dict(state.scheduler.stats) if state.scheduler else {}

    async def start_job(request: Request) -> tuple[Job, asyncio.Queue[Event]]:
        body = await _read_body(request, state.settings.max_body_bytes)
        req = _parse(body)
        scheduler = state.ready()
        prompt = await asyncio.to_thread(build_prompt, req, state.engine, state.settings)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue()

        def emit(event: Event) -> None:
            with contextlib.suppress(RuntimeError):  # loop already closed at shutdown
                loop.call_soon_threadsafe(queue.put_nowait, event)

        job = Job(prompt=prompt, emit=emit)
        scheduler.submit(job)
        return job, queue

    async def stream_ndjson(job: Job, queue: asyncio.Queue[Event]) -> AsyncIterator[bytes]:
        # Starlette cancels this generator when the client disconnects; `finally` then cancels the job.
        try:
            head = {"type": "start", "sample_rate": SAMPLE_RATE, "encoding": "pcm_s16le", "channels": 1}
            yield (json.dumps(head) + "\n").encode()
            seq = 0
            while True:
                event = await queue.get()
                if isinstance(event, Chunk):
                    line = {
                        "type": "audio",
                        "seq": seq,
                        "start_sample": event.start_sample,
                        "samples": len(event.pcm16) // 2,
                        "audio": base64.b64encode(event.pcm16).decode("ascii"),
                    }
                    seq += 1
                elif isinstance(event, End):
                    line = {"type": "end", **_end_fields(event)}
                else:
                    line = {"type": "error", **event.to_body()}
                yield (json.dumps(line) + "\n").encode()
                if not isinstance(event, Chunk):
                    return
        finally:
            job.cancel()

    async def collect(request: Request, job: Job, queue: asyncio.Queue[Event]) -> tuple[bytes, End] | None:
        disconnect = asyncio.ensure_future(_wait_disconnect(request))
        pcm: list[bytes] = []
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, disconnect}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    return None  # the client went away; `finally` cancels its generation
                event = getter.result()
                if isinstance(event, Chunk):
                    pcm.append(event.pcm16)
                elif isinstance(event, End):
                    return b"".join(pcm), event
                else:
                    raise event
        finally:
            disconnect.cancel()
            job.cancel()

    async def tts_response(request: Request, stream: bool) -> Response:
        job, queue = await start_job(request)
        accept = request.headers.get("accept", "")
        if stream or NDJSON in accept:
            return StreamingResponse(stream_ndjson(job, queue), media_type=NDJSON)
        result = await collect(request, job, queue)
        if result is None:
            return Response(status_code=499)  # nginx's "client closed request"; nobody reads it
        pcm, end = result
        fields = _end_fields(end)
        if "audio/wav" in accept:
            headers = {f"X-CSM-{k.replace('_', '-').title()}": str(v) for k, v in fields.items()}
            return Response(wav_bytes(pcm), media_type="audio/wav", headers=headers)
        return JSONResponse(
            {
                "audio_base64": base64.b64encode(wav_bytes(pcm)).decode("ascii"),
                "format": "wav",
                "sample_rate": SAMPLE_RATE,
                **fields,
            }
        )

    @app.post("/tts")
    async def tts(request: Request) -> Response:
        """WAV (`Accept: audio/wav`), NDJSON stream (`Accept: application/x-ndjson`), else JSON."""
        return await tts_response(request, stream=False)

    @app.post("/tts/stream")
    async def tts_stream(request: Request) -> Response:
        """Always the NDJSON stream."""
        return await tts_response(request, stream=True)

    return app


def __getattr__(name: str) -> Any:
    # `uvicorn csm_gpu.app:app` reads this; building it lazily keeps imports of this module side-effect free.
    if name == "app":
        return create_app()
    raise AttributeError(name)
