"""codecorr_jax: SFT and PPO for code LLMs in JAX/Flax, built to study how the two interact."""

__version__ = "0.1.0"
