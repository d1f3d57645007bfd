"""Regime `rl`: PPO from the base model ("RL from scratch" in the study), then evaluate.

    python launch/main.py --config=configs/rl.py --workdir=runs/study

Reuses the datasets and the base's scores of the same workdir; the base is the shipped one
(`codecorr_jax/assets/tiny_base`). The prompts, data and evaluation settings are
`configs/sft.py`'s, so the regimes are comparable; the report (`<workdir>/rl/report.md`)
compares the base with the RL policy on every suite. PPO draws most of its prompts from the
base's frontier (`from_base_frontier`). Measured (BENCHMARKS.md, "A base model that can
code"): from the version-8 base, atom pass@1 rises by +0.023 over 3 seeds (t interval [+0.009,
+0.038]); held-out composites stay at 0, as the base passes none.
"""

from codecorr_jax.config import sibling_config
from codecorr_jax.models.config import from_checkpoint


def get_config(model_preset: str = "tiny"):
    config = sibling_config(__file__, "sft", model_preset)
    config.regime = "rl"
    if not from_checkpoint(config.model.preset):
        tiny_ppo(config)
        from_base_frontier(config)
    else:
        checkpoint_ppo(config)
    return config


def from_base_frontier(config) -> None:
    """RL from the tiny base draws most prompts from those it can learn on.

    The base passes a few atoms now and then and no composite: of the 900 SFT prompts, nearly
    every group of 8 samples fails whole, so PPO drawing them uniformly trained 3-5 groups in
    30 iterations (BENCHMARKS.md, "Corpus version 8"). Before PPO the base samples each prompt
    8 times at the PPO temperature (~3 minutes on the 2-core CPU); three quarters of each
    iteration's prompts come from those where some but not all samples pass, the offline
    pass-rate filter of DAPO-style recipes. The prompts are still the SFT prompts; the rest
    are drawn as before, so a prompt that becomes learnable later can still be found.
    """
    config.rl.frontier_samples = 8
    config.rl.frontier_fraction = 0.75


def checkpoint_ppo(config) -> None:
    """PPO for a pretrained 0.5B-7B code model (qwen2 / llama presets): settings to start from.

    Those of the nearest relative with code (STUDY_NOTES.md: Llama-3.1-8B, GRPO/DAPO-style):
    no critic (no second model of that size in memory), 16 samples a prompt at temperature 1,
    learning rate 1e-6, no KL penalty, token-level loss, all-pass / all-fail groups replaced by
    fresh prompts. 32 prompts an iteration (512 programs for the executor), 4 updates of 128
    samples; the old log-probabilities are recomputed, as sampler and trainer differ in
    bfloat16. Not measured at this scale in the project yet (BUILD_NOTES.md, "Real models").
    """
    config.rl.update(dict(
        estimator="grpo", learning_rate=1e-6, num_iterations=100, prompts_per_iteration=32,
        samples_per_prompt=16, minibatch_size=128, ppo_epochs=1, loss_agg="token_mean",
        temperature=1.0, max_new_tokens=512, kl_coef=0.0, filter_groups=True,
        max_sampling_rounds=3, old_logprobs="recompute", checkpoint_every=10))
    config.executor.reward = "binary"


def tiny_ppo(config) -> None:
    """PPO settings for the tiny model on a 2-core CPU (critic-free, DAPO-style sampling).

    GRPO (no critic: half the update's cost), one epoch, the sampler's own log-probabilities
    (no extra forward pass) and no KL penalty (no reference pass), as the nearest relative with
    code does (STUDY_NOTES.md). Groups of 8 samples a prompt; groups whose samples all pass or
    all fail carry no group-relative signal and are replaced by fresh prompts (up to 3
    sampling rounds). The binary reward: a pass is what is measured.

    Temperature 0.6 and learning rate 1e-4, measured on one SFT model (BENCHMARKS.md, "RL that
    learns"): the SFT policy is nearly deterministic (0.05 nats a token), so at temperature 1
    most of a sample's deviations are harmless noise that the advantage rewards or punishes
    alike; at 1e-4 or 2e-4 the policy then drifts (entropy up, train pass rate 0.33 -> 0.19 at
    2e-4), at 5e-5 it gains +0.06 / +0.05 held-out pass@1. At 0.6 the samples stay near the
    greedy path and differ where the model is unsure (which helper to define, when to stop):
    +0.085 / +0.065 at 1e-4.
    """
    config.rl.update(dict(
        estimator="grpo", learning_rate=1e-4, num_iterations=30, prompts_per_iteration=8,
        samples_per_prompt=8, minibatch_size=32, ppo_epochs=1,
        max_new_tokens=384,  # 95% of train completions are under ~310 tokens
        temperature=0.6, kl_coef=0.0, filter_groups=True, max_sampling_rounds=3,
        old_logprobs="sampler", checkpoint_every=5))
    config.executor.reward = "binary"
