"""Device-side state of the rows that decode together: one shared backbone KV cache plus per-row tensors.

Rows join after their own prefill and leave when they stop, at frame boundaries (continuous batching).
Rows have different prompt lengths, so the shared cache is left-padded: a (B, T) key mask marks each row's
real positions, and every row keeps its own RoPE position, so a row computes the same thing alone as in any
batch (RoPE scores depend only on position differences, and masked keys get exactly zero weight).
"""

from __future__ import annotations

import torch
from transformers import DynamicCache


def _layers(cache: DynamicCache):
    return [layer for layer in cache.layers if layer.is_initialized]


def _left_pad(t: torch.Tensor, n: int) -> torch.Tensor:
    # Pads the sequence axis (-2) of a (B, H, T, D) tensor on the left with zeros.
    if n == 0:
        return t
    return torch.nn.functional.pad(t, (0, 0, n, 0))


class BatchState:
    """Aligned per-row tensors; index i of every tensor belongs to the same row."""

    def __init__(self) -> None:
        """Start empty: no rows, no cache."""
        self.cache: DynamicCache | None = None
        self.key_mask: torch.Tensor | None = None  # (B, T) long, 1 = real key
        self.hidden: torch.Tensor | None = None  # (B, H) last backbone hidden state
        self.positions: torch.Tensor | None = None  # (B,) next RoPE position
        self.frame_index: torch.Tensor | None = None  # (B,) frames generated so far
        self.seeds: torch.Tensor | None = None
        self.temperature: torch.Tensor | None = None
        self.top_k: torch.Tensor | None = None

    @property
    def size(self) -> int:
        """Number of rows."""
        return 0 if self.hidden is None else int(self.hidden.shape[0])

    def add_row(
        self,
        cache: DynamicCache,
        hidden: torch.Tensor,
        length: int,
        seed: int,
        temperature: float,
        top_k: int,
    ) -> None:
        """Append a prefilled row (batch-1 `cache` of `length` positions, `hidden` of shape (1, H))."""
        device = hidden.device
        row = {
            "positions": torch.tensor([length], device=device, dtype=torch.long),
            "frame_index": torch.zeros(1, device=device, dtype=torch.long),
            "seeds": torch.tensor([seed], device=device, dtype=torch.long),
            "temperature": torch.tensor([temperature], device=device, dtype=torch.float32),
            "top_k": torch.tensor([top_k], device=device, dtype=torch.long),
        }
        mask = torch.ones(1, length, device=device, dtype=torch.long)
        if self.cache is None:
            self.cache, self.key_mask, self.hidden = cache, mask, hidden
            for name, value in row.items():
                setattr(self, name, value)
            return
        have = int(self.key_mask.shape[1])
        width = max(have, length)
        for mine, theirs in zip(_layers(self.cache), _layers(cache), strict=True):
            mine.keys = torch.cat(
                [_left_pad(mine.keys, width - have), _left_pad(theirs.keys, width - length)]
            )
            mine.values = torch.cat(
                [_left_pad(mine.values, width - have), _left_pad(theirs.values, width - length)]
            )
        pad = torch.nn.functional.pad
        self.key_mask = torch.cat([pad(self.key_mask, (width - have, 0)), pad(mask, (width - length, 0))])
        self.hidden = torch.cat([self.hidden, hidden])
        for name, value in row.items():
            setattr(self, name, torch.cat([getattr(self, name), value]))

    def keep_rows(self, keep: list[int]) -> None:
        """Drop every row not listed in `keep` (indices into the current order), then trim padding."""
        if len(keep) == self.size:
            return
        if not keep:
            self.__init__()
            return
        idx = torch.tensor(keep, device=self.hidden.device, dtype=torch.long)
        for layer in _layers(self.cache):
            layer.keys = layer.keys.index_select(0, idx)
            layer.values = layer.values.index_select(0, idx)
        for name in ("key_mask", "hidden", "positions", "frame_index", "seeds", "temperature", "top_k"):
            setattr(self, name, getattr(self, name).index_select(0, idx))
        # Columns that no remaining row uses (left padding of departed long rows) are cut away.
        used = self.key_mask.any(dim=0).nonzero()
        first = int(used[0]) if used.numel() else 0
        if first > 0:
            self.key_mask = self.key_mask[:, first:]
            for layer in _layers(self.cache):
                layer.keys = layer.keys[:, :, first:]
                layer.values = layer.values[:, :, first:]
