"""Regime `pretrain`: the tiny base model, next-token prediction on Python source (cached).

    python launch/main.py --config=configs/pretrain.py --workdir=runs/study

Builds the datasets and the tokenizer first (the tokenizer trains on the train tasks and some
standard-library source); the base model itself only ever sees standard-library source. Other
regimes call this themselves when `<workdir>/base` is missing or stale.
"""

from codecorr_jax.config import base_config


def get_config(model_preset: str = "tiny"):
    return base_config("pretrain", model_preset or "tiny")
