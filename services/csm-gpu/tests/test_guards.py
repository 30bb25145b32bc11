import numpy as np

from csm_gpu.guards import StopState, is_eos, split_silent, update_repeats


def test_eos_needs_every_codebook_at_the_eos_id():
    assert is_eos((0, 0, 0), 0)
    assert not is_eos((0, 1, 0), 0)


def test_repeats_count_identical_consecutive_frames():
    s = StopState()
    runs = [update_repeats(s, f) for f in [(1, 2), (1, 2), (1, 2), (3, 4), (3, 4)]]
    assert runs == [0, 1, 2, 0, 1]


def test_split_silent_marks_quiet_frames_only():
    fs = 1920
    loud = 0.3 * np.sin(np.arange(fs) / 5)
    audio = np.concatenate([loud, np.zeros(fs), 1e-4 * loud, loud]).astype(np.float32)
    assert split_silent(audio, fs, -50.0) == [False, True, True, False]
