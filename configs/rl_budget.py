"""The RL budget curve: the main job's SFT, then PPO for 300 iterations with held-out pass@1
measured every 25 (issue 36: where does RL's gain stop?).

    python launch/main.py --config=configs/rl_budget.py --workdir=runs/budget --config.seed=0
    python -m codecorr_jax.eval.curves runs/budget --stage sft_then_rl --out runs/budget/curve

Everything but the RL budget and the evaluation is `configs/sft_then_rl.py`'s, so the SFT run
is the main job's (a workdir holding that finished SFT reuses it). Periodic evaluations score
the same 100 tasks of every composite suite each time; step 0 of the curve is the SFT model.
The atoms-first set-up's curve: `--config.data.mixture.composite_A=128
--config.rl.mixture.composite_A=-1 --config.rl.temperature=1.0` (SFT on atoms + 128
composites, PPO on every train prompt, sampling at T = 1.0). Measured with the shipped base
(BENCHMARKS.md, "The RL budget curve on the shipped base", seed 0): on the 100-task subsets the
held-out pairs gain +0.10 by iteration 100 and +0.17 by 300, still rising after 100, while
in-domain stops by 150; an iteration costs ~16 s on 2 CPU cores.
"""

from codecorr_jax.config import sibling_config

SUITES = ("composite_train", "composite_in_domain", "composite_target", "composite_deep",
          "composite_unseen_atom")


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft_then_rl", model_preset)
    config.rl.num_iterations = 300
    config.rl.eval_every = 25
    config.rl.checkpoint_every = 25
    config.eval.suites = SUITES
    config.eval.periodic_max_tasks = 100
    return config
