"""WAV parsing and writing with the stdlib `wave` module, PCM conversion, resampling and levels."""

from __future__ import annotations

import base64
import binascii
import io
import math
import wave
from functools import lru_cache

import numpy as np

from .errors import invalid

SAMPLE_RATE = 24_000


def pcm16_bytes(samples: np.ndarray) -> bytes:
    """Convert float samples in [-1, 1] to little-endian PCM16 bytes (clipped)."""
    clipped = np.clip(samples, -1.0, 1.0)
    return (clipped * 32767.0).round().astype("<i2").tobytes()


def wav_bytes(pcm16: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Wrap mono PCM16 bytes in a RIFF/WAVE container."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm16)
    return buf.getvalue()


def decode_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Parse a PCM WAV into mono float32 samples and its sample rate.

    Raises `invalid_request` for anything `wave` cannot read (e.g. μ-law or float WAVs); callers
    convert those to PCM first.
    """
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise invalid(f"context audio is not a readable PCM WAV: {exc}") from exc
    if rate <= 0 or channels <= 0:
        raise invalid("context audio has an invalid header")
    if width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 1 << 23, v - (1 << 24), v)).astype(np.float32) / float(1 << 23)
    elif width == 4:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float32) / float(1 << 31)
    else:
        raise invalid(f"unsupported WAV sample width {width}")
    usable = (len(x) // channels) * channels
    x = x[:usable].reshape(-1, channels).mean(axis=1)
    return x.astype(np.float32), rate


def decode_wav_b64(text: str) -> tuple[np.ndarray, int]:
    """Decode base64 text, then the WAV inside it."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid("context audio is not valid base64") from exc
    return decode_wav(data)


def wav_header_b64(text: str) -> tuple[int, int]:
    """Return (sample frames, sample rate) of a base64 WAV from its header, without converting samples."""
    try:
        data = base64.b64decode(text, validate=True)
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getnframes(), w.getframerate()
    except (binascii.Error, ValueError, wave.Error, EOFError) as exc:
        raise invalid(f"context audio is not a readable base64 PCM WAV: {exc}") from exc


@lru_cache(maxsize=16)
def _polyphase_filter(up: int, down: int, half_taps: int = 24) -> tuple[np.ndarray, int]:
    # Windowed-sinc low-pass at 0.9 x min(in, out) Nyquist, Kaiser beta 8 (about 80 dB stopband), designed at
    # the up-sampled rate; taps per phase = 2 * half_taps.
    cutoff = 0.45 / max(up, down)
    n_taps = 2 * half_taps * up + 1
    t = np.arange(n_taps) - (n_taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * t) * np.kaiser(n_taps, 8.0)
    h *= up / h.sum()
    return h.astype(np.float64), (n_taps - 1) // 2


def resample(x: np.ndarray, rate_in: int, rate_out: int = SAMPLE_RATE) -> np.ndarray:
    """Rational polyphase resampling (anti-aliased), e.g. 8 kHz caller audio to the model's 24 kHz."""
    if rate_in == rate_out or len(x) == 0:
        return x.astype(np.float32)
    g = math.gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    h, delay = _polyphase_filter(up, down)
    n_out = (len(x) * up) // down
    taps = (len(h) + up - 1) // up
    out = np.empty(n_out, dtype=np.float32)
    # Output sample n sits at up-sampled index m = n*down + delay and sums h[m - k*up] * x[k]; blocks
    # keep the (outputs x taps) gather small.
    for start in range(0, n_out, 8192):
        m = np.arange(start, min(start + 8192, n_out), dtype=np.int64) * down + delay
        ks = (m // up)[:, None] - np.arange(taps, dtype=np.int64)[None, :]
        hi = m[:, None] - ks * up
        valid = (ks >= 0) & (ks < len(x)) & (hi < len(h))
        xs = np.where(valid, x[np.clip(ks, 0, len(x) - 1)], 0.0)
        hs = np.where(valid, h[np.clip(hi, 0, len(h) - 1)], 0.0)
        out[start : start + len(m)] = (xs * hs).sum(axis=1)
    return out


def dbfs(x: np.ndarray) -> float:
    """RMS level in dB relative to full scale (-inf for digital silence)."""
    if len(x) == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    return 20.0 * math.log10(rms) if rms > 0 else float("-inf")
