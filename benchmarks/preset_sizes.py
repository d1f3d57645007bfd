"""The training state per device of the code models researchers bring, by arithmetic.

    python benchmarks/preset_sizes.py

For each family and size (architecture fields as in its Hugging Face config.json) and each
setup of BUILD_NOTES.md ("Presets for real models"): the parameter count (`ModelConfig.
num_params`, checked against transformers in the tests) and the bytes each device holds for
full fine-tuning (bfloat16 weights, AdamW's two bfloat16 moments, a bfloat16 gradient: 8 bytes a
parameter, split by FSDP over `mesh.fsdp`) and for LoRA rank 16 on every projection (the frozen
weights split the same way, adapters and their optimizer state beside them). Activations are
left out: they depend on the batch, `model.remat` and `model.logits_chunk`, and `inspect`
measures them on the device itself (`codecorr_jax/train/memory.py`).
"""

from __future__ import annotations

from codecorr_jax.models.config import LORA_TARGETS, ModelConfig

GIB = 2**30

# name -> (architecture, vocab, hidden, intermediate, layers, heads, kv heads, head_dim, tied)
PRESETS = {
    "Qwen2.5-Coder-0.5B": ("qwen2", 151936, 896, 4864, 24, 14, 2, 64, True),
    "Qwen2.5-Coder-1.5B": ("qwen2", 151936, 1536, 8960, 28, 12, 2, 128, True),
    "Qwen2.5-Coder-7B": ("qwen2", 152064, 3584, 18944, 28, 28, 4, 128, False),
    "DeepSeek-Coder-1.3B": ("llama", 32256, 2048, 5504, 24, 16, 16, 128, False),
    "DeepSeek-Coder-6.7B": ("llama", 32256, 4096, 11008, 32, 32, 32, 128, False),
    "Qwen3-0.6B": ("qwen3", 151936, 1024, 3072, 28, 16, 8, 128, True),
    "Qwen3-1.7B": ("qwen3", 151936, 2048, 6144, 28, 16, 8, 128, True),
    "Qwen3-4B": ("qwen3", 151936, 2560, 9728, 36, 32, 8, 128, True),
    "Qwen3-8B": ("qwen3", 151936, 4096, 12288, 36, 32, 8, 128, False),
}
# setup -> devices the weights are split over (mesh.fsdp); each setup's device memory
SETUPS = {"1 GPU (80 GB)": 1, "8 GPUs, fsdp=8": 8, "TPU v5e-16, fsdp=16 (16 GB a chip)": 16}
LORA_RANK = 16


def config(name: str) -> ModelConfig:
    arch, vocab, hidden, inter, layers, heads, kv, head_dim, tied = PRESETS[name]
    return ModelConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=inter,
                       num_layers=layers, num_heads=heads, num_kv_heads=kv, head_dim=head_dim,
                       architecture=arch, qkv_bias=arch == "qwen2", qk_norm=arch == "qwen3",
                       tie_word_embeddings=tied, lora_rank=LORA_RANK)


def lora_params(cfg: ModelConfig) -> int:
    """Adapter parameters: r x (in + out) for each targeted projection of each layer."""
    h, i, q, kv = (cfg.hidden_size, cfg.intermediate_size, cfg.num_heads * cfg.head_dim,
                   cfg.num_kv_heads * cfg.head_dim)
    shapes = {"q_proj": (h, q), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (q, h),
              "gate_proj": (h, i), "up_proj": (h, i), "down_proj": (i, h)}
    return cfg.num_layers * sum(cfg.lora_rank * sum(shapes[t]) for t in LORA_TARGETS)


def main() -> None:
    print("| model | parameters | " + " | ".join(
        f"{s}: full FT / LoRA r{LORA_RANK}, GiB a device" for s in SETUPS) + " |")
    print("|---|---|" + "---|" * len(SETUPS))
    for name in PRESETS:
        cfg = config(name)
        n, adapters = cfg.num_params, lora_params(cfg)
        cells = []
        for devices in SETUPS.values():
            full = 8 * n / devices / GIB
            lora = (2 * n + 8 * adapters) / devices / GIB
            cells.append(f"{full:.1f} / {lora:.1f}")
        print(f"| {name} | {n / 1e9:.2f} B | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
