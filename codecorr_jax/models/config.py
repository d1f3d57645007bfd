"""The decoder's architecture, and its translation to and from Hugging Face `config.json`.

One frozen, hashable dataclass describes every model we run, the built-in tiny one and imported
Llama / Qwen2 checkpoints alike, so it can be a static argument of jitted functions.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Mapping

# Per-layer rematerialisation (`model.remat`): the jax.checkpoint_policies policy that decides
# what a layer keeps for its backward pass; None: no rematerialisation.
REMAT_POLICIES: dict[str, str | None] = {
    "none": None,  # every activation kept
    "full": "nothing_saveable",  # nothing kept: the layer's forward pass runs again
    "dots_saveable": "dots_saveable",  # matmul results kept: only elementwise work reruns
    "dots_with_no_batch_dims_saveable": "dots_with_no_batch_dims_saveable",
}
# The projections low-rank adapters may be put on (`model.lora_targets`), HF's module names.
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
ARCHITECTURES = {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2",
                 "Qwen3ForCausalLM": "qwen3"}
# `config.model.preset`: the built-in model ("tiny", initialised here, its base shipped or
# pretrained) or a family read from a local Hugging Face checkpoint (one per architecture).
BUILTIN_PRESET = "tiny"
MODEL_PRESETS: tuple[str, ...] = (BUILTIN_PRESET, *ARCHITECTURES.values())


def from_checkpoint(preset: str) -> bool:
    """Whether a model preset is read from a checkpoint directory (not the built-in model)."""
    return preset != BUILTIN_PRESET
DTYPES = ("float32", "bfloat16")
ROPE_SCALING_KINDS = ("linear", "llama3")


class CheckpointConfigError(ValueError):
    """A Hugging Face config that this decoder cannot represent; names the field."""


@dataclasses.dataclass(frozen=True)
class RopeScaling:
    """Rotary-frequency scaling a checkpoint may ask for (Llama 3.x `llama3`, or `linear`)."""

    kind: str  # one of ROPE_SCALING_KINDS
    factor: float
    low_freq_factor: float = 1.0  # llama3 only
    high_freq_factor: float = 4.0  # llama3 only
    original_max_position_embeddings: int = 8192  # llama3 only


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Decoder-only transformer of the Llama / Qwen2 family."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    architecture: str = "llama"  # "llama" | "qwen2" | "qwen3": decides the exported HF class
    rope_theta: float = 10000.0
    rope_scaling: RopeScaling | None = None
    rms_norm_eps: float = 1e-6
    qkv_bias: bool = False  # Qwen2 has biases on q, k, v projections
    qk_norm: bool = False  # Qwen3 RMS-normalises each head's q and k (over head_dim) before RoPE
    tie_word_embeddings: bool = False
    max_position_embeddings: int = 2048
    dtype: str = "float32"  # activations / matmul inputs
    param_dtype: str = "float32"  # stored parameters
    value_head: bool = False  # scalar head on the final hidden state (PPO critic)
    attention_impl: str = "xla"  # jax.nn.dot_product_attention implementation: "xla" | "cudnn"
    # XLA path: causal self-attention in query blocks of this many tokens, each over the keys
    # up to its end (decoder.self_attention); 0 = one dense block.
    attention_query_block: int = 128
    # Rematerialisation of each layer in the backward pass (REMAT_POLICIES): "none" keeps every
    # activation, "full" recomputes the layer, "dots_saveable" keeps matmul outputs only.
    remat: str = "none"
    # The layers' parameters stacked on a leading "layers" axis and run by one jax.lax.scan in
    # training and scoring passes: one layer is compiled, so compile time stays flat in depth.
    # Decoding with a cache runs the layers unrolled over slices of the same stack.
    scan_layers: bool = False
    # Training losses project the vocabulary this many positions at a time, each chunk
    # rematerialised, so (batch, length, vocab) logits never exist whole; 0 = all at once.
    logits_chunk: int = 0
    # Low-rank adapters (LoRA): rank 0 = off. With a rank r, each projection named in
    # lora_targets gains A (in, r) and B (r, out), B zero at the start, and computes
    # x W + (x A) B * lora_alpha / r; only A and B are trained (`trainable`).
    lora_rank: int = 0
    lora_alpha: float = 16.0
    lora_targets: tuple[str, ...] = LORA_TARGETS
    bos_token_id: int | None = None
    eos_token_id: int | None = None
    pad_token_id: int | None = None

    def __post_init__(self) -> None:
        for name in ("dtype", "param_dtype"):
            if getattr(self, name) not in DTYPES:
                raise ValueError(f"model.{name}={getattr(self, name)!r}; allowed: {DTYPES}")
        if self.num_heads % self.num_kv_heads:
            raise ValueError(
                f"model.num_heads={self.num_heads} must be a multiple of "
                f"model.num_kv_heads={self.num_kv_heads} (grouped-query attention needs it)")
        if self.head_dim % 2:
            raise ValueError(f"model.head_dim={self.head_dim} must be even for rotary embeddings")
        if self.attention_impl not in ("xla", "cudnn"):
            raise ValueError(f"model.attention_impl={self.attention_impl!r}; allowed: xla, cudnn")
        if self.remat not in REMAT_POLICIES:
            raise ValueError(f"model.remat={self.remat!r} is not one of {list(REMAT_POLICIES)}")
        if self.logits_chunk < 0:
            raise ValueError(f"model.logits_chunk={self.logits_chunk} must be >= 0 (0: off)")
        if self.lora_rank < 0 or self.lora_alpha <= 0:
            raise ValueError(f"model.lora_rank={self.lora_rank} must be >= 0 (0: off) and "
                             f"model.lora_alpha={self.lora_alpha} > 0")
        unknown = [t for t in self.lora_targets if t not in LORA_TARGETS]
        if unknown:
            raise ValueError(f"model.lora_targets has {unknown}; allowed: {list(LORA_TARGETS)}")
        if self.attention_query_block < 0:
            raise ValueError(f"model.attention_query_block={self.attention_query_block} must be "
                             ">= 0 (0 = dense attention)")

    @property
    def num_params(self) -> int:
        """Parameter count (value head included), computed from the shapes."""
        h, i, d = self.hidden_size, self.intermediate_size, self.head_dim
        attn = h * d * (self.num_heads * 2 + self.num_kv_heads * 2)
        if self.qkv_bias:
            attn += d * (self.num_heads + 2 * self.num_kv_heads)
        if self.qk_norm:
            attn += 2 * d
        layer = attn + 3 * h * i + 2 * h
        total = self.num_layers * layer + self.vocab_size * h + h
        if not self.tie_word_embeddings:
            total += self.vocab_size * h
        if self.value_head:
            total += h + 1
        return total


def _rope_from_hf(hf: dict[str, Any]) -> tuple[float, RopeScaling | None]:
    """Read rope theta and scaling from either the transformers<5 or >=5 config layout."""
    params = hf.get("rope_parameters") or {}
    scaling = hf.get("rope_scaling") or None
    theta = hf.get("rope_theta", params.get("rope_theta", 10000.0))
    if scaling is None and params.get("rope_type", "default") != "default":
        scaling = params
    if scaling is None:
        return float(theta), None
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "default":
        return float(theta), None
    if kind not in ROPE_SCALING_KINDS:
        raise CheckpointConfigError(
            f"config.json rope_scaling.rope_type={kind!r} is not supported; "
            f"supported: {ROPE_SCALING_KINDS} (or none)")
    if kind == "linear":
        return float(theta), RopeScaling("linear", float(scaling["factor"]))
    return float(theta), RopeScaling(
        "llama3",
        factor=float(scaling["factor"]),
        low_freq_factor=float(scaling["low_freq_factor"]),
        high_freq_factor=float(scaling["high_freq_factor"]),
        original_max_position_embeddings=int(scaling["original_max_position_embeddings"]),
    )


def _token_id(value: Any) -> int | None:
    if isinstance(value, list):  # some checkpoints list several EOS ids; keep the first
        return int(value[0]) if value else None
    return None if value is None else int(value)


def from_hf_dict(hf: dict[str, Any], **overrides: Any) -> ModelConfig:
    """ModelConfig from a parsed Hugging Face config.json; rejects what we cannot represent."""
    archs = hf.get("architectures") or []
    arch = next((ARCHITECTURES[a] for a in archs if a in ARCHITECTURES), None)
    if arch is None:
        raise CheckpointConfigError(
            f"config.json architectures={archs!r} is not supported; "
            f"supported: {sorted(ARCHITECTURES)}")
    act = hf.get("hidden_act", "silu")
    if act != "silu":
        raise CheckpointConfigError(f"config.json hidden_act={act!r}; only 'silu' is supported")
    if hf.get("mlp_bias"):
        raise CheckpointConfigError("config.json mlp_bias=true is not supported")
    if arch in ("qwen2", "qwen3") and hf.get("use_sliding_window"):
        raise CheckpointConfigError("config.json use_sliding_window=true is not supported")
    if arch in ("llama", "qwen3") and hf.get("attention_bias"):
        raise CheckpointConfigError(
            "config.json attention_bias=true (bias on o_proj too) is not supported")
    for field in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                  "num_attention_heads"):
        if field not in hf:
            raise CheckpointConfigError(f"config.json is missing the field {field!r}")
    theta, scaling = _rope_from_hf(hf)
    num_heads = int(hf["num_attention_heads"])
    fields = dict(
        architecture=arch,
        vocab_size=int(hf["vocab_size"]),
        hidden_size=int(hf["hidden_size"]),
        intermediate_size=int(hf["intermediate_size"]),
        num_layers=int(hf["num_hidden_layers"]),
        num_heads=num_heads,
        num_kv_heads=int(hf.get("num_key_value_heads") or num_heads),
        head_dim=int(hf.get("head_dim") or hf["hidden_size"] // num_heads),
        rope_theta=theta,
        rope_scaling=scaling,
        rms_norm_eps=float(hf.get("rms_norm_eps", 1e-6)),
        qkv_bias=arch == "qwen2",
        qk_norm=arch == "qwen3",
        tie_word_embeddings=bool(hf.get("tie_word_embeddings", False)),
        max_position_embeddings=int(hf.get("max_position_embeddings", 2048)),
        bos_token_id=_token_id(hf.get("bos_token_id")),
        eos_token_id=_token_id(hf.get("eos_token_id")),
        pad_token_id=_token_id(hf.get("pad_token_id")),
    )
    fields.update(overrides)
    return ModelConfig(**fields)


def read_hf_config(checkpoint_dir: str, **overrides: Any) -> ModelConfig:
    """ModelConfig from `<checkpoint_dir>/config.json`."""
    path = os.path.join(checkpoint_dir, "config.json")
    if not os.path.isfile(path):
        raise CheckpointConfigError(f"no config.json in checkpoint directory {checkpoint_dir!r}")
    with open(path, encoding="utf-8") as f:
        return from_hf_dict(json.load(f), **overrides)


def to_hf_dict(cfg: ModelConfig) -> dict[str, Any]:
    """Keyword arguments for transformers' LlamaConfig / Qwen2Config describing `cfg`."""
    if cfg.architecture == "llama" and cfg.qkv_bias:
        raise CheckpointConfigError(
            "a llama-architecture model with qkv_bias=True has no Hugging Face equivalent; "
            "set model.architecture='qwen2'")
    if cfg.architecture == "qwen2" and not cfg.qkv_bias:
        raise CheckpointConfigError("Qwen2 checkpoints always carry q/k/v biases; "
                                    "set model.qkv_bias=True or model.architecture='llama'")
    if cfg.qk_norm != (cfg.architecture == "qwen3") or (cfg.qk_norm and cfg.qkv_bias):
        raise CheckpointConfigError(
            f"qk_norm={cfg.qk_norm} with qkv_bias={cfg.qkv_bias} has no Hugging Face "
            f"{cfg.architecture} equivalent: only Qwen3 (no q/k/v biases) normalises q and k")
    hf: dict[str, Any] = dict(
        vocab_size=cfg.vocab_size,
        hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads,
        num_key_value_heads=cfg.num_kv_heads,
        head_dim=cfg.head_dim,
        hidden_act="silu",
        max_position_embeddings=cfg.max_position_embeddings,
        rms_norm_eps=cfg.rms_norm_eps,
        tie_word_embeddings=cfg.tie_word_embeddings,
        bos_token_id=cfg.bos_token_id,
        eos_token_id=cfg.eos_token_id,
        pad_token_id=cfg.pad_token_id,
        torch_dtype=cfg.param_dtype,
    )
    rope: dict[str, Any] = {"rope_type": "default", "rope_theta": cfg.rope_theta}
    if cfg.rope_scaling is not None:
        s = cfg.rope_scaling
        rope.update(rope_type=s.kind, factor=s.factor)
        if s.kind == "llama3":
            rope.update(low_freq_factor=s.low_freq_factor, high_freq_factor=s.high_freq_factor,
                        original_max_position_embeddings=s.original_max_position_embeddings)
    hf["rope_parameters"] = rope
    if cfg.architecture in ("llama", "qwen3"):
        hf.update(attention_bias=False)
    if cfg.architecture == "llama":
        hf.update(mlp_bias=False)
    return hf


# Fields of config.model that apply to any preset (the rest describe the built-in architecture).
RUNTIME_FIELDS = ("dtype", "param_dtype", "attention_impl", "attention_query_block", "remat",
                  "scan_layers", "logits_chunk", "lora_rank", "lora_alpha", "lora_targets")


def runtime_fields(section: Any) -> dict[str, Any]:
    """The fields of `config.model` that apply whatever the preset."""
    fields = {f: section[f] for f in RUNTIME_FIELDS}
    fields["lora_targets"] = tuple(fields["lora_targets"])
    return fields


def model_config(section: Any, value_head: bool = False) -> ModelConfig:
    """ModelConfig for `config.model` (reads config.json for checkpoint presets; no weights)."""
    runtime = runtime_fields(section)
    if from_checkpoint(section.preset):
        return read_hf_config(section.checkpoint_dir, value_head=value_head, **runtime)
    return ModelConfig(
        architecture=section.architecture, vocab_size=section.vocab_size,
        hidden_size=section.hidden_size, intermediate_size=section.intermediate_size,
        num_layers=section.num_layers, num_heads=section.num_heads,
        num_kv_heads=section.num_kv_heads, head_dim=section.head_dim,
        rope_theta=section.rope_theta, rms_norm_eps=section.rms_norm_eps,
        qkv_bias=section.architecture == "qwen2", qk_norm=section.architecture == "qwen3",
        tie_word_embeddings=section.tie_word_embeddings,
        max_position_embeddings=section.max_position_embeddings, value_head=value_head,
        **runtime)


@dataclasses.dataclass(frozen=True)
class ModelSource:
    """Where a run's model comes from, typed once from `config.model`: the built-in
    architecture (`builtin`) or a checkpoint directory, with the runtime fields that apply
    either way (dtypes, attention, remat, LoRA)."""

    checkpoint_dir: str  # "" for the built-in model
    runtime: Mapping[str, Any]
    builtin: ModelConfig | None = None

    @classmethod
    def from_section(cls, section: Any) -> "ModelSource":
        runtime = runtime_fields(section)
        if from_checkpoint(section.preset):
            return cls(str(section.checkpoint_dir), runtime)
        return cls("", runtime, model_config(section))
