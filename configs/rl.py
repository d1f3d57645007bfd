"""Regime `rl`: PPO from the base model ("RL from scratch" in the study), then evaluate.

    python launch/main.py --config=configs/rl.py --workdir=runs/study

Reuses the datasets, the tokenizer, the base and its scores of the same workdir. The prompts,
data and evaluation settings are `configs/sft.py`'s, so the regimes are comparable; the report
(`<workdir>/rl/report.md`) compares the base with the RL policy on every suite.
"""

from codecorr_jax.config import sibling_config


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft", model_preset)
    config.regime = "rl"
    if config.model.preset == "tiny":
        tiny_ppo(config)
    return config


def tiny_ppo(config) -> None:
    """PPO settings for the tiny model on a 2-core CPU (~6 minutes of PPO).

    The tiny model learns at SFT-like rates (few, noisy parameters), so the learning rates are
    far above a 7B model's 1e-6..1e-5; at 1e-4 the policy drifted ~20 nats from the SFT model
    and lost 9 points of atom pass@1, at 3e-5 with a KL coefficient of 0.05 it keeps them
    (BENCHMARKS.md). Temperature 0.7 lets a fifth of the samples pass, so updates see both
    outcomes. The graded reward (CodeRL's) gives signal before any program passes: a program
    that runs beats one that does not parse.
    """
    rl = config.rl
    rl.learning_rate = 3e-5
    rl.critic_learning_rate = 1e-3
    rl.num_iterations = 10
    rl.prompts_per_iteration = 8
    rl.samples_per_prompt = 4
    rl.minibatch_size = 16
    rl.ppo_epochs = 2
    rl.max_new_tokens = 320
    rl.temperature = 0.7
    rl.kl_coef = 0.05
    rl.checkpoint_every = 4
    config.executor.reward = "graded"
