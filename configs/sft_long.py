"""Regime `sft`, the long CPU run: `configs/sft.py` for twice the steps (~9 minutes of SFT).

    python launch/main.py --config=configs/sft_long.py --workdir=runs/long

The same data and optimizer as the default, 4480 steps of one row (~7 epochs) instead of 2240.
Measured from the version-2 base shipped before (BENCHMARKS.md, "RL that learns"), 3 seeds:
held-out composites 0.647 in-domain and 0.688 target-domain (the default, seed 0: 0.515 /
0.62), but PPO after it has less to learn from. PPO from it reuses the finished SFT run when
given the same steps:

    python launch/main.py --config=configs/sft_then_rl.py --workdir=runs/long \\
        --config.sft.num_steps=4480
"""

from codecorr_jax.config import sibling_config


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft", model_preset)
    config.sft.num_steps *= 2
    config.eval.every_steps = config.sft.num_steps // 2
    return config
