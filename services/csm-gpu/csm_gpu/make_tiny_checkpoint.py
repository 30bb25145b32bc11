"""Write a tiny, randomly initialised CSM checkpoint that loads like the real one.

The real weights (sesame/csm-1b) are gated, so tests and smoke runs use this instead. The output folder has
the same kind of files as the real checkpoint (config.json, model.safetensors, generation_config.json,
tokenizer and processor files), so the service loads it through the same `from_pretrained` calls
(`CSM_MODEL_PATH=OUT_DIR`).

Shapes follow the tiny test config of transformers' tests/models/csm/test_modeling_csm.py, adjusted so that
text plus context audio work end to end: the Mimi codec keeps the real strides (1920 samples = 80 ms per
frame at 24 kHz) with tiny channel counts, its quantizer count equals CSM's `num_codebooks`, and the codebook
vocabulary is the codec's codebook size plus 3 reserved ids, as 2048 + 3 = 2051 in the real model.

Usage: `python -m csm_gpu.make_tiny_checkpoint OUT_DIR [--seed N] [--max-positions N]`
"""

from __future__ import annotations

import argparse
from pathlib import Path

# The chat template of the converted checkpoint (transformers convert_csm.py / test_processing_csm.py):
# every turn renders as {bos}[speaker]text{eos}, followed by <|AUDIO|><|audio_eos|> when it carries audio.
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if not (message['role'] | string).isdigit() %}"
    "{{- raise_exception('The role must be an integer or a convertible type to an integer.') }}"
    "{%- endif %}"
    "{{- bos_token }}{{- '[' + message['role'] | string + ']' }}"
    "{%- for content in message['content'] %}"
    "{%- if content['type'] == 'text' %}{{- content['text'] }}{%- endif %}"
    "{%- endfor %}"
    "{{- eos_token }}"
    "{%- for content in message['content'] %}"
    "{%- if content['type'] == 'audio' %}{{- '<|AUDIO|><|audio_eos|>' }}{%- endif %}"
    "{%- endfor %}"
    "{%- endfor %}"
)

SPECIAL_TOKENS = ["<|begin_of_text|>", "<|end_of_text|>", "<|AUDIO|>", "<|audio_eos|>"]

# A few sentences so that byte-level BPE learns some merges; any text still encodes (byte fallback).
_CORPUS = [
    "[0]Hello, thanks for calling. How can I help you today?",
    "[1]I would like to order a large pizza with mushrooms, please.",
    "[0]Sure. Would you like anything to drink with that?",
    "[1]No thank you, that's all. How long will it take?",
    "[0]About twenty minutes. Can I have your address and phone number?",
    "The quick brown fox jumps over the lazy dog 0123456789.",
]

NUM_CODEBOOKS = 8
CODEBOOK_SIZE = 64
RESERVED_CODES = 3  # like 2048..2050 in the real model


def build_tokenizer(vocab_size: int = 384):
    """Train a byte-level BPE tokenizer offline and wrap it as a `PreTrainedTokenizerFast`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|begin_of_text|>",
        eos_token="<|end_of_text|>",
        pad_token="<|AUDIO|>",  # the real checkpoint pads with the audio token id (128002) too
        model_input_names=["input_ids", "attention_mask"],
    )


def tiny_config(tokenizer, max_positions: int = 256):
    """Return a tiny `CsmConfig` whose special ids match `tokenizer`."""
    from transformers import CsmConfig

    vocab = CODEBOOK_SIZE + RESERVED_CODES
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    return CsmConfig(
        num_codebooks=NUM_CODEBOOKS,
        vocab_size=vocab,
        text_vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        bos_token_id=ids["<|begin_of_text|>"],
        eos_token_id=None,
        pad_token_id=ids["<|AUDIO|>"],
        audio_token_id=ids["<|AUDIO|>"],
        audio_eos_token_id=ids["<|audio_eos|>"],
        codebook_pad_token_id=vocab - 1,
        codebook_eos_token_id=0,
        depth_decoder_config={
            "num_codebooks": NUM_CODEBOOKS,
            "backbone_hidden_size": 64,
            "vocab_size": vocab,
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": NUM_CODEBOOKS + 1,
        },
        codec_config={
            "model_type": "mimi",
            "sampling_rate": 24000,
            "audio_channels": 1,
            "hidden_size": 32,
            "num_filters": 4,
            "num_residual_layers": 1,
            "upsampling_ratios": [8, 6, 5, 4],
            "codebook_size": CODEBOOK_SIZE,
            "codebook_dim": 32,
            "vector_quantization_hidden_dimension": 32,
            "num_quantizers": NUM_CODEBOOKS,
            "num_semantic_quantizers": 1,
            "upsample_groups": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "num_key_value_heads": 2,
            "intermediate_size": 64,
            "sliding_window": 250,
            "use_cache": False,
        },
    )


def write_tiny_checkpoint(out_dir: str | Path, seed: int = 0, max_positions: int = 256) -> Path:
    """Create the checkpoint folder and return its path."""
    import torch
    from transformers import CsmForConditionalGeneration, CsmProcessor, EncodecFeatureExtractor

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    tokenizer = build_tokenizer()
    config = tiny_config(tokenizer, max_positions=max_positions)
    model = CsmForConditionalGeneration(config).eval()
    # Mimi's initialiser zeroes every codebook (`embed_sum`), which would decode all codes to the same
    # audio; random centroids make the decoded audio depend on the codes, so tests can tell them apart.
    with torch.no_grad():
        for name, buf in model.codec_model.named_buffers():
            if name.endswith("codebook.embed_sum"):
                buf.normal_(0.0, 1.0)
        # Scale the last decoder conv so that decoded audio peaks near 0.5 instead of clipping.
        codes = torch.randint(0, CODEBOOK_SIZE, (1, NUM_CODEBOOKS, 25))
        peak = float(model.codec_model.decode(codes).audio_values.abs().max())
        last = model.codec_model.decoder.layers[-1].conv
        last.weight.mul_(0.5 / peak)
        last.bias.mul_(0.5 / peak)
    # Same defaults as the converted real checkpoint (convert_csm.py): 10 s cap, top-k 50, temperature 0.9.
    model.generation_config.max_new_tokens = 125
    model.generation_config.do_sample = True
    model.generation_config.top_k = 50
    model.generation_config.temperature = 0.9
    model.save_pretrained(out)
    processor = CsmProcessor(
        feature_extractor=EncodecFeatureExtractor(feature_size=1, sampling_rate=24000),
        tokenizer=tokenizer,
        chat_template=CHAT_TEMPLATE,
    )
    processor.save_pretrained(out)
    return out


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-positions", type=int, default=256)
    args = parser.parse_args(argv)
    out = write_tiny_checkpoint(args.out_dir, seed=args.seed, max_positions=args.max_positions)
    print(f"wrote tiny CSM checkpoint to {out}")


if __name__ == "__main__":
    main()
