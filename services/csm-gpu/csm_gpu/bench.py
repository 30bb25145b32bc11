"""Benchmark: time to first audio, real-time factor and real-time stream count with batching.

Full size (default when CUDA is present): the CSM-1B architecture (`CsmConfig()` defaults: 16-layer 2048-wide
backbone, 4-layer 1024-wide depth decoder, 32 codebooks, default Mimi) with random bf16 weights, the same
compute per frame as the real checkpoint. A random model never emits EOS, so every stream runs a fixed
number of frames (`--seconds`). `--tiny` runs the tiny test checkpoint on CPU so the script itself is
exercised in development; its numbers say nothing about GPU performance.

Each level submits N requests at once to the real scheduler (the code path `/tts` uses) and records, per
stream, the time to the first audio chunk and the arrival time of every chunk. A stream is real-time when
no chunk arrives after its playback deadline, with playback starting at first audio plus `--jitter-ms`
(the gateway's jitter buffer, JITTER_BUFFER_MS = 160 by default).

Usage: `python -m csm_gpu.bench [--tiny] [--streams 1,8,16,24,32] [--seconds 10] [--compile] [--json PATH]`
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from dataclasses import replace

import torch

from .config import GenerationLimits, Settings
from .engine import CsmEngine, load_engine
from .prompt import AudioPiece, Prompt
from .scheduler import Chunk, End, Job, Scheduler

GOALS = {"ttfa_ms": 150.0, "rtf": 0.15, "streams": 24}


def build_full_engine(settings: Settings) -> CsmEngine:
    """CSM-1B shapes with random weights on CUDA in bf16 (no checkpoint needed)."""
    from transformers import CsmConfig, CsmForConditionalGeneration

    from .make_tiny_checkpoint import build_tokenizer

    # RoPE scaling of the converted checkpoint (transformers convert_csm.py).
    cfg = CsmConfig(
        rope_parameters={
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 32.0,
            "high_freq_factor": 0.5,
            "low_freq_factor": 0.125,
            "original_max_position_embeddings": 1024,
        }
    )
    device = torch.device("cuda")
    torch.set_default_dtype(torch.bfloat16)
    with device:
        model = CsmForConditionalGeneration(cfg)
    torch.set_default_dtype(torch.float32)
    model.eval()
    model.codec_model.float()
    with torch.no_grad():
        for name, buf in model.codec_model.named_buffers():
            if name.endswith("codebook.embed_sum"):
                buf.normal_(0.0, 1.0)
    torch.backends.cuda.matmul.allow_tf32 = True
    return CsmEngine(model, build_tokenizer(), settings, device)


def _context_piece(engine: CsmEngine, seconds: float) -> list:
    if seconds <= 0:
        return []
    import base64

    import numpy as np

    from .audio import pcm16_bytes, wav_bytes

    n = int(seconds * 24000)
    x = 0.2 * np.sin(2 * np.pi * 180 * np.arange(n) / 24000)
    b64 = base64.b64encode(wav_bytes(pcm16_bytes(x))).decode()
    return [
        engine.text_ids(1, "This is what the caller said a moment ago."),
        AudioPiece(b64=b64, n_frames=engine.frames_for_samples(n), key=f"bench-{seconds}"),
    ]


def run_level(engine: CsmEngine, scheduler: Scheduler, n: int, frames: int, ctx: list, jitter_ms: float):
    """Submit n jobs at once; return per-stream measurements."""
    done = threading.Semaphore(0)
    records = []
    for i in range(n):
        rec = {"chunks": [], "end": None}

        def emit(ev, rec=rec):
            now = time.perf_counter()
            if isinstance(ev, Chunk):
                rec["chunks"].append((now, ev.start_sample, len(ev.pcm16) // 2))
            else:
                rec["end"] = (now, ev)
                done.release()

        pieces = [*ctx, engine.text_ids(0, "Thanks for calling, how can I help you with your order today?")]
        prompt = Prompt(
            pieces=pieces,
            positions=0,
            max_frames=frames,
            temperature=0.9,
            top_k=50,
            seed=1000 + i,
            text_chars=60,
        )
        job = Job(prompt=prompt, emit=emit)
        rec["submitted"] = job.submitted
        records.append(rec)
        scheduler.submit(job)
    for _ in range(n):
        done.acquire()
    out = []
    for rec in records:
        end_time, end = rec["end"]
        if not isinstance(end, End):
            raise RuntimeError(f"stream failed: {end}")
        first = rec["chunks"][0][0]
        late = 0.0
        for arrived, start_sample, _ in rec["chunks"]:
            deadline = first + jitter_ms / 1000.0 + start_sample / 24000.0
            late = max(late, arrived - deadline)
        audio_s = end.samples / 24000.0
        out.append(
            {
                "ttfa_ms": (first - rec["submitted"]) * 1000.0,
                "wall_s": end_time - rec["submitted"],
                "audio_s": audio_s,
                "rtf": (end_time - rec["submitted"]) / audio_s,
                "max_late_ms": late * 1000.0,
                "max_batch": end.max_batch,
            }
        )
    return out


def summarize(n: int, rows: list[dict], wall: float, steps: int) -> dict:
    """Aggregate one level."""
    ttfa = sorted(r["ttfa_ms"] for r in rows)
    return {
        "streams": n,
        "ttfa_p50_ms": statistics.median(ttfa),
        "ttfa_max_ms": ttfa[-1],
        "rtf_mean": statistics.fmean(r["rtf"] for r in rows),
        "rtf_max": max(r["rtf"] for r in rows),
        "ms_per_step": 1000.0 * wall / max(1, steps),
        "realtime_streams": sum(1 for r in rows if r["max_late_ms"] <= 0.0),
        "all_realtime": all(r["max_late_ms"] <= 0.0 for r in rows),
        "max_batch": max(r["max_batch"] for r in rows),
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="CSM service benchmark")
    parser.add_argument("--tiny", action="store_true", help="tiny random checkpoint on CPU (smoke run)")
    parser.add_argument("--streams", default=None, help="comma-separated concurrency levels")
    parser.add_argument("--seconds", type=float, default=None, help="audio per stream (fixed length)")
    parser.add_argument("--context-seconds", type=float, default=None, help="context clip per request")
    parser.add_argument("--jitter-ms", type=float, default=160.0)
    parser.add_argument("--compile", action="store_true", help="torch.compile backbone and depth decoder")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)

    cuda = torch.cuda.is_available()
    tiny = args.tiny or not cuda
    if not args.tiny and not cuda:
        print("no CUDA device: running --tiny (CPU numbers are not GPU numbers)")
    levels = [int(x) for x in (args.streams or ("1,2,4" if tiny else "1,4,8,16,24,32,48")).split(",")]
    seconds = args.seconds or (1.0 if tiny else 10.0)
    ctx_seconds = args.context_seconds if args.context_seconds is not None else (0.5 if tiny else 10.0)
    base = Settings(
        device="cpu" if tiny else "cuda",
        torch_threads=1 if tiny else 0,
        compile=args.compile,
        batch_window_ms=8.0,
        max_batch=max(levels),
        max_queue=max(levels) * 2,
        limits=GenerationLimits(fixed_length=True, max_audio_ms=120_000),
    )
    if tiny:
        from .make_tiny_checkpoint import write_tiny_checkpoint

        tmp = tempfile.mkdtemp(prefix="csm-bench-")
        engine = load_engine(replace(base, model_path=str(write_tiny_checkpoint(tmp))))
        device_name = "cpu (tiny random checkpoint)"
    else:
        engine = build_full_engine(base)
        device_name = torch.cuda.get_device_name(0)
    engine.warmup()
    frames = max(1, round(seconds * 1000.0 / engine.frame_ms))
    ctx = _context_piece(engine, ctx_seconds)
    scheduler = Scheduler(engine)
    scheduler.start()
    results = []
    try:
        for n in levels:
            run_level(engine, scheduler, n, min(frames, 8), ctx, args.jitter_ms)  # warm this batch size
            steps0 = scheduler.stats["steps"]
            t0 = time.perf_counter()
            rows = run_level(engine, scheduler, n, frames, ctx, args.jitter_ms)
            wall = time.perf_counter() - t0
            results.append(summarize(n, rows, wall, scheduler.stats["steps"] - steps0))
    finally:
        scheduler.stop()
    report = {
        "device": device_name,
        "model": "tiny" if tiny else "csm-1b shapes, random weights",
        "dtype": str(next(engine.model.backbone_model.parameters()).dtype),
        "compile": args.compile,
        "audio_seconds_per_stream": frames * engine.frame_ms / 1000.0,
        "context_seconds": ctx_seconds,
        "jitter_ms": args.jitter_ms,
        "goals": GOALS,
        "levels": results,
        "max_realtime_streams": max((r["streams"] for r in results if r["all_realtime"]), default=0),
    }
    print(json.dumps(report, indent=2))
    print()
    print(f"device: {device_name}   model: {report['model']}   compile: {args.compile}")
    print("| streams | TTFA p50 ms | TTFA max ms | RTF mean | RTF max | ms/step | real-time streams |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['streams']} | {r['ttfa_p50_ms']:.0f} | {r['ttfa_max_ms']:.0f} | {r['rtf_mean']:.3f} "
            f"| {r['rtf_max']:.3f} | {r['ms_per_step']:.1f} | {r['realtime_streams']}/{r['streams']} |"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2)


if __name__ == "__main__":
    main()
