"""Build the configured model on a mesh: the built-in preset, or a Hugging Face checkpoint."""

from __future__ import annotations

import dataclasses

import jax

from codecorr_jax.models import sharding
from codecorr_jax.models.config import ModelSource
from codecorr_jax.models.decoder import Decoder, create_sharded
from codecorr_jax.models.hf_checkpoint import load_hf_checkpoint


def build_model(source: ModelSource, mesh: jax.sharding.Mesh, seed: int = 0,
                value_head: bool = False) -> Decoder:
    """The model `source` names, sharded on `mesh`: a random init of the built-in
    architecture, else the checkpoint's weights."""
    if source.builtin is not None:
        return create_sharded(dataclasses.replace(source.builtin, value_head=value_head), mesh,
                              seed=seed)
    return load_hf_checkpoint(source.checkpoint_dir, mesh, sharding.DEFAULT_RULES,
                              value_head=value_head, **source.runtime)
