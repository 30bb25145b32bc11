"""Service settings, read once from the environment (only `app.py` and the CLIs call `from_env`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return default if raw is None or raw == "" else int(raw)


def _env_float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return default if raw is None or raw == "" else float(raw)


def _env_bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class GenerationLimits:
    """Guard rails against runaway generation (SesameAILabs/csm#122, transformers#39787)."""

    default_audio_ms: int = 10_000
    """Used when a request omits `max_audio_length_ms` (the converted checkpoint's 125 frames)."""
    max_audio_ms: int = 30_000
    """Hard cap for any request."""
    text_base_ms: int = 2_000
    """Per-text cap = text_base_ms + text_ms_per_char * len(prompt_text); speech is ~65 ms/char."""
    text_ms_per_char: int = 200
    silence_stop_ms: int = 1_500
    """Stop once this much trailing audio is below `silence_dbfs` (long tails of silence)."""
    silence_dbfs: float = -50.0
    repeat_stop_frames: int = 12
    """Stop after this many identical consecutive frames (the hang signature in csm#122)."""
    fixed_length: bool = False
    """Benchmarks only: no early stop (EOS, silence, repetition); every row runs its planned frames."""


@dataclass(frozen=True)
class Settings:
    """All tunables of the service; see README "Configuration" for meanings and defaults."""

    model_path: str = ""
    device: str = "auto"
    dtype: str = "auto"
    compile: bool = False
    compile_mode: str = "max-autotune-no-cudagraphs"
    warmup: bool = True
    torch_threads: int = 0
    """CPU intra-op threads (0 = torch's default); 1 is fastest for the tiny test model on a busy box."""
    max_batch: int = 32
    batch_window_ms: float = 8.0
    max_queue: int = 128
    max_body_bytes: int = 16 * 1024 * 1024
    max_context_seconds: float = 120.0
    max_clip_seconds: float = 30.0
    first_chunk_frames: int = 2
    chunk_frames: int = 4
    decode_context_frames: int = 12
    context_cache_entries: int = 256
    limits: GenerationLimits = field(default_factory=GenerationLimits)

    @staticmethod
    def from_env(env: dict[str, str] | None = None) -> Settings:
        """Build settings from `CSM_*` variables (defaults as above)."""
        e = dict(os.environ if env is None else env)
        limits = GenerationLimits(
            default_audio_ms=_env_int(e, "CSM_DEFAULT_AUDIO_MS", 10_000),
            max_audio_ms=_env_int(e, "CSM_MAX_AUDIO_MS", 30_000),
            text_base_ms=_env_int(e, "CSM_TEXT_BASE_MS", 2_000),
            text_ms_per_char=_env_int(e, "CSM_TEXT_MS_PER_CHAR", 200),
            silence_stop_ms=_env_int(e, "CSM_SILENCE_STOP_MS", 1_500),
            silence_dbfs=_env_float(e, "CSM_SILENCE_DBFS", -50.0),
            repeat_stop_frames=_env_int(e, "CSM_REPEAT_STOP_FRAMES", 12),
        )
        return Settings(
            model_path=e.get("CSM_MODEL_PATH", ""),
            device=e.get("CSM_DEVICE", "auto"),
            dtype=e.get("CSM_DTYPE", "auto"),
            compile=_env_bool(e, "CSM_COMPILE", False),
            compile_mode=e.get("CSM_COMPILE_MODE", "max-autotune-no-cudagraphs"),
            warmup=_env_bool(e, "CSM_WARMUP", True),
            torch_threads=_env_int(e, "CSM_TORCH_THREADS", 0),
            max_batch=_env_int(e, "CSM_MAX_BATCH", 32),
            batch_window_ms=_env_float(e, "CSM_BATCH_WINDOW_MS", 8.0),
            max_queue=_env_int(e, "CSM_MAX_QUEUE", 128),
            max_body_bytes=_env_int(e, "CSM_MAX_BODY_BYTES", 16 * 1024 * 1024),
            max_context_seconds=_env_float(e, "CSM_MAX_CONTEXT_SECONDS", 120.0),
            max_clip_seconds=_env_float(e, "CSM_MAX_CLIP_SECONDS", 30.0),
            first_chunk_frames=_env_int(e, "CSM_FIRST_CHUNK_FRAMES", 2),
            chunk_frames=_env_int(e, "CSM_CHUNK_FRAMES", 4),
            decode_context_frames=_env_int(e, "CSM_DECODE_CONTEXT_FRAMES", 12),
            context_cache_entries=_env_int(e, "CSM_CONTEXT_CACHE_ENTRIES", 256),
            limits=limits,
        )
