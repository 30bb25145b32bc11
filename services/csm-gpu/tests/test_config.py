from fastapi import FastAPI

import csm_gpu.app
from csm_gpu.config import Settings


def test_settings_read_csm_variables_with_defaults():
    s = Settings.from_env(
        {
            "CSM_MODEL_PATH": "/models/csm",
            "CSM_MAX_BATCH": "48",
            "CSM_COMPILE": "true",
            "CSM_SILENCE_DBFS": "-45",
        }
    )
    assert s.model_path == "/models/csm" and s.max_batch == 48 and s.compile is True
    assert s.limits.silence_dbfs == -45.0
    assert s.limits.default_audio_ms == 10_000 and s.batch_window_ms == 8.0 and s.device == "auto"


def test_uvicorn_target_builds_an_app_from_the_environment(monkeypatch, tiny_checkpoint):
    monkeypatch.setenv("CSM_MODEL_PATH", tiny_checkpoint)
    app = csm_gpu.app.app
    assert isinstance(app, FastAPI)
    assert app.state.service.settings.model_path == tiny_checkpoint
