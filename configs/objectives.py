"""The RL objectives compared on the micro-world (a `study` grid): per seed one SFT run, then
PPO from it with each objective of `study.objectives` (codecorr_jax/study/objectives.py).

    python launch/main.py --config=configs/objectives.py --workdir=runs/objectives

The report, `<workdir>/study/report.md`, gives each objective's held-out pass@1 gain over the
shared SFT (paired over seeds and tasks, 95% intervals) beside its samples a minute and PPO
minutes. Each objective is configs/rl.py's PPO with its paper's changes; the first in the list
also runs the SFT. A killed comparison run again continues where it stopped.
"""

from codecorr_jax.config import sibling_config


def get_config(preset: str = "cpu"):
    if preset not in ("cpu", "smoke"):
        raise ValueError(f"configs/objectives.py preset {preset!r}: choose cpu or smoke")
    config = sibling_config(__file__, "study", preset)  # the study's data, SFT, PPO, eval
    config.study.grid = "objectives"
    config.study.objectives = ("grpo", "ppo_gae", "drgrpo", "dapo", "reinforce_pp")
    config.eval.suites = ("composite_in_domain", "composite_target", "composite_deep")
    config.eval.every_steps = 0  # the final scores are what the comparison reads
    if preset == "smoke":
        config.study.objectives = ("grpo", "drgrpo")
    return config
