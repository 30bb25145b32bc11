import threading

import httpx

from csm_gpu.app import create_app
from tests.conftest import LiveServer

BODY = {"speaker_id": 0, "prompt_text": "Hello"}


def test_requests_get_503_while_the_model_loads(settings, engine):
    release = threading.Event()

    def slow_loader(_settings):
        release.wait(10)
        return engine

    with LiveServer(create_app(settings, loader=slow_loader)) as live:
        health = httpx.get(f"{live.url}/health").json()
        assert health == {"status": "loading", "model_loaded": False, "device": "cpu", "error": None}
        r = httpx.post(f"{live.url}/tts", json=BODY)
        assert r.status_code == 503 and r.headers["retry-after"] == "2"
        assert r.json()["error"] == {
            "code": "model_loading",
            "message": "model is loading or warming up; poll /health",
            "retryable": True,
        }
        assert httpx.get(f"{live.url}/ready").status_code == 503
        # Malformed input is still a 422 while loading: validation does not need the model.
        assert httpx.post(f"{live.url}/tts", json={"speaker_id": "x"}).status_code == 422
        release.set()
        live.wait_ready()
        ok = httpx.post(
            f"{live.url}/tts", json={**BODY, "max_audio_length_ms": 160}, headers={"accept": "audio/wav"}
        )
        assert ok.status_code == 200


def test_a_failed_load_is_reported_and_503(settings):
    def broken_loader(_settings):
        raise FileNotFoundError("no checkpoint at /nowhere")

    with LiveServer(create_app(settings, loader=broken_loader)) as live:
        for _ in range(100):
            health = httpx.get(f"{live.url}/health").json()
            if health["status"] != "loading":
                break
        assert health["status"] == "error" and "no checkpoint" in health["error"]
        r = httpx.post(f"{live.url}/tts", json=BODY)
        assert r.status_code == 503 and r.json()["error"]["code"] == "model_failed"
