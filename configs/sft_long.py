"""Regime `sft`, the long CPU run: `configs/sft.py` for twice the steps (~21 minutes).

    python launch/main.py --config=configs/sft_long.py --workdir=runs/long

The same data and optimizer as the default, 8960 steps of one row instead of 4480. Measured on
2 CPU cores on the earlier datasets (chains of 2-4 atoms, 100 held-out tasks a suite;
BENCHMARKS.md, issue 7): atom pass@1 1.00, held-out composites 0.47 in-domain and 0.43
target-domain (the default then: 0.20 / 0.16).
PPO from it reuses the finished SFT run when given the same steps:

    python launch/main.py --config=configs/sft_then_rl.py --workdir=runs/long \\
        --config.sft.num_steps=8960
"""

from codecorr_jax.config import sibling_config


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft", model_preset)
    config.sft.num_steps *= 2
    config.eval.every_steps = config.sft.num_steps // 2
    return config
