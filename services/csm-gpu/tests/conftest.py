"""Shared fixtures: one tiny random checkpoint, one engine and one real uvicorn server per session."""

from __future__ import annotations

import os

# Before torch loads: no hub, one intra-op thread (much faster for tiny tensors on a shared 2-core box).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from csm_gpu.app import create_app
from csm_gpu.config import GenerationLimits, Settings
from csm_gpu.engine import CsmEngine, load_engine
from csm_gpu.make_tiny_checkpoint import write_tiny_checkpoint


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(write_tiny_checkpoint(tmp_path_factory.mktemp("tiny-csm"), seed=0, max_positions=256))


@pytest.fixture(scope="session")
def settings(tiny_checkpoint: str) -> Settings:
    return Settings(
        model_path=tiny_checkpoint,
        device="cpu",
        torch_threads=1,
        warmup=True,
        batch_window_ms=150.0,
        max_batch=8,
        max_body_bytes=1_500_000,
        max_clip_seconds=20.0,
        max_context_seconds=40.0,
        first_chunk_frames=2,
        chunk_frames=3,
        decode_context_frames=8,
        limits=GenerationLimits(default_audio_ms=800, max_audio_ms=30_000, text_base_ms=30_000),
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> CsmEngine:
    return load_engine(settings)


class LiveServer:
    """uvicorn on 127.0.0.1:0 in a thread, so disconnects and concurrency are real."""

    def __init__(self, app) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def wait_ready(self, timeout: float = 30.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if httpx.get(f"{self.url}/health").json()["status"] == "ok":
                return
            time.sleep(0.05)
        raise RuntimeError("model did not become ready")


@pytest.fixture(scope="session")
def server(settings: Settings, engine: CsmEngine) -> Iterator[LiveServer]:
    # Reuses the session engine: the loader hands it over instead of loading the checkpoint again.
    with LiveServer(create_app(settings, loader=lambda _s: engine)) as live:
        live.wait_ready()
        yield live
