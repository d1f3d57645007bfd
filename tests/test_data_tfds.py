"""The TFDS array_record copy of a synthesis build, read back through tfds.data_source and grain."""

from __future__ import annotations

import tempfile

import pytest

from codecorr_jax.data import sources, tfds_builder
from codecorr_jax.synth import build


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    root = tmp_path_factory.mktemp("tfds")
    jsonl_dir, data_dir = str(root / "jsonl"), str(root / "tfds")
    build.build({"size_a": 8, "size_b": 5, "size_c": 5}, jsonl_dir, reuse=False)
    tfds_builder.prepare(jsonl_dir, data_dir)
    return jsonl_dir, data_dir


CASES = [("atom", "train")] + [(f, s) for f in ("composite_A", "composite_B", "composite_C")
                               for s in ("train", "test")]


@pytest.mark.parametrize("family,split", CASES)
def test_round_trip_equals_jsonl(prepared, family, split):
    jsonl_dir, data_dir = prepared
    expected = build.read_jsonl(build.jsonl_path(jsonl_dir, family, split))
    source = sources.data_source(family, split, data_dir)
    assert len(source) == len(expected) > 0
    assert isinstance(source[0]["prompt"], bytes)  # text comes back as bytes
    assert [sources.decode(source[i]) for i in range(len(source))] == expected
    dataset = sources.task_dataset(family, split, data_dir)
    assert list(dataset) == expected


def test_grain_shuffle_is_a_seeded_permutation(prepared):
    _, data_dir = prepared
    plain = [t["task_id"] for t in sources.task_dataset("atom", "train", data_dir)]
    a = [t["task_id"] for t in sources.task_dataset("atom", "train", data_dir, shuffle_seed=3)]
    b = [t["task_id"] for t in sources.task_dataset("atom", "train", data_dir, shuffle_seed=3)]
    assert a == b != plain and sorted(a) == sorted(plain)


def test_grain_iterator_state_round_trips(prepared):
    _, data_dir = prepared
    dataset = sources.task_dataset("composite_A", "train", data_dir, shuffle_seed=0)
    iterator = iter(dataset.to_iter_dataset())
    next(iterator)
    state = iterator.get_state()
    rest = [t["task_id"] for t in iterator]
    resumed = iter(dataset.to_iter_dataset())
    resumed.set_state(state)
    assert [t["task_id"] for t in resumed] == rest


def test_other_build_is_refused(prepared, tmp_path):
    _, data_dir = prepared
    other = str(tmp_path / "other")
    build.build({"size_a": 4, "size_b": 0, "size_c": 0}, other, reuse=False)
    with pytest.raises(ValueError, match="another synthesis build"):
        tfds_builder.prepare(other, data_dir)
    with pytest.raises(ValueError, match="unknown family"):
        sources.data_source("composite_D", "train", data_dir)


def test_prepare_leaves_nothing_in_the_system_temp_directory(prepared, tmp_path, monkeypatch):
    jsonl_dir, _ = prepared
    system_tmp = tmp_path / "system_tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    tfds_builder.prepare(jsonl_dir, str(tmp_path / "fresh"), families=("atom", "composite_A"))
    assert sources.task_dataset("atom", "train", str(tmp_path / "fresh"))[0]["family"] == "atom"
    assert list(system_tmp.iterdir()) == []  # tfds's empty mkdtemp("tfds") dirs are removed
