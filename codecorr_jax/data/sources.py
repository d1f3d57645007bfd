"""Reading the task datasets back: TFDS data sources and a grain pipeline of task dicts.

`data_source(family, split, data_dir)` is a random-access source of raw examples (text as bytes);
`decode` turns one into the task record dict; `task_dataset` is a grain MapDataset of task dicts,
optionally shuffled with a seed (tokenization lives elsewhere).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import grain
import tensorflow_datasets as tfds

from codecorr_jax.atoms.render import TASK_FIELDS
from codecorr_jax.data.tfds_builder import JSON_FIELDS, NAME, TEXT_FIELDS
from codecorr_jax.tasks.registry import FAMILIES


def data_source(family: str, split: str, data_dir: str) -> Any:
    """Random-access source of `family`'s `split`, read through `tfds.data_source`."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; families are {FAMILIES}")
    return tfds.data_source(f"{NAME}/{family.lower()}", split=split, data_dir=data_dir,
                            download=False)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def decode(example: Mapping[str, Any]) -> dict[str, Any]:
    """A raw example (bytes) as the task record dict, fields in the record's order."""
    record = {f: _text(example[f]) for f in TEXT_FIELDS}
    record.update({f: json.loads(_text(example[f])) for f in JSON_FIELDS})
    return {f: record[f] for f in TASK_FIELDS}


def task_dataset(family: str, split: str, data_dir: str,
                 shuffle_seed: int | None = None) -> grain.MapDataset:
    """grain MapDataset of task dicts; shuffled with `shuffle_seed` when given."""
    dataset = grain.MapDataset.source(data_source(family, split, data_dir))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(seed=shuffle_seed)
    return dataset.map(decode)
