"""Build the configured model on a mesh: the built-in preset, or a Hugging Face checkpoint."""

from __future__ import annotations

from typing import Any

import jax

from codecorr_jax.models import sharding
from codecorr_jax.models.config import ModelConfig, read_hf_config
from codecorr_jax.models.decoder import Decoder, create_sharded
from codecorr_jax.models.hf_checkpoint import load_hf_checkpoint

# Fields of config.model that apply to any preset (the rest describe the built-in architecture).
RUNTIME_FIELDS = ("dtype", "param_dtype", "attention_impl", "remat")


def model_config(section: Any, value_head: bool = False) -> ModelConfig:
    """ModelConfig for `config.model` (reads config.json for checkpoint presets; no weights)."""
    runtime = {f: section[f] for f in RUNTIME_FIELDS}
    if section.preset != "tiny":
        return read_hf_config(section.checkpoint_dir, value_head=value_head, **runtime)
    return ModelConfig(
        architecture=section.architecture, vocab_size=section.vocab_size,
        hidden_size=section.hidden_size, intermediate_size=section.intermediate_size,
        num_layers=section.num_layers, num_heads=section.num_heads,
        num_kv_heads=section.num_kv_heads, head_dim=section.head_dim,
        rope_theta=section.rope_theta, rms_norm_eps=section.rms_norm_eps,
        qkv_bias=section.architecture == "qwen2",
        tie_word_embeddings=section.tie_word_embeddings,
        max_position_embeddings=section.max_position_embeddings, value_head=value_head,
        **runtime)


def build_model(section: Any, mesh: jax.sharding.Mesh, seed: int = 0,
                value_head: bool = False) -> Decoder:
    """The configured model, sharded on `mesh`: random init for `tiny`, else the checkpoint."""
    if section.preset == "tiny":
        return create_sharded(model_config(section, value_head), mesh, seed=seed)
    runtime = {f: section[f] for f in RUNTIME_FIELDS}
    return load_hf_checkpoint(section.checkpoint_dir, mesh, sharding.DEFAULT_RULES,
                              value_head=value_head, **runtime)
