"""Turn a `TtsRequest` into prompt pieces and check it against the caps and the position budget.

Layout (SesameAILabs/csm generator.py `_tokenize_segment`; transformers' CSM chat template): each context
turn is `{bos}[speaker]text{eos}` text positions, then, if it has audio, one position per Mimi frame plus one
all-EOS frame (`<|AUDIO|>`... `<|audio_eos|>`); the target turn is `{bos}[speaker]text{eos}`. Turns without
audio are allowed (the chat template would reject them; the model just sees text).

All checks run before any audio is decoded or encoded, so an oversized request costs almost nothing.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .audio import SAMPLE_RATE, decode_wav_b64, resample, wav_header_b64
from .config import GenerationLimits, Settings
from .errors import invalid, too_large
from .schemas import TtsRequest

DEFAULT_TEMPERATURE = 0.9
DEFAULT_TOP_K = 50


class PromptModel(Protocol):
    """What prompt building needs from the loaded model."""

    max_positions: int
    frame_ms: float

    def text_ids(self, speaker_id: int, text: str) -> list[int]:
        """Token ids of `{bos}[speaker]text{eos}`."""
        ...

    def frames_for_samples(self, n_samples: int) -> int:
        """Mimi frames for a 24 kHz clip of `n_samples`."""
        ...


@dataclass
class AudioPiece:
    """A context clip: frames are known up front, samples are decoded only when needed."""

    b64: str
    n_frames: int
    key: str

    def samples(self) -> np.ndarray:
        """Decode and resample the clip to 24 kHz mono float32."""
        x, rate = decode_wav_b64(self.b64)
        return resample(x, rate, SAMPLE_RATE)


@dataclass
class Prompt:
    """A validated request, ready for prefill."""

    pieces: list[list[int] | AudioPiece]
    positions: int
    max_frames: int
    temperature: float
    top_k: int
    seed: int
    text_chars: int
    meta: dict = field(default_factory=dict)


def planned_frames(req: TtsRequest, limits: GenerationLimits, frame_ms: float) -> int:
    """Frames to plan for: the request's cap, the server cap and a cap from the text length."""
    asked = req.max_audio_length_ms or limits.default_audio_ms
    text_cap = limits.text_base_ms + limits.text_ms_per_char * len(req.prompt_text)
    ms = min(asked, limits.max_audio_ms, text_cap)
    return max(1, math.ceil(ms / frame_ms))


def build_prompt(req: TtsRequest, model: PromptModel, settings: Settings) -> Prompt:
    """Validate caps (413), tokenize, count positions, and return the prompt."""
    pieces: list[list[int] | AudioPiece] = []
    total_seconds = 0.0
    positions = 0
    for i, turn in enumerate(req.context):
        ids = model.text_ids(turn.speaker_id, turn.text)
        pieces.append(ids)
        positions += len(ids)
        if not turn.audio:
            continue
        n, rate = wav_header_b64(turn.audio)
        if rate <= 0:
            raise invalid(f"context[{i}].audio has sample rate {rate}")
        seconds = n / rate
        if seconds > settings.max_clip_seconds:
            raise too_large(
                "context_audio_too_long",
                f"context[{i}].audio is {seconds:.1f} s; the per-clip cap is {settings.max_clip_seconds} s",
                clip_index=i,
                seconds=round(seconds, 3),
                max_clip_seconds=settings.max_clip_seconds,
            )
        total_seconds += seconds
        # Same length formula as audio.resample, so the count matches the samples the codec will see.
        g = math.gcd(rate, SAMPLE_RATE)
        n24 = (n * (SAMPLE_RATE // g)) // (rate // g)
        frames = model.frames_for_samples(n24) if n24 > 0 else 0
        key = hashlib.sha256(turn.audio.encode("ascii", "ignore")).hexdigest()
        pieces.append(AudioPiece(b64=turn.audio, n_frames=frames, key=key))
        positions += frames + 1  # + the all-EOS frame that closes every clip
    if total_seconds > settings.max_context_seconds:
        raise too_large(
            "context_audio_too_long",
            f"context audio totals {total_seconds:.1f} s; the cap is {settings.max_context_seconds} s",
            seconds=round(total_seconds, 3),
            max_context_seconds=settings.max_context_seconds,
        )
    target = model.text_ids(req.speaker_id, req.prompt_text)
    pieces.append(target)
    positions += len(target)
    max_frames = planned_frames(req, settings.limits, model.frame_ms)
    if positions + max_frames > model.max_positions:
        raise too_large(
            "context_too_long",
            f"prompt needs {positions} positions plus {max_frames} planned frames, over the model's "
            f"{model.max_positions}; send less context or a lower max_audio_length_ms",
            prompt_positions=positions,
            planned_frames=max_frames,
            position_budget=model.max_positions,
            max_context_positions=model.max_positions - max_frames,
        )
    return Prompt(
        pieces=pieces,
        positions=positions,
        max_frames=max_frames,
        temperature=DEFAULT_TEMPERATURE if req.temperature is None else req.temperature,
        top_k=DEFAULT_TOP_K if req.topk is None else req.topk,
        seed=secrets.randbits(32) if req.seed is None else req.seed,
        text_chars=len(req.prompt_text),
    )
