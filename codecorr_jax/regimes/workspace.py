"""Where a run's pieces live: datasets, tokenizer, base model, run directories.

One `Workspace` is made from the config at the start of a regime, so the stages
(regimes/stages.py) take typed locations instead of re-deriving paths from the config, and the
question "where does the base come from?" is answered once (`base_source`).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Literal

from codecorr_jax.models.config import from_checkpoint

# The tiny base the project ships (`pretrain.source = "shipped"`): built once with
# `configs/pretrain.py` and copied here by `launch/ship_base.py` (BENCHMARKS.md, "A base model
# that can code"), so no regime pretrains unless asked.
SHIPPED_BASE_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "assets", "tiny_base")
BASE_MANIFEST = "codecorr_base.json"  # how a tiny base was made (fields, fingerprint, training)
BASE_SCORES = "base_scores.json"  # the pretrain regime's pass@k of the base

# shipped: the project's tiny base; train: a tiny base pretrained in this workspace;
# checkpoint: a Hugging Face checkpoint (the llama / qwen2 presets), its own base.
BaseSource = Literal["shipped", "train", "checkpoint"]


@dataclasses.dataclass(frozen=True)
class Workspace:
    """The directories of one run (`workdir`) and of what it shares with others."""

    workdir: str
    dataset_dir: str  # jsonl/ and tfds/ of the synthesised datasets
    base_source: BaseSource
    base_dir: str  # the base model in Hugging Face format, with its tokenizer
    tokenizer_dir: str  # the base's own, or where a tokenizer for a base trained here is built

    @classmethod
    def from_config(cls, config: Any, workdir: str) -> "Workspace":
        if from_checkpoint(config.model.preset):
            source: BaseSource = "checkpoint"
            base = config.model.checkpoint_dir
        else:
            source = config.pretrain.source
            base = config.pretrain.base_dir or (
                SHIPPED_BASE_DIR if source == "shipped" else os.path.join(workdir, "base"))
        tokenizer = base if source != "train" else (
            config.data.tokenizer_dir or os.path.join(workdir, "tokenizer"))
        return cls(workdir=workdir,
                   dataset_dir=config.data.dataset_dir or os.path.join(workdir, "datasets"),
                   base_source=source, base_dir=base, tokenizer_dir=tokenizer)

    @property
    def jsonl_dir(self) -> str:
        return os.path.join(self.dataset_dir, "jsonl")

    @property
    def tfds_dir(self) -> str:
        return os.path.join(self.dataset_dir, "tfds")

    @property
    def base_eval_dir(self) -> str:
        """The base model's cached scores (the shipped base's own directory is read-only)."""
        return os.path.join(self.workdir, "base_eval")

    def run_dir(self, name: str) -> str:
        """A training run's directory: checkpoints, metrics, eval/, final/."""
        return os.path.join(self.workdir, name)
