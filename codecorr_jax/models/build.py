"""Build the configured model on a mesh: the built-in preset, or a Hugging Face checkpoint."""

from __future__ import annotations

from typing import Any

import jax

from codecorr_jax.models import sharding
from codecorr_jax.models.config import from_checkpoint, model_config, runtime_fields
from codecorr_jax.models.decoder import Decoder, create_sharded
from codecorr_jax.models.hf_checkpoint import load_hf_checkpoint

def build_model(section: Any, mesh: jax.sharding.Mesh, seed: int = 0,
                value_head: bool = False) -> Decoder:
    """The configured model, sharded on `mesh`: random init for `tiny`, else the checkpoint."""
    if not from_checkpoint(section.preset):
        return create_sharded(model_config(section, value_head), mesh, seed=seed)
    return load_hf_checkpoint(section.checkpoint_dir, mesh, sharding.DEFAULT_RULES,
                              value_head=value_head, **runtime_fields(section))
