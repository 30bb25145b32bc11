import asyncio
import base64
import io
import json
import time
import wave

import httpx
import numpy as np
import pytest

from tests.helpers import wav_b64

FRAME = 1920


def _post(server, body, accept=None, path="/tts", **kw):
    headers = {"accept": accept} if accept else {}
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=60, **kw)


def _pcm(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def _stream_lines(server, body):
    with httpx.stream("POST", f"{server.url}/tts/stream", json=body, timeout=60) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in r.iter_lines() if line]


def _wait_idle(server, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = httpx.get(f"{server.url}/stats").json()
        if stats["active"] == 0 and stats["queued"] == 0:
            return stats
        time.sleep(0.02)
    raise AssertionError("scheduler did not go idle")


def test_health_reports_ok_and_device(server):
    body = httpx.get(f"{server.url}/health").json()
    assert body["status"] == "ok" and body["model_loaded"] is True and body["device"] == "cpu"
    assert httpx.get(f"{server.url}/ready").status_code == 200


def test_wav_response_is_24k_mono_pcm16_with_planned_frames(server):
    r = _post(
        server,
        {"speaker_id": 0, "prompt_text": "Hello there", "max_audio_length_ms": 560, "seed": 3},
        "audio/wav",
    )
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2)
        assert w.getnframes() == 7 * FRAME  # 560 ms = 7 frames of 80 ms; a random model never says EOS
    assert r.headers["x-csm-stop-reason"] == "max_frames" and r.headers["x-csm-frames"] == "7"


def test_json_response_carries_the_same_audio_for_the_same_seed(server):
    body = {"speaker_id": 1, "prompt_text": "Same seed, same audio.", "max_audio_length_ms": 400, "seed": 42}
    wav = _post(server, body, "audio/wav").content
    js = _post(server, body).json()
    assert js["sample_rate"] == 24000 and js["format"] == "wav" and js["frames"] == 5
    assert base64.b64decode(js["audio_base64"]) == wav
    other = _post(server, {**body, "seed": 43}, "audio/wav").content
    assert other != wav


def test_stream_chunks_are_ordered_contiguous_and_equal_the_whole(server):
    body = {"speaker_id": 0, "prompt_text": "Streaming please.", "max_audio_length_ms": 880, "seed": 9}
    lines = _stream_lines(server, body)
    assert lines[0] == {"type": "start", "sample_rate": 24000, "encoding": "pcm_s16le", "channels": 1}
    audio = [ln for ln in lines if ln["type"] == "audio"]
    assert (
        lines[-1]["type"] == "end" and lines[-1]["stop_reason"] == "max_frames" and lines[-1]["frames"] == 11
    )
    assert [a["seq"] for a in audio] == list(range(len(audio)))
    # first chunk after 2 frames, then every 3 (test settings): 2 + 3 + 3 + 3 = 11 frames
    assert [a["samples"] for a in audio] == [2 * FRAME, 3 * FRAME, 3 * FRAME, 3 * FRAME]
    starts = np.cumsum([0] + [a["samples"] for a in audio[:-1]]).tolist()
    assert [a["start_sample"] for a in audio] == starts
    streamed = b"".join(base64.b64decode(a["audio"]) for a in audio)
    assert streamed == _pcm(_post(server, body, "audio/wav").content).tobytes()


def test_accept_ndjson_on_tts_streams_too(server):
    body = {"speaker_id": 0, "prompt_text": "Hi", "max_audio_length_ms": 160, "seed": 1}
    r = _post(server, body, "application/x-ndjson")
    kinds = [json.loads(x)["type"] for x in r.text.splitlines()]
    assert kinds == ["start", "audio", "end"]


def test_context_audio_at_8k_is_accepted_and_changes_the_output(server):
    base = {"speaker_id": 0, "prompt_text": "With context.", "max_audio_length_ms": 320, "seed": 5}
    ctx = [
        {"speaker_id": 1, "text": "Caller said this.", "audio": wav_b64(0.6, rate=8000)},
        {"speaker_id": 0, "text": "No audio here."},
    ]
    with_ctx = _post(server, {**base, "context": ctx}, "audio/wav")
    assert with_ctx.status_code == 200
    assert with_ctx.content != _post(server, base, "audio/wav").content


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"{not json", None),
        (json.dumps({"prompt_text": "missing speaker"}).encode(), "speaker_id"),
        (json.dumps({"speaker_id": 0, "prompt_text": ""}).encode(), "prompt_text"),
        (json.dumps({"speaker_id": 0, "prompt_text": "x", "temperature": 5}).encode(), "temperature"),
        (json.dumps({"speaker_id": 0, "prompt_text": "x", "context": [{"speaker_id": 0}]}).encode(), "text"),
    ],
)
def test_malformed_bodies_are_422(server, body, where):
    r = httpx.post(f"{server.url}/tts", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_request" and err["retryable"] is False
    if where:
        assert any(where in e["loc"] for e in err["details"]["errors"])


def test_unreadable_context_audio_is_422(server):
    ctx = [{"speaker_id": 1, "text": "x", "audio": base64.b64encode(b"not a wav").decode()}]
    r = _post(server, {"speaker_id": 0, "prompt_text": "x", "context": ctx})
    assert r.status_code == 422 and "WAV" in r.json()["error"]["message"]


def test_context_over_the_position_budget_is_413(server):
    ctx = [{"speaker_id": 1, "text": "long", "audio": wav_b64(16.0, rate=8000)}]
    r = _post(server, {"speaker_id": 0, "prompt_text": "x", "context": ctx, "max_audio_length_ms": 5000})
    assert r.status_code == 413
    err = r.json()["error"]
    assert err["code"] == "context_too_long" and err["details"]["position_budget"] == 256


def test_body_over_the_byte_cap_is_413(server):
    r = httpx.post(
        f"{server.url}/tts", content=b"x" * 1_600_000, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"


def test_concurrent_requests_share_a_batch_and_match_their_solo_audio(server):
    a = {"speaker_id": 0, "prompt_text": "First caller.", "max_audio_length_ms": 800, "seed": 11}
    b = {
        "speaker_id": 1,
        "prompt_text": "Second caller, with a longer prompt and context.",
        "context": [{"speaker_id": 0, "text": "Earlier.", "audio": wav_b64(0.5, rate=16000)}],
        "max_audio_length_ms": 640,
        "seed": 12,
    }
    solo_a = _post(server, a, "audio/wav")
    solo_b = _post(server, b, "audio/wav")
    assert solo_a.headers["x-csm-max-batch"] == "1"

    async def both():
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            h = {"accept": "audio/wav"}
            return await asyncio.gather(
                client.post("/tts", json=a, headers=h), client.post("/tts", json=b, headers=h)
            )

    ra, rb = asyncio.run(both())
    assert ra.headers["x-csm-max-batch"] == "2" and rb.headers["x-csm-max-batch"] == "2"
    # Same codes; the codec may run at another batch size, so allow a couple of LSBs.
    for solo, batched in ((solo_a, ra), (solo_b, rb)):
        x, y = _pcm(solo.content).astype(int), _pcm(batched.content).astype(int)
        assert len(x) == len(y) and np.abs(x - y).max() <= 2


def test_stream_disconnect_cancels_generation(server):
    before = _wait_idle(server)
    body = {
        "speaker_id": 0,
        "prompt_text": "A long answer.",
        "max_audio_length_ms": 16000,
        "seed": 1,
    }  # 200 frames
    with httpx.stream("POST", f"{server.url}/tts/stream", json=body, timeout=60) as r:
        lines = r.iter_lines()
        assert json.loads(next(lines))["type"] == "start"
        assert json.loads(next(lines))["type"] == "audio"
    after = _wait_idle(server)
    assert after["cancelled"] == before["cancelled"] + 1
    assert after["steps"] - before["steps"] < 100


def test_plain_request_disconnect_cancels_generation(server):
    before = _wait_idle(server)
    body = {"speaker_id": 0, "prompt_text": "A long answer.", "max_audio_length_ms": 19200, "seed": 1}
    with pytest.raises(httpx.ReadTimeout):  # 240 frames take seconds; the client gives up after 0.4 s
        httpx.post(f"{server.url}/tts", json=body, timeout=0.4)
    after = _wait_idle(server)
    assert after["cancelled"] == before["cancelled"] + 1
    assert after["steps"] - before["steps"] < 100
