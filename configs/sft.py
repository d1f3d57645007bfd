"""Regime `sft`: fine-tune the base model on Atom_base + every Composite_A training task, evaluate.

    python launch/main.py --config=configs/sft.py --workdir=runs/study

On a 2-core CPU from nothing (datasets, the shipped base's scores, SFT, evaluation) in ~10
minutes with the tiny model (BENCHMARKS.md, "RL that moves held-out composites (issue 36)",
version-10 base, 3 seeds): atom pass@1 0.99, held-out composites 0.542 in-domain, 0.488 with a
held-out pair, 0.055 with a held-out atom and 0.003 deeper (the base model: 0).
The study's ablations are a change of the mixture, e.g. atoms only:
`--config.data.mixture.composite_A=0`; atoms + 50 composites:
`--config.data.mixture.composite_A=50`; every composite family:
`--config.data.mixture.composite_B=-1 --config.data.mixture.composite_C=-1`.
"""

from codecorr_jax.config import base_config
from codecorr_jax.models.config import from_checkpoint


def get_config(model_preset: str = "tiny"):
    config = base_config("sft", model_preset or "tiny")
    # The atoms four times per epoch and every Composite_A training task once.
    config.data.mixture.composite_A = -1
    config.data.repeats.atom = 4
    # Each atom also as a one-step composite (description, then the call): the only examples
    # where an atom's name follows its description, as in a composite's steps.
    config.data.atom_step_repeats = 2
    if not from_checkpoint(config.model.preset):
        tiny_sft(config)
    else:
        checkpoint_sft(config)
    # Evaluate on the family trained on: its held-out test split, in-domain and target-domain.
    config.eval.composite_families = ("composite_A",)
    config.eval.every_steps = config.sft.num_steps // 2
    config.eval.periodic_max_tasks = 32
    # 95% of reference completions are under ~310 tokens (deeper ones ~400); an untrained model
    # runs to the limit.
    config.eval.max_new_tokens = 512
    return config


def checkpoint_sft(config) -> None:
    """A pretrained 0.5B-7B code model (qwen2 / llama presets): settings to start from.

    Full fine-tuning at 1e-5 (the usual rate for models of this size), 32 rows a step in 4
    micro-batches of 8 (a 7B model with per-layer rematerialisation fits a micro-batch of 8
    rows of 768 tokens per 80 GB device once FSDP shards its parameters and optimizer state),
    40 steps: about 3 epochs of the ~1,000 training examples at a code model's tokenizer. Not
    measured at this scale in the project yet (BUILD_NOTES.md, "Real models").
    """
    config.sft.learning_rate = 1e-5
    config.sft.warmup_steps = 4
    config.sft.batch_size = 32
    config.sft.grad_accum_steps = 4
    config.sft.num_steps = 40


def tiny_sft(config) -> None:
    """Optimizer settings for the tiny model on a 2-core CPU (~4.5 minutes of SFT).

    One packed row of 768 tokens (~2 examples) a step, ~3.8 epochs. Measured (BENCHMARKS.md): the
    same tokens in more, smaller steps learn composites far sooner (rows a step 8 -> 1: held-out
    step names right 9% -> 47% in the same time), and at one row a step the peak learning rate
    decides whether whole composites pass (in-domain pass@1 at 3e-3: 0.03, 2e-3: 0.18, 1e-3:
    0.20). Twice the steps (~7 epochs) pass more held-out composites (seed 0: 0.63 / 0.685
    against 0.515 / 0.62) but leave a policy that samples almost only passes on its training
    prompts (86% at temperature 0.6), so PPO after it has little to learn from (+0.055 /
    +0.035 against +0.095 / +0.05 after this SFT, seed 0), and the main job runs over 25 minutes.
    """
    config.sft.batch_size = 1
    config.sft.learning_rate = 1e-3
    config.sft.num_steps = 2240
