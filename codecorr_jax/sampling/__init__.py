"""Jitted generation with a KV cache."""

from codecorr_jax.sampling.sampler import SampleOutput, Sampler, SamplingConfig

__all__ = ["SampleOutput", "Sampler", "SamplingConfig"]
