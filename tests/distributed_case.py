"""The model and batch shared by the distributed test and its worker processes."""

import numpy as np

from codecorr_jax.models import ModelConfig

CFG = ModelConfig(vocab_size=128, hidden_size=32, intermediate_size=64, num_layers=2,
                  num_heads=4, num_kv_heads=2, head_dim=8)
SEED = 7


def batch() -> np.ndarray:
    return np.random.default_rng(SEED).integers(0, CFG.vocab_size, (4, 12)).astype(np.int32)
