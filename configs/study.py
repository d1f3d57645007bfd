"""Regime `study`: the paper's three findings from one command, over seeds, with verdicts.

    python launch/main.py --config=configs/study.py --workdir=runs/study        # CPU micro-scale
    python launch/main.py --config=configs/study.py:smoke --workdir=runs/smoke  # the pipeline, ~3 min
    python launch/main.py --config=configs/study.py:qwen2 --workdir=runs/study_qwen \
        --config.model.checkpoint_dir=/models/Qwen2.5-Coder-0.5B         # a real code model

Cells (codecorr_jax/study/cells.py), each an ordinary `sft`, `sft_then_rl` or `rl` run from
this file's settings (those of configs/sft.py and configs/rl.py) for every seed:
- finding 1: SFT on atoms only, on composites only, on atoms + N composites (nested N) and on
  atoms + all composites (the main cell's SFT);
- finding 2: PPO after the main SFT on the same prompts (the main cell) and on another
  family's prompts; atoms first: SFT on atoms + N composites (`atoms_first_counts`), then PPO
  on the same prompts and on every train prompt of the family;
- finding 3: PPO from the base; SFT's over-fitting curve (periodic evaluation of the train-task
  suite beside the held-out ones) and each regime's train / held-out gap.
The report: `<workdir>/study/report.md`. A killed study run again continues where it stopped.
Any field can be changed for every cell: `--config.rl.num_iterations=20`.
"""

import ml_collections

from codecorr_jax.config import sibling_config


REAL_MODELS = ("qwen2", "qwen3", "llama")  # checkpoint presets (BUILD_NOTES.md, "Real models")
PRESETS = ("cpu", "smoke", *REAL_MODELS)


def get_config(preset: str = "cpu"):
    if preset not in PRESETS:
        raise ValueError(f"configs/study.py preset {preset!r}: choose one of {', '.join(PRESETS)}")
    model = preset if preset in REAL_MODELS else "tiny"
    config = sibling_config(__file__, "sft_then_rl", model)  # sft.py's data + rl.py's PPO
    from_base = sibling_config(__file__, "rl", model).rl
    config.regime = "study"
    config.study = ml_collections.ConfigDict(dict(
        grid="findings",  # codecorr_jax/study/grids.py
        seeds=(0, 1, 2),
        parallel=1,  # runs at a time: one on a CPU; one per device (group) on a GPU node
        # CUDA_VISIBLE_DEVICES of each parallel slot, e.g. ("0", "1", ..., "7") for a cell a GPU
        # or ("0,1,2,3", "4,5,6,7") for two cells of four; () = every run sees every device.
        cuda_devices=(),
        family="composite_A",  # the composite family SFT trains on (and PPO, in the main cell)
        composite_counts=(8, 32, 128),  # finding 1: atoms + N composites, nested (+ all)
        other_rl_family="composite_B",  # finding 2: PPO on prompts of another family
        # finding 2, atoms first: SFT on atoms + N composites, then PPO on the same prompts and
        # on every train prompt of the family (issue 36; an SFT of composite_counts is reused)
        # N = 128 by default: at 100 PPO iterations each atoms-first cell costs ~34 min a seed
        # on 2 cores; the full set-up is --config.study.atoms_first_counts=(0,32,128)
        atoms_first_counts=(128,),
        atoms_first_prompts=("same", "all"),
        # their PPO where it differs from config.rl's (0: as config.rl): sampled at T = 1.0 for
        # 100 iterations, the set-up measured over 3 seeds (BENCHMARKS.md, "The atoms-first
        # set-up at T = 1.0": held-out pairs +0.127 [+0.077, +0.183] over SFT)
        atoms_first_temperature=1.0,
        atoms_first_iterations=100,
        # The verdict rule, fixed before the run (codecorr_jax/study/findings.py): a claimed
        # difference is reproduced when its paired 95% CI lies above 0 and its mean is at least
        # min_effect, not reproduced when the CI lies below min_effect, else inconclusive.
        min_effect=0.05,
        # The target domain whose difference decides findings 1-3 (eval.suites.TARGET_SUITES;
        # every target suite evaluated is reported), and the cell whose "SFT then RL - SFT"
        # decides finding 2 (main, or an atoms-first cell such as atoms_128_then_rl_all).
        # Finding 2's cell, chosen by those measurements: after the main SFT (atoms + every
        # composite) the held-out pairs are no harder than in-domain and PPO moves nothing;
        # after SFT on atoms + 128 composites they are harder, and PPO on every train prompt
        # lifts them.
        target_suite="composite_target",
        finding_2_cell="atoms_128_then_rl_all",
        handful_share=0.8,  # "a handful suffice": the fewest N reaching this share of all
        # PPO from the base (finding 3) draws from its frontier as configs/rl.py does; the
        # cells after SFT do not (configs/sft_then_rl.py).
        rl_base_frontier_samples=from_base.frontier_samples,
        rl_base_frontier_fraction=from_base.frontier_fraction,
    ))
    # The train-task suite beside the held-out ones (over-fitting), and SFT's curve: four
    # periodic evaluations of 64 tasks a suite, in the main cell only (study/cells.py).
    config.eval.suites = ("atom", "composite_in_domain", "composite_target", "composite_deep",
                          "composite_unseen_atom", "composite_train")
    config.eval.every_steps = config.sft.num_steps // 4
    if preset == "smoke":
        smoke(config)
    if model != "tiny":
        real_model(config)
    return config


def real_model(config) -> None:
    """A pretrained code model from a local checkpoint on GPUs / TPUs (BUILD_NOTES.md, "Real
    models"): configs/sft.py's and configs/rl.py's checkpoint settings, plus HumanEval and
    sampled pass@k, where a real model's differences show (the nearest relative finds RL's
    advantage growing with k). One cell at a time: each takes every device of the host."""
    config.eval.suites = (*config.eval.suites, "humaneval")
    config.eval.num_samples, config.eval.ks = 16, (1, 4, 16)
    config.eval.temperature = 1.0
    config.eval.periodic_max_tasks = 64


def smoke(config) -> None:
    """The whole pipeline on a toy grid: 2 seeds, 2 runs at once, few steps, 4 tasks a suite."""
    config.study.seeds, config.study.parallel = (0, 1), 2
    config.study.cuda_devices = ("", "")  # two device slots (none on a CPU: empty lists)
    # cells the toy grid leaves out (each an ordinary sft / sft_then_rl run like those it
    # keeps; tests/test_study.py checks the full grid's cells)
    config.study.composite_counts = ()
    config.study.atoms_first_counts = ()
    config.study.finding_2_cell = "main"
    config.sft.num_steps, config.sft.batch_size, config.sft.warmup_steps = 12, 8, 2
    config.eval.every_steps = 0  # no curve: the final scores are what the report needs
    config.eval.suites = ("composite_in_domain", "composite_target", "composite_train")
    config.eval.max_tasks, config.eval.max_new_tokens, config.eval.batch_size = 4, 16, 8
    config.rl.num_iterations, config.rl.prompts_per_iteration = 2, 4
    config.rl.samples_per_prompt, config.rl.minibatch_size = 2, 8
    config.rl.max_new_tokens, config.rl.max_sampling_rounds = 16, 1
    config.study.rl_base_frontier_samples = 2
    config.logging.progress_bar = False
