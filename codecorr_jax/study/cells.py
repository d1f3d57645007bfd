"""The study's grid: which regime runs with which changes, per finding, and each cell's config.

A cell is an ordinary regime run (`sft`, `sft_then_rl` or `rl`) with a few config changes; it
runs once per seed in its own workdir, `<study>/cells/<name>/seed<k>`. Every cell of a study
shares the datasets and the base model's scores (links in its workdir), and a cell that
continues another cell's run (`sft_then_rl` on other prompts after the main SFT) links that
cell's stage directory, so the SFT it starts from is the very same run.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Mapping, Sequence

import ml_collections



@dataclasses.dataclass(frozen=True)
class Cell:
    """One regime run of the grid, for every seed.

    `changes` are config fields (dotted names) and their values; `reuses` names cells whose
    stage directories (`links`) this one starts from, so it runs after them.
    """

    name: str
    finding: int  # 1, 2 or 3: the finding its scores serve (the report's grouping)
    regime: str
    changes: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    reuses: str = ""
    links: tuple[str, ...] = ()
    about: str = ""


# The cells the findings read by name (the others are found by their finding number).
MAIN = "main"  # SFT on atoms + every composite of the family, then PPO on the same prompts
OTHER_PROMPTS = "rl_other_prompts"  # the main SFT, then PPO on another family's prompts
FROM_BASE = "rl_base"  # PPO from the base model, no SFT


def grid(section: Any) -> list[Cell]:
    """The cells of `config.study`, in the order they run (reused cells first)."""
    family = str(section.family)
    other = str(section.other_rl_family)
    cells = [
        Cell(MAIN, 2, "sft_then_rl", {},
             about=f"SFT on atoms + every {family} train composite, then PPO on its prompts"),
        Cell("sft_atoms", 1, "sft", {f"data.mixture.{family}": 0}, about="SFT on atoms only"),
        Cell("sft_composites", 1, "sft", {"data.mixture.atom": 0},
             about=f"SFT on {family} composites only"),
    ]
    for count in section.composite_counts:
        cells.append(Cell(f"sft_atoms_{count}", 1, "sft", {f"data.mixture.{family}": int(count)},
                          about=f"SFT on atoms + {count} {family} composites"))
    cells.append(Cell(OTHER_PROMPTS, 2, "sft_then_rl",
                      {"rl.mixture.atom": 0, f"rl.mixture.{family}": 0,
                       f"rl.mixture.{other}": -1},
                      reuses=MAIN, links=("sft",),
                      about=f"the main SFT, then PPO on {other} prompts instead"))
    # The atoms-first set-up (issue 36): SFT on atoms + N composites, then PPO on the same
    # prompts (rl.mixture -2: SFT's) or on every train prompt of the family (prompts only).
    # An SFT the grid already runs (atoms only, or a nested count) is reused, not run again.
    sft_of_count = {0: "sft_atoms"} | {int(n): f"sft_atoms_{n}"
                                       for n in section.composite_counts}
    # its PPO settings where they differ from config.rl's (0 = as config.rl)
    ppo = {field: value for field, value in (
        ("rl.temperature", float(section.get("atoms_first_temperature", 0.0))),
        ("rl.num_iterations", int(section.get("atoms_first_iterations", 0)))) if value}
    prompt_sets = {"same": (-2, "the same prompts"), "all": (-1, f"every {family} train prompt")}
    for count in map(int, section.atoms_first_counts):
        source = sft_of_count.get(count, "")
        for prompts in section.get("atoms_first_prompts", tuple(prompt_sets)):
            share, said = prompt_sets[prompts]
            cells.append(Cell(f"atoms_{count}_then_rl_{prompts}", 2, "sft_then_rl",
                              {f"data.mixture.{family}": count, f"rl.mixture.{family}": share,
                               **ppo},
                              reuses=source, links=("sft",) if source else (),
                              about=f"SFT on atoms + {count} {family} composites, then PPO on "
                                    + said))
    cells.append(Cell(FROM_BASE, 3, "rl",
                      {"rl.frontier_samples": int(section.rl_base_frontier_samples),
                       "rl.frontier_fraction": float(section.rl_base_frontier_fraction)},
                      about="PPO from the base model (no SFT)"))
    # SFT's over-fitting curve is the main cell's: the others evaluate only at their ends
    # (~3 minutes a run saved on 2 cores).
    return [cell if cell.name == MAIN else
            dataclasses.replace(cell, changes={**cell.changes, "eval.every_steps": 0})
            for cell in cells]


def same_prompt_cells(cells: Sequence[Cell]) -> list[str]:
    """The cells whose PPO runs on the prompts their SFT trained on (finding 2's "even with the
    same training prompts"): the main cell (sft_then_rl's default) and the atoms-first cells
    whose RL mixture keeps SFT's counts (-2)."""
    return [c.name for c in cells if c.regime == "sft_then_rl" and c.name != OTHER_PROMPTS and
            all(value == -2 for field, value in c.changes.items()
                if field.startswith("rl.mixture."))]


def atoms_first(cells: Sequence[Cell]) -> list[str]:
    """The names of the atoms-first cells among `cells` (PPO after an SFT of their own)."""
    return [c.name for c in cells if c.regime == "sft_then_rl" and c.name not in
            (MAIN, OTHER_PROMPTS)]


def _set(config: ml_collections.ConfigDict, field: str, value: Any) -> None:
    *parents, leaf = field.split(".")
    node = config
    for name in parents:
        node = node[name]
    if leaf not in node:
        raise KeyError(f"a study cell changes config.{field}, which does not exist")
    node[leaf] = value


def cell_config(study_config: ml_collections.ConfigDict, cell: Cell, seed: int,
                shared_dir: str) -> ml_collections.ConfigDict:
    """The study's config with the cell's regime, seed and changes; the study section dropped
    (a cell is an ordinary run). Datasets (and a base pretrained here, with its tokenizer) are
    the study's, in `shared_dir` unless the config names other directories."""
    config = ml_collections.ConfigDict(json.loads(study_config.to_json()))
    del config["study"]
    config.regime = cell.regime
    config.seed = int(seed)
    def shared(given: str, name: str) -> str:  # absolute: the cells run from the repository
        return os.path.abspath(given or os.path.join(shared_dir, name))

    config.data.dataset_dir = shared(config.data.dataset_dir, "datasets")
    if config.model.checkpoint_dir:
        config.model.checkpoint_dir = os.path.abspath(config.model.checkpoint_dir)
    if config.pretrain.source == "train":
        config.data.tokenizer_dir = shared(config.data.tokenizer_dir, "tokenizer")
        config.pretrain.base_dir = shared(config.pretrain.base_dir, "base")
    for field, value in cell.changes.items():
        _set(config, field, value)
    return config
