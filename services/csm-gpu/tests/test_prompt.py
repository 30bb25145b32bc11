import math

import numpy as np
import pytest
import torch

from csm_gpu.errors import ServiceError
from csm_gpu.prompt import AudioPiece, build_prompt
from csm_gpu.schemas import ContextTurn, TtsRequest
from tests.helpers import wav_b64


def test_positions_count_text_frames_and_one_eos_frame_per_clip(engine, settings):
    clip = wav_b64(1.0, rate=8000)  # 24000 samples at 24 kHz -> 12.5 frames -> 13
    req = TtsRequest(
        speaker_id=1,
        prompt_text="Reply.",
        context=[
            ContextTurn(speaker_id=0, text="Hello.", audio=clip),
            ContextTurn(speaker_id=1, text="Text only."),
        ],
    )
    p = build_prompt(req, engine, settings)
    text = [engine.text_ids(0, "Hello."), engine.text_ids(1, "Text only."), engine.text_ids(1, "Reply.")]
    assert p.positions == sum(len(t) for t in text) + 13 + 1
    assert isinstance(p.pieces[1], AudioPiece) and p.pieces[1].n_frames == math.ceil(24000 / 1920)
    assert p.max_frames == 10  # default 800 ms in the test settings / 80 ms


def test_prompt_embeddings_match_the_processor_and_transformers_merge(engine, settings, tiny_checkpoint):
    from transformers import AutoProcessor

    clip = wav_b64(0.3, rate=24000)
    req = TtsRequest(
        speaker_id=0,
        prompt_text="Now me.",
        context=[ContextTurn(speaker_id=1, text="You first.", audio=clip)],
    )
    p = build_prompt(req, engine, settings)
    mine = engine.prompt_embeddings(p)

    processor = AutoProcessor.from_pretrained(tiny_checkpoint)
    conversation = [
        {
            "role": "1",
            "content": [
                {"type": "text", "text": "You first."},
                {"type": "audio", "path": p.pieces[1].samples()},
            ],
        },
        {"role": "0", "content": [{"type": "text", "text": "Now me."}]},
    ]
    inputs = processor.apply_chat_template(
        conversation,
        tokenize=True,
        return_dict=True,
        # The tiny codec's strides (same as the real Mimi), so the processor counts the same frames.
        audio_kwargs={
            "encoded_length_kwargs": {
                "kernel_sizes": [7, 3, 1, 8, 3, 1, 10, 3, 1, 12, 3, 1, 16, 3, 4],
                "strides": [1, 1, 1, 4, 1, 1, 5, 1, 1, 6, 1, 1, 8, 1, 2],
                "dilations": [1] * 15,
                "use_causal_conv": True,
            }
        },
    )
    with torch.inference_mode():
        ref = engine.model._merge_input_ids_with_input_values(
            input_ids=inputs["input_ids"],
            input_values=inputs["input_values"],
            input_values_cutoffs=inputs["input_values_cutoffs"],
        )["inputs_embeds"]
    assert ref.shape == mine.shape
    assert torch.allclose(ref, mine, atol=1e-5)


def test_position_budget_overflow_is_a_413_with_numbers(engine, settings):
    clip = wav_b64(16.0)  # 200 frames; with 63 planned frames it passes the 256-position budget
    req = TtsRequest(
        speaker_id=0,
        prompt_text="Hi",
        max_audio_length_ms=5000,
        context=[ContextTurn(speaker_id=1, text="a", audio=clip)],
    )
    with pytest.raises(ServiceError) as info:
        build_prompt(req, engine, settings)
    err = info.value
    assert err.status == 413 and err.code == "context_too_long"
    assert err.details["position_budget"] == 256
    assert err.details["prompt_positions"] + err.details["planned_frames"] > 256


def test_clip_and_total_audio_caps_are_413(engine, settings):
    long_clip = TtsRequest(
        speaker_id=0, prompt_text="Hi", context=[ContextTurn(speaker_id=1, text="a", audio=wav_b64(21.0))]
    )
    with pytest.raises(ServiceError) as info:
        build_prompt(long_clip, engine, settings)
    assert info.value.code == "context_audio_too_long" and info.value.details["clip_index"] == 0
    many = TtsRequest(
        speaker_id=0, prompt_text="Hi", context=[ContextTurn(speaker_id=1, text="a", audio=wav_b64(15.0))] * 3
    )
    with pytest.raises(ServiceError) as info:
        build_prompt(many, engine, settings)
    assert info.value.code == "context_audio_too_long" and info.value.details["seconds"] == pytest.approx(
        45.0
    )


def test_frame_cap_takes_the_smallest_of_request_server_and_text(engine, settings):
    p = build_prompt(TtsRequest(speaker_id=0, prompt_text="Hi", max_audio_length_ms=400), engine, settings)
    assert p.max_frames == 5
    assert np.isclose(engine.frame_ms, 80.0)
