"""The dataset build: determinism, zero contamination, every test passing its own reference."""

from __future__ import annotations

import os

import pytest

from codecorr_jax.execution import Executor, ExecutorConfig, Program, Verdict
from codecorr_jax.canonical import canonical_json
from codecorr_jax.synth import build, render, splits
from codecorr_jax.synth.mutants import score_tasks
from codecorr_jax.synth.__main__ import main

SMALL = {"size_a": 24, "size_b": 18, "size_c": 18, "batch_size": 64}


def _files(out_dir):
    found = {}
    for root, _, names in os.walk(out_dir):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, out_dir)] = f.read()
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("synth") / "a")
    result = build.build(SMALL, out, reuse=False)
    records = [r for family in ("atom", *splits.FAMILIES) for split in splits.SPLITS
               if os.path.exists(build.jsonl_path(out, family, split))
               for r in build.read_jsonl(build.jsonl_path(out, family, split))]
    return result, records


def test_sizes_and_schema(built):
    result, records = built
    # a third of each family is its test split, plus half as many deeper tests and half as many
    # unseen-atom tests on top
    assert result.sizes == {"atom/train": 100, "composite_A/train": 16, "composite_A/test": 16,
                            "composite_B/train": 12, "composite_B/test": 12,
                            "composite_C/train": 12, "composite_C/test": 12}
    ids = [r["task_id"] for r in records]
    assert len(set(ids)) == len(ids)
    for r in records:
        assert list(r) == ["task_id", "family", "split", "entry_point", "prompt", "solution",
                           "tests", "heldback_tests", "atoms", "fingerprint"]
        assert r["task_id"].startswith(r["family"] + "/")
        assert len(r["tests"]) >= 10
        if r["family"] != "atom":
            assert 2 <= len(r["atoms"]) <= (3 if r["split"] == "train" else 4)
            assert f"def {r['entry_point']}(" in r["prompt"]


def test_every_test_passes_its_reference_in_the_executor(built):
    _, records = built
    with Executor(ExecutorConfig(test_timeout_s=2.0, program_timeout_s=10.0)) as ex:
        programs = [Program(r["solution"], r["entry_point"], r["tests"] + r["heldback_tests"])
                    for r in records]
        # docstring prompt + completion is the whole program as well
        programs += [Program(r["prompt"] + render.completion(r), r["entry_point"], r["tests"])
                     for r in records if r["family"] != "atom"]
        results = ex.score(programs)
    failed = [(p.entry_point, r.verdict, r.message) for p, r in zip(programs, results)
              if r.verdict is not Verdict.PASS]
    assert not failed


def test_no_composite_can_be_gamed_by_a_constant_or_a_mutant(built):
    """Counted from the files, and scored with the executor's own judge: no output fills more
    than half a composite's tests, and its tests kill >= 95% of its reference's mutants."""
    result, records = built
    composites = [r for r in records if r["family"] != "atom"]
    for r in composites:
        outputs = [canonical_json(t["expected"]) for t in r["tests"]]
        assert 2 * max(outputs.count(o) for o in outputs) <= len(outputs), r["task_id"]
        # the held-back tests: other inputs, at most 6, no output on more than half of them
        held = [canonical_json(t["expected"]) for t in r["heldback_tests"]]
        assert len(held) <= 6 and all(2 * held.count(o) <= len(held) for o in held)
        assert not {canonical_json(t["args"]) for t in r["heldback_tests"]} & \
            {canonical_json(t["args"]) for t in r["tests"]}
    assert sum(len(r["heldback_tests"]) == 6 for r in composites) > 0.9 * len(composites)
    with Executor(ExecutorConfig(test_timeout_s=2.0)) as ex:
        scores = score_tasks([r for r in composites if r["family"] == "composite_A"], ex)
    assert min(s.score for s in scores) >= 0.95
    adequacy = build.manifest(result.out_dir)["test_adequacy"]
    assert adequacy["composite_A"]["tasks"] == 32
    assert all(family["under_threshold_after"] == 0 for family in adequacy.values())
    assert "mutation scores of the tests" in build.summary(result)


def test_zero_contamination_checked_independently(built):
    result, records = built
    assert splits.violations(result.report) == []
    meta = build.manifest(result.out_dir)
    heldout = {tuple(p) for p in meta["heldout_pairs"]}
    train = [r for r in records if r["split"] == "train"]
    test = [r for r in records if r["split"] == "test"]
    assert test and heldout
    train_chains = {tuple(r["atoms"]) for r in train}
    train_prints = {r["fingerprint"] for r in train}
    train_grams = set()
    for r in train:
        if r["family"] != "atom":
            train_grams |= splits.ngrams(render.entry_body_of(r["solution"], r["entry_point"]),
                                         10)
    for r in test:
        assert tuple(r["atoms"]) not in train_chains
        assert r["fingerprint"] not in train_prints
        assert not splits.ngrams(render.entry_body_of(r["solution"], r["entry_point"]), 10) \
            & train_grams
    # chains (no wide shapes here): consecutive atoms are the adjacent pairs
    for r in train:
        assert not set(zip(r["atoms"], r["atoms"][1:])) & heldout, r["task_id"]
    by_id = {r["task_id"]: r for r in test}
    assert meta["target_test_ids"]
    for task_id in meta["target_test_ids"]:
        assert set(zip(by_id[task_id]["atoms"], by_id[task_id]["atoms"][1:])) & heldout
    # families share no function
    prints = [r["fingerprint"] for r in records]
    assert len(set(prints)) == len(prints)


def test_deeper_tests_are_longer_than_every_train_chain(built):
    result, records = built
    meta = build.manifest(result.out_dir)
    deep = set(meta["deep_test_ids"])
    assert len(deep) == 4 + 3 + 3 and not deep & set(meta["target_test_ids"])
    assert not deep & set(meta["unseen_atom_test_ids"])
    by_id = {r["task_id"]: r for r in records}
    longest_train = max(len(r["atoms"]) for r in records
                        if r["split"] == "train" and r["family"] != "atom")
    assert longest_train == 3
    for task_id in deep:
        assert by_id[task_id]["split"] == "test" and len(by_id[task_id]["atoms"]) == 4
    others = [r for r in records if r["split"] == "test" and r["task_id"] not in deep]
    assert others and all(len(r["atoms"]) <= 3 for r in others)
    # the report counts a deeper test that is not deeper, and a train chain too long
    shallow = next(r for r in records if r["split"] == "test" and r["task_id"] not in deep)
    long_train = {**by_id[sorted(deep)[0]], "task_id": "composite_A/999998", "split": "train"}
    report = splits.contamination_report(records + [long_train], meta["heldout_pairs"],
                                         meta["target_test_ids"], 10,
                                         [*deep, shallow["task_id"]], 3)
    assert report["depth"] == {"deep_tests_not_longer_than_train": len(deep) + 1,
                               "train_tasks_longer_than_max_chain": 1}
    assert any(v.startswith("depth.") for v in splits.violations(report))


def test_heldout_atoms_are_only_in_the_unseen_atom_tests(built):
    result, records = built
    meta = build.manifest(result.out_dir)
    held = set(meta["heldout_atoms"])
    unseen = set(meta["unseen_atom_test_ids"])
    # 10% of the composable atoms; 4 + 3 + 3 unseen-atom tests (half of each test split)
    assert len(held) == 10 and held <= {r["atoms"][0] for r in records if r["family"] == "atom"}
    assert len(unseen) == 4 + 3 + 3
    for r in records:
        if r["family"] == "atom":
            continue
        holds = bool(held & set(r["atoms"]))
        assert holds == (r["task_id"] in unseen), r["task_id"]
        if holds:
            assert r["split"] == "test" and len(r["atoms"]) <= 3
    # held-out pairs are drawn among the other atoms' pairs, so the target suite keeps its size
    assert not {a for pair in meta["heldout_pairs"] for a in pair} & held
    assert result.report["unseen_atoms"] == {
        "atoms": 10, "train_tasks_with_heldout_atom": 0, "other_tests_with_heldout_atom": 0,
        "unseen_atom_tests_without_heldout_atom": 0}
    assert result.report["informational"]["unseen_atom_tests"] == 10
    # the report counts a train composite and an in-domain test holding a held-out atom, and an
    # unseen-atom test holding none
    holder = next(r for r in records if r["task_id"] in unseen)
    plain = next(r for r in records if r["split"] == "test" and r["family"] != "atom"
                 and r["task_id"] not in unseen)
    planted = records + [{**holder, "task_id": "composite_A/999990", "split": "train"},
                         {**holder, "task_id": "composite_A/999991"}]
    report = splits.contamination_report(
        planted, meta["heldout_pairs"], meta["target_test_ids"], 10, meta["deep_test_ids"], 3,
        meta["heldout_atoms"], [*unseen, plain["task_id"]])
    assert report["unseen_atoms"] == {
        "atoms": 10, "train_tasks_with_heldout_atom": 1, "other_tests_with_heldout_atom": 1,
        "unseen_atom_tests_without_heldout_atom": 1}
    assert [v for v in splits.violations(report) if v.startswith("unseen_atoms.")] == [
        "unseen_atoms.train_tasks_with_heldout_atom=1",
        "unseen_atoms.other_tests_with_heldout_atom=1",
        "unseen_atoms.unseen_atom_tests_without_heldout_atom=1"]


def test_no_heldout_atoms_keeps_the_other_splits_as_they_were(tmp_path):
    """heldout_atom_fraction=0 (and no unseen-atom tests) draws the held-out pairs and fills
    the slots exactly as the build did before held-out atoms existed."""
    from codecorr_jax import atoms
    from codecorr_jax.atoms.graph import build_graph

    graph = build_graph(atoms.all_atoms())
    assert splits.heldout_atoms(graph, 0.0, 0) == frozenset()
    edges = sorted((a, b) for a, cs in graph.consumers.items() for b in cs)
    import random
    expected = frozenset(random.Random("synth/0/heldout_pairs").sample(
        edges, round(0.1 * len(edges))))
    assert splits.heldout_pairs(graph, 0.1, 0) == expected
    held = splits.heldout_atoms(graph, 0.1, 0)
    assert held == splits.heldout_atoms(graph, 0.1, 0) != splits.heldout_atoms(graph, 0.1, 1)
    plain = build.build({**SMALL, "heldout_atom_fraction": 0.0, "unseen_atom_test_fraction": 0.0},
                        str(tmp_path / "plain"), reuse=False)
    meta = build.manifest(plain.out_dir)
    assert meta["heldout_atoms"] == [] and meta["unseen_atom_test_ids"] == []
    assert plain.report["unseen_atoms"] == {}
    assert plain.sizes["composite_A/test"] == 12
    with pytest.raises(build.BuildError, match="heldout_atom_fraction"):
        build.build({**SMALL, "heldout_atom_fraction": 0.0}, str(tmp_path / "bad"),
                    reuse=False)


def test_report_catches_planted_contamination(built):
    result, records = built
    meta = build.manifest(result.out_dir)
    leaked = next(r for r in records if r["split"] == "train" and r["family"] == "composite_B"
                  and splits.ngrams(render.entry_body_of(r["solution"], r["entry_point"]), 10))
    planted = records + [{**leaked, "task_id": "composite_A/999999", "family": "composite_A",
                          "split": "test"}]
    report = splits.contamination_report(planted, meta["heldout_pairs"],
                                         meta["target_test_ids"], 10)
    assert report["test_vs_train"] == {"chain": 1, "fingerprint": 1, "solution_text": 1,
                                       "prompt_text": 1, "entry_ngrams": 1}
    assert report["between_families"] == {"chain": 1, "fingerprint": 1}
    assert splits.violations(report)


def test_same_config_is_byte_identical_and_seed_changes_it(built, tmp_path):
    result, _ = built
    again = build.build(SMALL, str(tmp_path / "b"), reuse=False)
    assert _files(result.out_dir) == _files(again.out_dir)
    other = build.build({**SMALL, "seed": 1}, str(tmp_path / "c"), reuse=False)
    a, c = _files(result.out_dir), _files(other.out_dir)
    assert a["composite_A/train.jsonl"] != c["composite_A/train.jsonl"]
    assert a["atom/train.jsonl"] == c["atom/train.jsonl"]


def test_wording_changes_only_the_text_of_the_same_composites(built, tmp_path):
    result, records = built
    worded = build.build({**SMALL, "name_steps": True, "documented_helpers": True},
                         str(tmp_path / "w"), reuse=False)
    assert worded.config_hash != result.config_hash
    again = [r for family in splits.FAMILIES for split in splits.SPLITS
             for r in build.read_jsonl(build.jsonl_path(worded.out_dir, family, split))]
    plain = [r for r in records if r["family"] != "atom"]
    same = ("task_id", "entry_point", "tests", "atoms", "fingerprint")
    assert [[r[k] for k in same] for r in again] == [[r[k] for k in same] for r in plain]
    for r in again:
        flat = " ".join(r["prompt"].split())
        for j, atom in enumerate(r["atoms"]):
            assert f"Step {j + 1}, {atom} (" in flat
            assert f'def {atom}(' in r["solution"]
        assert r["solution"].count('"""') == 2 * len(r["atoms"])
    with Executor(ExecutorConfig(test_timeout_s=2.0, program_timeout_s=10.0)) as ex:
        results = ex.score([Program(r["prompt"] + render.completion(r), r["entry_point"],
                                    r["tests"]) for r in again])
    assert all(r.verdict is Verdict.PASS for r in results)


def test_build_is_reused_when_the_config_matches(built):
    result, _ = built
    assert build.build(SMALL, result.out_dir).reused
    assert not build.build({**SMALL, "size_a": 0}, result.out_dir, reuse=True).reused


def test_impossible_config_names_the_fields(tmp_path):
    with pytest.raises(build.BuildError, match="synth.min_tests"):
        build.build({**SMALL, "min_tests": 20}, str(tmp_path))


def test_command_prints_sizes_and_report(tmp_path, capsys):
    code = main(["--out", str(tmp_path / "cli"), "--sizes", "6,3,3", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert "composite_A/train" in out and "test_vs_train" in out and "contamination: none" in out


def test_settings_are_typed_once_and_unknown_fields_named(tmp_path):
    from codecorr_jax.config import base_config
    from codecorr_jax.synth.config import SynthConfig

    assert SynthConfig().as_dict() == base_config("datasets").synth.to_dict()
    typed = SynthConfig.from_fields({"size_b": 7, "seed": 3})
    assert (typed.size("composite_B"), typed.seed, typed.size_a) == (7, 3, 1200)
    with pytest.raises(build.BuildError, match=r"unknown synth field\(s\) \['size_d'\]"):
        build.build({"size_d": 5}, str(tmp_path))
