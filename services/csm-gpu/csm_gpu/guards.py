"""Stop rules for one generating row, kept pure so they are testable without a model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .audio import dbfs


@dataclass
class StopState:
    """Running counters for one row."""

    repeats: int = 0
    last_frame: tuple[int, ...] | None = None


def is_eos(frame: tuple[int, ...], eos_id: int) -> bool:
    """The reference loop stops on a frame whose codes are all the EOS id (generator.py)."""
    return all(c == eos_id for c in frame)


def update_repeats(state: StopState, frame: tuple[int, ...]) -> int:
    """Count identical consecutive frames (the hang signature reported in SesameAILabs/csm#122)."""
    state.repeats = state.repeats + 1 if frame == state.last_frame else 0
    state.last_frame = frame
    return state.repeats


def split_silent(audio: np.ndarray, frame_samples: int, threshold_dbfs: float) -> list[bool]:
    """Per codec frame of `audio`, whether it is below the silence threshold."""
    n = len(audio) // frame_samples
    return [dbfs(audio[i * frame_samples : (i + 1) * frame_samples]) < threshold_dbfs for i in range(n)]
