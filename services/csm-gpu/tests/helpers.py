"""Test helpers."""

from __future__ import annotations

import base64
import io
import wave

import numpy as np


def wav_b64(seconds: float, rate: int = 8000, freq: float = 220.0, width: int = 2, channels: int = 1) -> str:
    """A tone plus a little noise, as a base64 PCM WAV."""
    n = int(seconds * rate)
    t = np.arange(n) / rate
    x = 0.3 * np.sin(2 * np.pi * freq * t) + 0.01 * np.random.default_rng(0).standard_normal(n)
    x = np.repeat(x[:, None], channels, axis=1).reshape(-1)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        if width == 2:
            w.writeframes((x * 32767).astype("<i2").tobytes())
        elif width == 1:
            w.writeframes(((x * 127) + 128).astype(np.uint8).tobytes())
    return base64.b64encode(buf.getvalue()).decode()
