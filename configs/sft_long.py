"""Regime `sft`, the long CPU run: where held-out composites start to pass (~20 minutes).

    python launch/main.py --config=configs/sft_long.py --workdir=runs/long

`configs/sft.py` fits the 15-minute budget and memorises the atoms, but its model names only
9% of a held-out composite's atoms right: atom tasks show an atom's name before its
description, composites need the reverse, and the one-step atom composites that show it
(`data.atom_step_repeats`) are learned only with more steps. This run trains 880 steps instead
of 560. Measured on 2 CPU cores (BENCHMARKS.md): atom pass@1 1.00, step names right 40% / 37%
(in-domain / target), composite in-domain pass@1 0.04, target 0.00.

PPO from it reuses the finished SFT run when given the same data and steps:

    python launch/main.py --config=configs/sft_then_rl.py --workdir=runs/long \\
        --config.sft.num_steps=880
"""

from codecorr_jax.config import sibling_config


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft", model_preset)
    config.sft.num_steps = 880
    config.eval.every_steps = 440
    return config
