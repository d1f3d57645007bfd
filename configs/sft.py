"""Regime `sft`: fine-tune the base model on Atom_base + 300 Composite_A tasks, evaluate.

    python launch/main.py --config=configs/sft.py --workdir=runs/study

On a 2-core CPU from nothing (datasets, tokenizer, base model, its scores, SFT, evaluation) in
about 13.5 minutes with the tiny model: atom pass@1 1.00, no held-out composite yet (the longer
`configs/sft_long.py` is where they start to pass). The study's ablations are a change of the
mixture, e.g. atoms only: `--config.data.mixture.composite_A=0`; atoms + 50 composites:
`--config.data.mixture.composite_A=50`; every composite family:
`--config.data.mixture.composite_B=-1 --config.data.mixture.composite_C=-1`.
"""

from codecorr_jax.config import base_config


def get_config(model_preset: str = "tiny"):
    config = base_config("sft", model_preset or "tiny")
    # "A handful of synthetic functions suffice" (the study): 300 composites and the atoms,
    # four times per epoch, ~14 epochs in the CPU budget. Measured (BENCHMARKS.md): more
    # epochs of fewer tasks beat fewer epochs of all 800 (atom pass@1 1.00 vs 0.04).
    config.data.mixture.composite_A = 300
    config.data.repeats.atom = 4
    # Each atom also as a one-step composite (description, then the call): the only examples
    # where an atom's name follows its description, as in a composite's steps.
    config.data.atom_step_repeats = 2
    config.sft.num_steps = 560
    # Evaluate on the family trained on: its held-out test split, in-domain and target-domain.
    config.eval.composite_families = ("composite_A",)
    config.eval.every_steps = 280
    config.eval.periodic_max_tasks = 32
    # 95% of reference completions are under ~350 tokens; an untrained model runs to the limit.
    config.eval.max_new_tokens = 384
    return config
