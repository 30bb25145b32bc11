"""The model side: load CSM through transformers, prefill one prompt, step a batch one frame, decode audio.

Why not `model.generate`: it keeps only `MaxLengthCriteria` (CSM drops other stopping criteria, see
transformers generation_csm.py), samples every row with one generator and one temperature/top-k, and cannot
admit or drop rows mid-generation. This module drives the same submodules (`embed_text_tokens`,
`backbone_model`, `lm_head`, `depth_decoder`, `codec_model`) frame by frame instead; a test checks that its
greedy output equals `model.generate(do_sample=False)`.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

import numpy as np
import torch
from transformers import AutoProcessor, CsmForConditionalGeneration, DynamicCache

from .audio import SAMPLE_RATE
from .batch_state import BatchState
from .config import Settings
from .prompt import AudioPiece, Prompt
from .sampling import sample_tokens

log = logging.getLogger("csm_gpu.engine")


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA when present."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    """`auto` is bf16 on CUDA (as the reference code and csm-streaming run) and fp32 on CPU."""
    if name == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return {"bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "fp16": torch.float16}.get(
        name, torch.float32
    )


class CsmEngine:
    """Owns the model; every method runs on the scheduler's worker thread (never on the event loop)."""

    def __init__(
        self,
        model: CsmForConditionalGeneration,
        tokenizer,
        settings: Settings,
        device: torch.device,
    ) -> None:
        """Wrap a loaded model; use `load_engine` to build one from a checkpoint folder."""
        self.model = model
        self.tokenizer = tokenizer
        self.settings = settings
        self.device = device
        cfg = model.config
        self.num_codebooks = int(cfg.num_codebooks)
        self.max_positions = int(cfg.max_position_embeddings)
        self.codebook_eos = int(cfg.codebook_eos_token_id)
        self.codec_codebook_size = int(cfg.codec_config.codebook_size)
        self.frame_samples = int(cfg.codec_config.frame_size)
        self.sample_rate = int(cfg.codec_config.sampling_rate)
        if self.sample_rate != SAMPLE_RATE:
            raise ValueError(f"codec sample rate {self.sample_rate} != {SAMPLE_RATE}")
        self.frame_ms = 1000.0 * self.frame_samples / self.sample_rate
        self.bos_id = int(cfg.bos_token_id)
        self.eos_text_id = int(tokenizer.convert_tokens_to_ids(tokenizer.eos_token))
        self.audio_eos_frame = torch.full(
            (1, 1, self.num_codebooks), self.codebook_eos, device=device, dtype=torch.long
        )
        self._codes_cache: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._depth_forward = model.depth_decoder.forward
        self._backbone_forward = model.backbone_model.forward
        if settings.compile:
            # Compiled per batch-size bucket; dynamic shapes keep recompiles bounded as rows come and go.
            self._depth_forward = torch.compile(
                model.depth_decoder.forward, mode=settings.compile_mode, dynamic=True
            )
            self._backbone_forward = torch.compile(
                model.backbone_model.forward, mode=settings.compile_mode, dynamic=True
            )

    # ---- PromptModel -------------------------------------------------------------------------------
    def text_ids(self, speaker_id: int, text: str) -> list[int]:
        """Token ids of `{bos}[speaker]text{eos}` (the checkpoint's chat template)."""
        body = self.tokenizer.encode(f"[{speaker_id}]{text}", add_special_tokens=False)
        return [self.bos_id, *body, self.eos_text_id]

    @torch.inference_mode()
    def frames_for_samples(self, n_samples: int) -> int:
        """Mimi frames for a clip, from the codec's own conv arithmetic."""
        return int(self.model.codec_model.get_encoded_length(torch.tensor(n_samples)))

    # ---- prefill ------------------------------------------------------------------------------------
    def _clip_codes(self, piece: AudioPiece) -> torch.Tensor:
        codes = self._codes_cache.get(piece.key)
        if codes is not None:
            self._codes_cache.move_to_end(piece.key)
            return codes
        x = torch.from_numpy(piece.samples()).to(self.device, torch.float32)
        codec = self.model.codec_model
        codes = codec.encode(x[None, None], num_quantizers=self.num_codebooks).audio_codes[0]  # (K, T)
        if codes.shape[-1] != piece.n_frames:
            raise RuntimeError(f"codec produced {codes.shape[-1]} frames, expected {piece.n_frames}")
        self._codes_cache[piece.key] = codes
        while len(self._codes_cache) > self.settings.context_cache_entries:
            self._codes_cache.popitem(last=False)
        return codes

    @torch.inference_mode()
    def prompt_embeddings(self, prompt: Prompt) -> torch.Tensor:
        """(1, L, H) input embeddings, as `_merge_input_ids_with_input_values` would build them."""
        m = self.model
        parts = []
        for piece in prompt.pieces:
            if isinstance(piece, AudioPiece):
                if piece.n_frames > 0:
                    codes = self._clip_codes(piece)
                    parts.append(m.backbone_model.embed_tokens(codes.T[None]))
                parts.append(m.backbone_model.embed_tokens(self.audio_eos_frame))
            else:
                ids = torch.tensor([piece], device=self.device, dtype=torch.long)
                parts.append(m.embed_text_tokens(ids))
        return torch.cat(parts, dim=1)

    @torch.inference_mode()
    def prefill(self, prompt: Prompt) -> tuple[DynamicCache, torch.Tensor, int]:
        """Run the backbone over the prompt; return (cache, last hidden (1, H), prompt length)."""
        embeds = self.prompt_embeddings(prompt).to(self.model.dtype)
        length = int(embeds.shape[1])
        cache = DynamicCache()
        out = self.model.backbone_model(
            inputs_embeds=embeds,
            position_ids=torch.arange(length, device=self.device)[None],
            past_key_values=cache,
            use_cache=True,
        )
        return cache, out.last_hidden_state[:, -1], length

    # ---- one frame for every row ------------------------------------------------------------------------
    @torch.inference_mode()
    def step(self, state: BatchState) -> torch.Tensor:
        """Sample one frame (B, K) for every row, then feed it back through the backbone."""
        m = self.model
        k = self.num_codebooks
        h = state.hidden
        counters = state.frame_index * k
        c0 = sample_tokens(m.lm_head(h), state.temperature, state.top_k, state.seeds, counters)
        codes = [c0]
        depth_cache = DynamicCache()
        out = self._depth_forward(
            input_ids=torch.stack([torch.zeros_like(c0), c0], dim=1),
            backbone_last_hidden_state=h,
            past_key_values=depth_cache,
            use_cache=True,
            logits_to_keep=1,
        )
        for i in range(1, k):
            c = sample_tokens(out.logits[:, -1], state.temperature, state.top_k, state.seeds, counters + i)
            codes.append(c)
            if i < k - 1:
                out = self._depth_forward(
                    input_ids=c[:, None], past_key_values=depth_cache, use_cache=True, logits_to_keep=1
                )
        frames = torch.stack(codes, dim=1)
        ones = torch.ones_like(state.positions)[:, None]
        state.key_mask = torch.cat([state.key_mask, ones], dim=1)
        out = self._backbone_forward(
            inputs_embeds=m.backbone_model.embed_tokens(frames[:, None, :]),
            attention_mask=state.key_mask,
            position_ids=state.positions[:, None],
            past_key_values=state.cache,
            use_cache=True,
        )
        state.hidden = out.last_hidden_state[:, -1]
        state.positions = state.positions + 1
        state.frame_index = state.frame_index + 1
        return frames

    # ---- audio --------------------------------------------------------------------------------------------
    @torch.inference_mode()
    def decode(self, windows: list[torch.Tensor]) -> list[np.ndarray]:
        """Decode (T_i, K) code windows to float audio; windows of equal length share one codec call."""
        results: list[np.ndarray | None] = [None] * len(windows)
        by_len: dict[int, list[int]] = {}
        for i, w in enumerate(windows):
            by_len.setdefault(int(w.shape[0]), []).append(i)
        for idxs in by_len.values():
            # Ids past the codec's codebook (2048..2050 in the real model) are reserved; clamp them.
            codes = torch.stack([windows[i] for i in idxs]).transpose(1, 2)
            codes = codes.clamp(0, self.codec_codebook_size - 1).to(self.device)
            audio = self.model.codec_model.decode(codes).audio_values[:, 0].float().cpu().numpy()
            for j, i in enumerate(idxs):
                results[i] = audio[j]
        return results  # type: ignore[return-value]

    def warmup(self) -> float:
        """Run prefill, a few steps and a decode once so that first requests pay no lazy-init cost."""
        t0 = time.perf_counter()
        prompt = Prompt(
            pieces=[self.text_ids(0, "Warm up.")],
            positions=0,
            max_frames=4,
            temperature=0.9,
            top_k=50,
            seed=0,
            text_chars=8,
        )
        state = BatchState()
        cache, hidden, length = self.prefill(prompt)
        state.add_row(cache, hidden, length, prompt.seed, prompt.temperature, prompt.top_k)
        frames = [self.step(state) for _ in range(4)]
        self.decode([torch.cat(frames)])
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - t0


def load_engine(settings: Settings) -> CsmEngine:
    """Load model and processor from `settings.model_path` (a local folder; no hub access)."""
    if not settings.model_path:
        raise ValueError("CSM_MODEL_PATH is not set")
    if settings.torch_threads > 0:
        torch.set_num_threads(settings.torch_threads)
    device = resolve_device(settings.device)
    dtype = resolve_dtype(settings.dtype, device)
    t0 = time.perf_counter()
    processor = AutoProcessor.from_pretrained(settings.model_path, local_files_only=True)
    model = CsmForConditionalGeneration.from_pretrained(
        settings.model_path, local_files_only=True, dtype=dtype, attn_implementation="sdpa"
    )
    model.to(device).eval()
    # vllm-omni decodes with Mimi in float32; the codec is small, so its precision costs little.
    model.codec_model.float()
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    log.info("loaded %s on %s/%s in %.1fs", settings.model_path, device, dtype, time.perf_counter() - t0)
    return CsmEngine(model, processor.tokenizer, settings, device)
