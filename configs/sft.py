"""Regime `sft`: fine-tune the base model on Atom_base + Composite_A, evaluate every suite.

    python launch/main.py --config=configs/sft.py --workdir=runs/study

On a 2-core CPU from nothing (datasets, tokenizer, base model, SFT, evaluation) in under 15
minutes with the tiny model. The study's ablations are a change of the mixture, e.g. atoms only:
`--config.data.mixture.composite_A=0`; atoms + 50 composites: `--config.data.mixture.composite_A=50`.
"""

from codecorr_jax.config import base_config


def get_config(model_preset: str = "tiny"):
    return base_config("sft", model_preset or "tiny")
