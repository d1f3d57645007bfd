"""Regime `sft_then_rl`: the `sft` regime (reused when done), then PPO from its checkpoint.

    python launch/main.py --config=configs/sft_then_rl.py --workdir=runs/study

PPO runs on the SFT prompts (the study's "same prompts"); give RL its own with
`--config.rl.mixture.<family>=N` (-2 keeps the SFT mixture's count). The report,
`<workdir>/sft_then_rl/report.md` with its plots, gives pass@1 of every suite for the base,
after SFT and after RL.
"""

from codecorr_jax.config import sibling_config


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "rl", model_preset)  # sft.py's data + rl.py's PPO
    config.regime = "sft_then_rl"
    # rl.py's frontier is RL from the base's: the SFT policy passes most of its prompts.
    config.rl.frontier_samples, config.rl.frontier_fraction = 0, 0.0
    return config
