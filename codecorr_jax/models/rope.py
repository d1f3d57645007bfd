"""Rotary position embeddings, with the frequency scalings Llama-family checkpoints use."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from codecorr_jax.models.config import RopeScaling


def inverse_frequencies(head_dim: int, theta: float,
                        scaling: RopeScaling | None = None) -> np.ndarray:
    """Per-pair rotation frequencies (head_dim // 2,), float32, with optional scaling applied.

    `linear` divides every frequency by `factor` (position interpolation). `llama3` leaves high
    frequencies alone, divides low frequencies by `factor`, and interpolates smoothly between
    (the Llama 3.1 recipe).
    """
    inv = 1.0 / (theta ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    if scaling is None:
        return inv.astype(np.float32)
    if scaling.kind == "linear":
        return (inv / scaling.factor).astype(np.float32)
    old_len = scaling.original_max_position_embeddings
    low_wavelen = old_len / scaling.low_freq_factor
    high_wavelen = old_len / scaling.high_freq_factor
    wavelen = 2 * np.pi / inv
    scaled = np.where(wavelen > low_wavelen, inv / scaling.factor, inv)
    smooth = (old_len / wavelen - scaling.low_freq_factor) / (
        scaling.high_freq_factor - scaling.low_freq_factor)
    smoothed = (1 - smooth) * scaled / scaling.factor + smooth * scaled
    medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
    return np.where(medium, smoothed, scaled).astype(np.float32)


def apply_rope(x: jax.Array, positions: jax.Array, inv_freq: np.ndarray) -> jax.Array:
    """Rotate `x` (batch, length, heads, head_dim) by `positions` (batch, length).

    Uses the half-split layout of Hugging Face checkpoints: dimension i pairs with i + head_dim/2.
    Angles are computed in float32 whatever the compute dtype.
    """
    angles = positions.astype(jnp.float32)[..., None] * jnp.asarray(inv_freq)  # (B, T, D/2)
    cos = jnp.cos(angles)[:, :, None, :].astype(x.dtype)
    sin = jnp.sin(angles)[:, :, None, :].astype(x.dtype)
    first, second = jnp.split(x, 2, axis=-1)
    return jnp.concatenate([first * cos - second * sin, second * cos + first * sin], axis=-1)
