import numpy as np
import torch

from csm_gpu.batch_state import BatchState
from csm_gpu.prompt import build_prompt
from csm_gpu.schemas import ContextTurn, TtsRequest
from tests.helpers import wav_b64


def _prompt(engine, settings, text, seed, context=(), temperature=0.9, ms=800):
    req = TtsRequest(
        speaker_id=0,
        prompt_text=text,
        context=list(context),
        seed=seed,
        temperature=temperature,
        max_audio_length_ms=ms,
    )
    return build_prompt(req, engine, settings)


def _run(engine, rows, steps):
    """Prefill `rows` (prompt, join_at_step) and step the shared batch; return frames per row."""
    state = BatchState()
    order: list[int] = []
    out: dict[int, list[list[int]]] = {i: [] for i in range(len(rows))}
    for step in range(steps):
        for i, (p, join) in enumerate(rows):
            if join == step:
                cache, hidden, length = engine.prefill(p)
                state.add_row(cache, hidden, length, p.seed, p.temperature, p.top_k)
                order.append(i)
        frames = engine.step(state)
        for pos, i in enumerate(order):
            out[i].append(frames[pos].tolist())
    return out


def test_greedy_frames_match_transformers_generate(engine, settings):
    p = _prompt(engine, settings, "Hello there, how are you?", seed=0, temperature=0.0)
    mine = _run(engine, [(p, 0)], 6)[0]
    ids = torch.tensor([p.pieces[0]])
    with torch.inference_mode():
        ref = engine.model.generate(
            input_ids=ids, max_new_tokens=6, do_sample=False, depth_decoder_do_sample=False
        )
    assert mine == ref[0].tolist()


def test_rows_sample_the_same_alone_as_in_a_batch_joined_mid_flight(engine, settings):
    short = _prompt(engine, settings, "Hi.", seed=5)
    ctx = [ContextTurn(speaker_id=1, text="Earlier words.", audio=wav_b64(0.5))]
    long = _prompt(engine, settings, "A longer sentence to say now.", seed=6, context=ctx)
    alone_short = _run(engine, [(short, 0)], 6)[0]
    alone_long = _run(engine, [(long, 0)], 4)[0]
    mixed = _run(engine, [(short, 0), (long, 2)], 6)
    assert mixed[0] == alone_short
    assert mixed[1] == alone_long


def test_departed_rows_leave_the_others_unchanged(engine, settings):
    a = _prompt(engine, settings, "First speaker text.", seed=1)
    b = _prompt(engine, settings, "Second, much longer prompt text here.", seed=2)
    alone = _run(engine, [(a, 0)], 5)[0]
    state = BatchState()
    for p in (b, a):
        cache, hidden, length = engine.prefill(p)
        state.add_row(cache, hidden, length, p.seed, p.temperature, p.top_k)
    frames = [engine.step(state)[1].tolist() for _ in range(2)]
    width = state.key_mask.shape[1]
    state.keep_rows([1])  # b leaves; its extra left padding is trimmed away
    assert state.size == 1 and state.key_mask.shape[1] < width and bool(state.key_mask.all())
    frames += [engine.step(state)[0].tolist() for _ in range(3)]
    assert frames == alone


def test_context_audio_is_encoded_once_and_cached(engine, settings):
    audio = wav_b64(0.4, rate=16000)
    p = _prompt(engine, settings, "x", seed=1, context=[ContextTurn(speaker_id=0, text="y", audio=audio)])
    engine.prefill(p)
    key = p.pieces[1].key
    assert key in engine._codes_cache
    cached = engine._codes_cache[key]
    engine.prefill(p)
    assert engine._codes_cache[key] is cached
    assert cached.shape == (engine.num_codebooks, p.pieces[1].n_frames)


def test_decode_gives_one_codec_frame_of_samples_per_frame(engine):
    codes = torch.randint(0, 64, (5, engine.num_codebooks), generator=torch.Generator().manual_seed(0))
    (a, b) = engine.decode([codes, codes[:3]])
    assert len(a) == 5 * engine.frame_samples and len(b) == 3 * engine.frame_samples
    assert np.abs(a).max() > 0.01  # audio depends on codes (the tiny codebooks are not all-zero)
