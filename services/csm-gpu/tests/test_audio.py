import base64

import numpy as np
import pytest

from csm_gpu.audio import dbfs, decode_wav, decode_wav_b64, pcm16_bytes, resample, wav_bytes, wav_header_b64
from csm_gpu.errors import ServiceError
from tests.helpers import wav_b64


def test_wav_round_trip_keeps_samples_and_header():
    x = np.linspace(-0.5, 0.5, 480, dtype=np.float32)
    data = wav_bytes(pcm16_bytes(x), 24000)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    y, rate = decode_wav(data)
    assert rate == 24000
    assert np.abs(y - x).max() < 1 / 16000


def test_pcm16_clips_out_of_range_samples():
    raw = np.frombuffer(pcm16_bytes(np.array([2.0, -2.0, 0.0], dtype=np.float32)), dtype="<i2")
    assert raw.tolist() == [32767, -32767, 0]


@pytest.mark.parametrize(("width", "channels"), [(1, 1), (2, 2)])
def test_decode_reads_8_bit_and_stereo(width, channels):
    x, rate = decode_wav_b64(wav_b64(0.1, rate=8000, width=width, channels=channels))
    assert rate == 8000 and len(x) == 800
    assert 0.25 < np.abs(x).max() < 0.35  # the 0.3 tone survives, stereo averaged rather than summed


def test_header_gives_frames_and_rate_without_decoding():
    assert wav_header_b64(wav_b64(0.5, rate=16000)) == (8000, 16000)


@pytest.mark.parametrize("bad", ["not base64!!", base64.b64encode(b"RIFF....junk").decode()])
def test_bad_audio_is_a_422(bad):
    with pytest.raises(ServiceError) as info:
        decode_wav_b64(bad)
    assert info.value.status == 422 and info.value.code == "invalid_request"


@pytest.mark.parametrize(("rate_in", "freq"), [(8000, 440.0), (16000, 3000.0), (44100, 1000.0)])
def test_resample_preserves_in_band_tones(rate_in, freq):
    x = np.sin(2 * np.pi * freq * np.arange(rate_in) / rate_in).astype(np.float32)
    y = resample(x, rate_in, 24000)
    assert len(y) == 24000
    ref = np.sin(2 * np.pi * freq * np.arange(24000) / 24000)
    assert np.abs(y[500:-500] - ref[500:-500]).max() < 1e-3


def test_resample_rejects_tones_above_the_new_nyquist():
    x = np.sin(2 * np.pi * 14000 * np.arange(44100) / 44100).astype(np.float32)
    assert dbfs(resample(x, 44100, 24000)[500:-500]) < -60


def test_dbfs_of_full_scale_sine_and_silence():
    x = np.sin(2 * np.pi * np.arange(2400) / 24)
    assert dbfs(x) == pytest.approx(-3.01, abs=0.01)
    assert dbfs(np.zeros(10)) == float("-inf")
