"""The study regime's own config check (the registry's validate hook, regimes/__init__.py):
the study section and, through config validation, every cell's config, so a bad cell fails
before the first run, not hours in."""

from __future__ import annotations

from typing import Any

import ml_collections

from codecorr_jax import config as config_lib
from codecorr_jax.config import ConfigError, check_choice
from codecorr_jax.study.cells import cell_config
from codecorr_jax.study.grids import GRIDS
from codecorr_jax.study.objectives import OBJECTIVES
from codecorr_jax.tasks.registry import COMPOSITE_FAMILIES, TARGET_SUITES


def validate_study(config: ml_collections.ConfigDict) -> None:
    """The study section, then every cell's config (a bad cell fails now, not hours in)."""

    if "study" not in config:
        raise ConfigError("regime 'study' needs config.study (start from configs/study.py)")
    study = config.study
    seeds = list(study.seeds)
    if not seeds or len(set(seeds)) != len(seeds) or not all(isinstance(s, int) for s in seeds):
        raise ConfigError(f"config.study.seeds={tuple(seeds)} must be distinct integers")
    if study.parallel < 1:
        raise ConfigError(f"config.study.parallel={study.parallel} must be >= 1")
    if study.cuda_devices and len(study.cuda_devices) != study.parallel:
        raise ConfigError(f"config.study.cuda_devices has {len(study.cuda_devices)} slots for "
                          f"config.study.parallel={study.parallel}: give one per parallel run "
                          "(or none)")
    check_choice("study.grid", study.grid, tuple(GRIDS))
    if study.grid == "objectives":
        names = list(study.objectives)
        for name in names:
            check_choice("study.objectives", name, tuple(OBJECTIVES))
        if not names or len(set(names)) != len(names):
            raise ConfigError(f"config.study.objectives={tuple(names)} must be distinct names")
    else:
        _validate_findings(study, COMPOSITE_FAMILIES)
        if study.target_suite not in config.eval.suites:
            raise ConfigError(f"config.study.target_suite={study.target_suite!r} is not "
                              f"evaluated: add it to config.eval.suites={tuple(config.eval.suites)}")
        finding_2 = [c.name for c in GRIDS[study.grid].cells(study) if c.regime == "sft_then_rl"]
        check_choice("study.finding_2_cell", study.finding_2_cell, tuple(finding_2))
    for cell in GRIDS[study.grid].cells(study):
        try:
            config_lib.validate(cell_config(config, cell, seeds[0], "<shared>"))
        except (ConfigError, KeyError) as e:
            raise ConfigError(f"study cell {cell.name!r}: {e}") from e


def _validate_findings(study: ml_collections.ConfigDict, families: Any) -> None:
    if not all(isinstance(n, int) and n > 0 for n in study.composite_counts):
        raise ConfigError(f"config.study.composite_counts={tuple(study.composite_counts)} must "
                          "be positive task counts")
    prompts = tuple(study.get("atoms_first_prompts", ("same", "all")))
    if not prompts or not set(prompts) <= {"same", "all"} or len(set(prompts)) != len(prompts):
        raise ConfigError(f"config.study.atoms_first_prompts={prompts} must name distinct "
                          "prompt sets of 'same' and 'all'")
    if study.get("atoms_first_temperature", 0.0) < 0 or study.get("atoms_first_iterations", 0) < 0:
        raise ConfigError("config.study.atoms_first_temperature and atoms_first_iterations must "
                          "be >= 0 (0: as config.rl)")
    counts = tuple(study.atoms_first_counts)
    if not all(isinstance(n, int) and n >= 0 for n in counts) or len(set(counts)) != len(counts):
        raise ConfigError(f"config.study.atoms_first_counts={counts} must be distinct task "
                          "counts >= 0")
    for field in ("family", "other_rl_family"):
        if study[field] not in families:
            raise ConfigError(f"config.study.{field}={study[field]!r} is not a family; "
                              f"choose one of {list(families)}")
    if study.family == study.other_rl_family:
        raise ConfigError("config.study.other_rl_family must differ from config.study.family: "
                          "it is PPO on other prompts")
    check_choice("study.target_suite", study.target_suite, TARGET_SUITES)
    if study.min_effect < 0 or not 0 < study.handful_share <= 1:
        raise ConfigError(f"config.study.min_effect={study.min_effect} must be >= 0 and "
                          f"config.study.handful_share={study.handful_share} in (0, 1]")
