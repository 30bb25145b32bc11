"""Dynamic batching: one worker thread steps every active request one frame at a time on one device.

- Idle, the first request opens a short collection window (`CSM_BATCH_WINDOW_MS`) so that requests arriving
  together start together; while busy, new requests join at the next frame boundary (continuous batching).
- Each request is prefilled alone, then joins the shared batch (see batch_state.py); rows leave on EOS, a
  guard rail, their frame cap, or cancellation (a client that disconnects).
- Audio is decoded in chunks (`CSM_FIRST_CHUNK_FRAMES`, then `CSM_CHUNK_FRAMES`) with
  `CSM_DECODE_CONTEXT_FRAMES` frames of left context, because transformers' Mimi keeps no convolution state
  between decode calls (`MimiModel.decode` in transformers' `models/mimi/modeling_mimi.py`). Silent frames are
  held back; a silence stop drops them.
- Results go back to the event loop through a callback per job; GPU work never runs on the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .audio import pcm16_bytes
from .batch_state import BatchState
from .engine import CsmEngine
from .errors import ServiceError
from .guards import StopState, is_eos, split_silent, update_repeats
from .prompt import Prompt

log = logging.getLogger("csm_gpu.scheduler")

# The tail of silence kept when a row stops on silence (a natural end, not a cut).
SILENCE_KEEP_FRAMES = 2


@dataclass
class Chunk:
    """PCM16 audio for frames [first_frame, first_frame + frames)."""

    pcm16: bytes
    start_sample: int
    frames: int


@dataclass
class End:
    """Final event of a job."""

    reason: str  # eos | max_frames | silence | repetition | cancelled
    frames: int
    samples: int
    queued_ms: float
    ttfa_ms: float | None
    generation_ms: float
    max_batch: int


Event = Chunk | End | ServiceError


@dataclass
class Job:
    """One request's life inside the scheduler."""

    prompt: Prompt
    emit: Callable[[Event], None]
    submitted: float = field(default_factory=time.perf_counter)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Ask the worker to drop this job at the next frame boundary."""
        self.cancelled.set()


@dataclass
class _Row:
    job: Job
    started: float
    frames: list[tuple[int, ...]] = field(default_factory=list)
    codes: list[torch.Tensor] = field(default_factory=list)
    decoded: int = 0  # frames already decoded
    emitted_samples: int = 0
    held: list[np.ndarray] = field(default_factory=list)  # silent frames not yet sent
    silent_run: int = 0
    stop: StopState = field(default_factory=StopState)
    first_audio: float | None = None
    max_batch: int = 0
    reason: str | None = None


class Scheduler:
    """Owns the worker thread and the batch; `submit` is safe to call from any thread."""

    def __init__(self, engine: CsmEngine) -> None:
        """Create the scheduler; call `start` to run the worker."""
        self.engine = engine
        self.settings = engine.settings
        self._pending: deque[Job] = deque()
        self._cv = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._rows: list[_Row] = []
        self._state = BatchState()
        self.stats: dict[str, Any] = {
            "submitted": 0,
            "completed": 0,
            "cancelled": 0,
            "failed": 0,
            "steps": 0,
            "max_batch": 0,
            "active": 0,
            "queued": 0,
        }

    # ---- public ---------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker thread."""
        self._thread = threading.Thread(target=self._run, name="csm-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker; pending and active jobs end as cancelled."""
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, job: Job) -> None:
        """Queue a job, or raise `overloaded` when the queue is full."""
        with self._cv:
            if len(self._pending) >= self.settings.max_queue:
                raise ServiceError(
                    "overloaded", "the request queue is full; retry shortly", 503, retryable=True
                )
            self._pending.append(job)
            self.stats["submitted"] += 1
            self.stats["queued"] = len(self._pending)
            self._cv.notify_all()

    # ---- worker ------------------------------------------------------------------------------------------
    def _take_pending(self) -> list[Job]:
        with self._cv:
            if not self._rows:
                while not self._pending and not self._stopping:
                    self._cv.wait()
                if self._stopping:
                    return []
                # Idle: hold a short window so that requests arriving together share the first step.
                deadline = time.perf_counter() + self.settings.batch_window_ms / 1000.0
                while len(self._pending) < self.settings.max_batch and not self._stopping:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        break
                    self._cv.wait(left)
            room = self.settings.max_batch - len(self._rows)
            jobs = [self._pending.popleft() for _ in range(min(room, len(self._pending)))]
            self.stats["queued"] = len(self._pending)
            return jobs

    def _run(self) -> None:
        while True:
            jobs = self._take_pending()
            if self._stopping:
                for row in self._rows:
                    row.job.cancel()
                self._finish_rows()
                for job in self._drain():
                    job.emit(self._end(job, "cancelled", None))
                return
            for job in jobs:
                self._admit(job)
            if not self._rows:
                continue
            try:
                self._step()
            except Exception as exc:  # a model error fails the batch, not the service
                log.exception("step failed")
                err = ServiceError("generation_failed", f"generation failed: {exc}", 500)
                for row in self._rows:
                    self.stats["failed"] += 1
                    row.job.emit(err)
                self._rows = []
                self._state = BatchState()
            self.stats["active"] = len(self._rows)

    def _drain(self) -> list[Job]:
        with self._cv:
            jobs = list(self._pending)
            self._pending.clear()
            return jobs

    def _admit(self, job: Job) -> None:
        if job.cancelled.is_set():
            self.stats["cancelled"] += 1
            job.emit(self._end(job, "cancelled", None))
            return
        try:
            cache, hidden, length = self.engine.prefill(job.prompt)
        except ServiceError as exc:
            self.stats["failed"] += 1
            job.emit(exc)
            return
        except Exception as exc:
            log.exception("prefill failed")
            self.stats["failed"] += 1
            job.emit(ServiceError("generation_failed", f"prefill failed: {exc}", 500))
            return
        p = job.prompt
        self._state.add_row(cache, hidden, length, p.seed, p.temperature, p.top_k)
        self._rows.append(_Row(job=job, started=time.perf_counter()))

    def _step(self) -> None:
        frames = self.engine.step(self._state).cpu()  # the one host sync per frame
        self.stats["steps"] += 1
        batch = len(self._rows)
        self.stats["max_batch"] = max(self.stats["max_batch"], batch)
        limits = self.settings.limits
        eos = self.engine.codebook_eos
        for i, row in enumerate(self._rows):
            row.max_batch = max(row.max_batch, batch)
            if row.job.cancelled.is_set():
                row.reason = "cancelled"
                continue
            frame = tuple(int(c) for c in frames[i])
            if is_eos(frame, eos) and not limits.fixed_length:
                row.reason = "eos"
                continue
            row.frames.append(frame)
            row.codes.append(frames[i])
            if not limits.fixed_length and update_repeats(row.stop, frame) + 1 >= limits.repeat_stop_frames:
                row.reason = "repetition"
            elif len(row.frames) >= row.job.prompt.max_frames:
                row.reason = "max_frames"
        self._decode_due()
        self._finish_rows()

    def _decode_due(self) -> None:
        s = self.settings
        due: list[_Row] = []
        for row in self._rows:
            if row.reason == "cancelled":
                continue
            pending = len(row.frames) - row.decoded
            need = s.first_chunk_frames if row.decoded == 0 else s.chunk_frames
            if pending > 0 and (pending >= need or row.reason is not None):
                due.append(row)
        if not due:
            return
        windows = []
        for row in due:
            start = max(0, row.decoded - s.decode_context_frames)
            windows.append(torch.stack(row.codes[start:]))
        audio = self.engine.decode(windows)
        fs = self.engine.frame_samples
        for row, wave in zip(due, audio, strict=True):
            new = len(row.frames) - row.decoded
            fresh = wave[-new * fs :]
            row.decoded = len(row.frames)
            self._push_audio(row, fresh)

    def _push_audio(self, row: _Row, audio: np.ndarray) -> None:
        s = self.settings
        fs = self.engine.frame_samples
        silent_limit = max(1, round(s.limits.silence_stop_ms / self.engine.frame_ms))
        out: list[np.ndarray] = []
        for k, silent in enumerate(split_silent(audio, fs, s.limits.silence_dbfs)):
            block = audio[k * fs : (k + 1) * fs]
            if silent and not s.limits.fixed_length:
                row.held.append(block)
                row.silent_run += 1
                if row.silent_run >= silent_limit and row.reason is None:
                    row.reason = "silence"
                continue
            out.extend(row.held)
            row.held.clear()
            row.silent_run = 0
            out.append(block)
        if row.reason is not None and row.held:
            # A silence stop keeps only a short natural tail; other stops flush what was held.
            keep = SILENCE_KEEP_FRAMES if row.reason == "silence" else len(row.held)
            out.extend(row.held[:keep])
            row.held.clear()
        if out:
            self._emit_chunk(row, np.concatenate(out))

    def _emit_chunk(self, row: _Row, audio: np.ndarray) -> None:
        if row.first_audio is None:
            row.first_audio = time.perf_counter()
        chunk = Chunk(
            pcm16=pcm16_bytes(audio),
            start_sample=row.emitted_samples,
            frames=len(audio) // self.engine.frame_samples,
        )
        row.emitted_samples += len(audio)
        row.job.emit(chunk)

    def _finish_rows(self) -> None:
        keep: list[int] = []
        rows: list[_Row] = []
        for i, row in enumerate(self._rows):
            if row.job.cancelled.is_set() and row.reason is None:
                row.reason = "cancelled"
            if row.reason is None:
                keep.append(i)
                rows.append(row)
                continue
            if row.reason == "cancelled":
                self.stats["cancelled"] += 1
            else:
                self.stats["completed"] += 1
            row.job.emit(self._end(row.job, row.reason, row))
        self._rows = rows
        self._state.keep_rows(keep)

    def _end(self, job: Job, reason: str, row: _Row | None) -> End:
        now = time.perf_counter()
        started = row.started if row else now
        return End(
            reason=reason,
            frames=len(row.frames) if row else 0,
            samples=row.emitted_samples if row else 0,
            queued_ms=(started - job.submitted) * 1000.0,
            ttfa_ms=(row.first_audio - job.submitted) * 1000.0 if row and row.first_audio else None,
            generation_ms=(now - started) * 1000.0,
            max_batch=row.max_batch if row else 0,
        )
