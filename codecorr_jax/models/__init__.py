"""The decoder, its sharding rules and Hugging Face checkpoint conversion."""

from codecorr_jax.models.config import ModelConfig, RopeScaling
from codecorr_jax.models.decoder import Decoder, DecoderOutput, abstract_decoder, create_sharded

__all__ = ["ModelConfig", "RopeScaling", "Decoder", "DecoderOutput", "abstract_decoder",
           "create_sharded"]
