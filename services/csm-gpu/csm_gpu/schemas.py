"""The JSON contract of `POST /tts` (README), shared with libs/context-buffer and the CSM provider."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ContextTurn(BaseModel):
    """One earlier turn of the conversation; `audio` is a base64 WAV (any PCM rate, mono or stereo)."""

    model_config = ConfigDict(extra="ignore")

    speaker_id: int = Field(ge=0, le=1000)
    text: str = Field(max_length=4000)
    audio: str | None = None


class TtsRequest(BaseModel):
    """Body of `POST /tts`. Unknown fields are ignored so older and newer clients interoperate."""

    model_config = ConfigDict(extra="ignore")

    speaker_id: int = Field(ge=0, le=1000)
    prompt_text: str = Field(min_length=1, max_length=4000)
    context: list[ContextTurn] = Field(default_factory=list, max_length=64)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    """0 means greedy; default 0.9 (the checkpoint's generation config)."""
    topk: int | None = Field(default=None, ge=1, le=100_000)
    """Default 50."""
    max_audio_length_ms: int | None = Field(default=None, gt=0)
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
    """Extension: fixes the sampling noise, so the same request gives the same audio."""


class HealthResponse(BaseModel):
    """Body of `GET /health`: the shape apps/csm-bridge mirrors, plus `error`."""

    status: str
    model_loaded: bool
    device: str
    error: str | None = None
