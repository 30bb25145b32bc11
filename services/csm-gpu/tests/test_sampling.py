import torch

from csm_gpu.sampling import sample_tokens, uniform_noise


def _args(b, temp=0.9, k=50, seed=1):
    return (
        torch.full((b,), temp),
        torch.full((b,), k, dtype=torch.long),
        torch.arange(b, dtype=torch.long) + seed,
        torch.zeros(b, dtype=torch.long),
    )


def test_greedy_and_top1_take_the_argmax():
    logits = torch.randn(4, 100, generator=torch.Generator().manual_seed(0))
    temp, k, seeds, counters = _args(4, temp=0.0)
    assert torch.equal(sample_tokens(logits, temp, k, seeds, counters), logits.argmax(-1))
    temp, k, seeds, counters = _args(4, temp=1.0, k=1)
    assert torch.equal(sample_tokens(logits, temp, k, seeds, counters), logits.argmax(-1))


def test_samples_stay_inside_the_top_k():
    logits = torch.randn(1, 200, generator=torch.Generator().manual_seed(1))
    allowed = set(logits[0].topk(5).indices.tolist())
    for step in range(300):
        tok = sample_tokens(
            logits, torch.tensor([1.5]), torch.tensor([5]), torch.tensor([9]), torch.tensor([step])
        )
        assert int(tok) in allowed


def test_a_row_samples_the_same_alone_or_in_any_batch():
    g = torch.Generator().manual_seed(2)
    logits = torch.randn(3, 67, generator=g)
    temp = torch.tensor([0.9, 0.7, 1.2])
    k = torch.tensor([50, 10, 67])
    seeds = torch.tensor([11, 22, 33])
    counters = torch.tensor([5, 6, 7])
    together = sample_tokens(logits, temp, k, seeds, counters)
    for i in range(3):
        alone = sample_tokens(
            logits[i : i + 1], temp[i : i + 1], k[i : i + 1], seeds[i : i + 1], counters[i : i + 1]
        )
        assert int(alone) == int(together[i])
    order = torch.tensor([2, 0, 1])
    shuffled = sample_tokens(logits[order], temp[order], k[order], seeds[order], counters[order])
    assert torch.equal(shuffled, together[order])


def test_frequencies_follow_the_softmax():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0]])
    n = 20000
    toks = sample_tokens(
        logits.expand(n, 4),
        torch.ones(n),
        torch.full((n,), 4, dtype=torch.long),
        torch.full((n,), 5, dtype=torch.long),
        torch.arange(n, dtype=torch.long),
    )
    counts = torch.bincount(toks, minlength=4).float()
    expected = torch.softmax(logits[0], -1) * n
    assert torch.all((counts - expected).abs() < 4 * expected.sqrt() + 5)


def test_noise_is_uniform_and_depends_on_seed_and_counter():
    u = uniform_noise(torch.tensor([1, 1, 2]), torch.tensor([0, 1, 0]), 4096)
    assert float(u.min()) > 0 and float(u.max()) < 1
    assert abs(float(u.mean()) - 0.5) < 0.02
    assert not torch.equal(u[0], u[1]) and not torch.equal(u[0], u[2])
    assert torch.equal(u[0], uniform_noise(torch.tensor([1]), torch.tensor([0]), 4096)[0])
