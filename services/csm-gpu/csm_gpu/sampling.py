"""Batch-invariant top-k / temperature sampling driven by a counter-based hash instead of a global RNG.

Each row draws its Gumbel noise from hash(seed, step, token), so a request samples the same tokens whether
it runs alone or inside a batch of any size and order; `torch.multinomial` on a shared generator cannot
promise that. Gumbel-max is the same distribution as the reference code's "exponential trick"
(SesameAILabs/csm generator.py `_multinomial_sample_one_no_sync`:
argmax(p / Exp(1)) = argmax(log p + Gumbel)), and it needs no host sync, which keeps the step loop free
of CUDA synchronisation.
"""

from __future__ import annotations

import torch

_MASK32 = 0xFFFFFFFF


def _mix32(x: torch.Tensor) -> torch.Tensor:
    # A 32-bit integer finaliser (constants from Chris Wellons' "hash prospector"). Operands stay below
    # 2**32 and both multipliers below 2**31, so every int64 product fits without overflow.
    x = x ^ (x >> 16)
    x = (x * 0x21F0AAAD) & _MASK32
    x = x ^ (x >> 15)
    x = (x * 0x735A2D97) & _MASK32
    return x ^ (x >> 15)


def uniform_noise(seeds: torch.Tensor, counters: torch.Tensor, vocab: int) -> torch.Tensor:
    """Return (B, vocab) uniforms in (0, 1), a pure function of (seed, counter, token index)."""
    key = _mix32(_mix32(seeds & _MASK32) ^ (counters & _MASK32))
    tokens = _mix32(torch.arange(vocab, device=seeds.device, dtype=torch.int64))
    h = _mix32((key[:, None] + tokens[None, :]) & _MASK32)
    # Top 24 bits -> exactly representable in float32, strictly inside (0, 1).
    return ((h >> 8).to(torch.float32) + 0.5) / float(1 << 24)


def sample_tokens(
    logits: torch.Tensor,
    temperature: torch.Tensor,
    top_k: torch.Tensor,
    seeds: torch.Tensor,
    counters: torch.Tensor,
) -> torch.Tensor:
    """Sample one token per row.

    Args:
        logits: (B, V) scores.
        temperature: (B,) float; rows with temperature <= 0 take the argmax (greedy).
        top_k: (B,) int64 in [1, V]: only the k best tokens can be drawn.
        seeds: (B,) int64 per-request seeds.
        counters: (B,) int64 step counters (frame * num_codebooks + codebook).

    Returns:
        (B,) int64 token ids.
    """
    logits = logits.float()
    vocab = logits.shape[-1]
    greedy = temperature <= 0
    scaled = logits / torch.where(greedy, torch.ones_like(temperature), temperature)[:, None]
    k = top_k.clamp(1, vocab)
    kth = torch.sort(scaled, dim=-1, descending=True).values.gather(1, (k - 1)[:, None])
    masked = scaled.masked_fill(scaled < kth, float("-inf"))
    gumbel = -torch.log(-torch.log(uniform_noise(seeds, counters, vocab)))
    noisy = torch.where(greedy[:, None], scaled, masked + gumbel)
    return noisy.argmax(dim=-1)
