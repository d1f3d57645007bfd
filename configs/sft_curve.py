"""SFT's over-fitting curve: the main job's SFT run for three times its steps, train and
held-out pass@1 measured at 10 points (issue 36: where does held-out pass@1 peak?).

    python launch/main.py --config=configs/sft_curve.py --workdir=runs/sft_curve --config.seed=0
    python -m codecorr_jax.eval.curves runs/sft_curve --stage sft --out runs/sft_curve/curve

The data, learning rate and warm-up are `configs/sft.py`'s; three times the steps (~11 epochs
of the mixture) and a learning rate that decays over them. Periodic evaluations score the same
100 tasks of each suite every 672 steps; the report (`curve.md`) marks each suite's peak.
"""

from codecorr_jax.config import sibling_config

SUITES = ("composite_train", "composite_in_domain", "composite_target", "composite_deep",
          "composite_unseen_atom")


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft", model_preset)
    config.sft.num_steps *= 3
    config.eval.every_steps = config.sft.num_steps // 10
    config.eval.suites = SUITES
    config.eval.periodic_max_tasks = 100
    return config
