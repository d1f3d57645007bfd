"""The training mixture: which train-split tasks of which families an SFT run sees, how often.

`config.data.mixture` maps a family to a task count (-1 = its whole train split, 0 = none,
n = the first n after a seeded shuffle) and `config.data.repeats` to the copies of that family
per epoch. The study's ablations (atoms only, composites only, atoms + N composites) are changes
of these two mappings. The seeded shuffle does not depend on the count, so with one seed the
tasks of "N composites" are a prefix of those of "M > N composites": ablations nest.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

from codecorr_jax.data import sources
from codecorr_jax.tasks.registry import FAMILIES, did_you_mean
from codecorr_jax.synth.render import atom_step_record

MIXTURE_FIELD = "config.data.mixture"
REPEATS_FIELD = "config.data.repeats"
ATOM_STEP_FIELD = "config.data.atom_step_repeats"


def derive_seed(seed: int, *keys: Any) -> int:
    """A 31-bit seed fixed by (seed, keys): independent streams per family / epoch, stable
    across processes and library versions (unlike Python's salted `hash`)."""
    text = "/".join(str(k) for k in (seed, *keys))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little") >> 1


def order_seed(data_seed: int, run_seed: int) -> int:
    """The seed of a run's data order: `config.seed` reshuffles the data as it reinitialises
    the model and resamples, while `config.data.seed` alone fixes which tasks are chosen
    (so the seeds of one study cell train on the same tasks)."""
    return derive_seed(data_seed, "order", run_seed)


def _items(mapping: Mapping[str, Any] | Any) -> list[tuple[str, Any]]:
    """Key/value pairs of a dict or an ml_collections ConfigDict."""
    return list(mapping.items())


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_mixture(mixture: Mapping[str, int], repeats: Mapping[str, int]) -> None:
    """Refuse unknown families, counts below -1 and repeats below 1, naming the config field."""
    for field, mapping in ((MIXTURE_FIELD, mixture), (REPEATS_FIELD, repeats)):
        for family, value in _items(mapping):
            if family not in FAMILIES:
                raise ValueError(f"{field}.{family}: unknown family{did_you_mean(family, FAMILIES)}"
                                 f"; families are {list(FAMILIES)}")
            if field == MIXTURE_FIELD and not (_is_int(value) and value >= -1):
                raise ValueError(f"{field}.{family}={value!r} must be an int: -1 (all of its "
                                 "train split), 0 (none) or a task count")
            if field == REPEATS_FIELD and not (_is_int(value) and value >= 1):
                raise ValueError(f"{field}.{family}={value!r} must be an int >= 1 (leave a "
                                 f"family out with {MIXTURE_FIELD}.{family}=0)")
    if all(count == 0 for _, count in _items(mixture)):
        raise ValueError(f"{MIXTURE_FIELD} selects no tasks: every count is 0")


def load_mixture(tfds_dir: str, mixture: Mapping[str, int], repeats: Mapping[str, int],
                 seed: int) -> list[dict[str, Any]]:
    """The task records of one epoch of the mixture, families in `FAMILIES` order.

    Each family with a nonzero count reads its train split from the TFDS copy in `tfds_dir`;
    -1 keeps every task in stored order, n keeps the first n after a shuffle seeded by
    (seed, family). The family's list is then repeated `repeats[family]` times (default 1).
    """
    check_mixture(mixture, repeats)
    counts = dict(_items(mixture))
    copies = dict(_items(repeats))
    records: list[dict[str, Any]] = []
    for family in FAMILIES:
        count = counts.get(family, 0)
        if count == 0:
            continue
        if count == -1:
            dataset = sources.task_dataset(family, "train", tfds_dir)
            count = len(dataset)
        else:
            dataset = sources.task_dataset(family, "train", tfds_dir,
                                           shuffle_seed=derive_seed(seed, "mixture", family))
            if count > len(dataset):
                raise ValueError(f"{MIXTURE_FIELD}.{family}={count} but the {family} train "
                                 f"split has only {len(dataset)} tasks (use -1 for all)")
        chosen = [dataset[i] for i in range(count)]
        records.extend(chosen * copies.get(family, 1))
    return records


def atom_steps(records: list[dict[str, Any]], copies: int,
               style: str = "docstring") -> list[dict[str, Any]]:
    """`copies` one-step-composite renderings (synth.render.atom_step_record) of each distinct
    atom task in `records`, in first-seen order: the augmentation that shows SFT an atom's
    description followed by its name. Only atoms the mixture selected are rendered, so an
    ablation without atoms stays without them."""
    if not (_is_int(copies) and copies >= 0):
        raise ValueError(f"{ATOM_STEP_FIELD}={copies!r} must be an int >= 0 (0 = off)")
    distinct = {r["task_id"]: r for r in records if r["family"] == "atom"}
    rendered = [atom_step_record(r, style) for r in distinct.values()]
    return rendered * copies
