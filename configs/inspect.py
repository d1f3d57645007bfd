"""Regime `inspect`: load the model on the mesh, report memory and speed, optionally export.

    python launch/main.py --config=configs/inspect.py --workdir=runs/inspect
    python launch/main.py --config=configs/inspect.py:qwen2 \
        --config.model.checkpoint_dir=/path/to/Qwen2.5-Coder-0.5B --config.mesh.tensor=2
"""

from codecorr_jax.config import base_config


def get_config(model_preset: str = "tiny"):
    return base_config("inspect", model_preset or "tiny")
