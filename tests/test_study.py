"""The study's grid, cell configs and verdict rules, on hand-made score matrices."""

from __future__ import annotations

import json
import os
import threading
import time

import numpy as np
import pytest

from codecorr_jax.config import ConfigError, sibling_config, validate
from codecorr_jax.provenance import code_commit
from codecorr_jax.study import findings
from codecorr_jax.study.cells import MAIN, cell_config, grid
from codecorr_jax.study.grids import GRIDS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDY = os.path.join(ROOT, "configs", "study.py")


def _study(preset: str = "cpu"):
    return sibling_config(STUDY, "study", preset)


def test_grid_has_every_finding_cell_and_nested_counts():
    config = _study()
    config.study.atoms_first_counts = (0, 32, 128)
    cells = {c.name: c for c in grid(config.study)}
    atoms_first = [f"atoms_{n}_then_rl_{p}" for n in (0, 32, 128) for p in ("same", "all")]
    assert list(cells) == [MAIN, "sft_atoms", "sft_composites", "sft_atoms_8", "sft_atoms_32",
                           "sft_atoms_128", "rl_other_prompts", *atoms_first, "rl_base"]
    # the main cell's SFT alone is evaluated periodically (the over-fitting curve)
    assert cells[MAIN].changes == {}
    assert cells["sft_atoms"].changes == {"data.mixture.composite_A": 0, "eval.every_steps": 0}
    assert cells["sft_composites"].changes == {"data.mixture.atom": 0, "eval.every_steps": 0}
    assert all(c.changes["eval.every_steps"] == 0 for name, c in cells.items() if name != MAIN)
    assert cells["rl_other_prompts"].reuses == MAIN and cells["rl_other_prompts"].links == ("sft",)
    assert {c.regime for c in cells.values()} == {"sft", "sft_then_rl", "rl"}


def test_atoms_first_cells_continue_the_grids_own_sft_runs(tmp_path):
    """Issue 36's set-up: SFT on atoms + N composites, then PPO on the same prompts (-2, the
    SFT mixture's) or on every train prompt; an SFT the grid runs anyway is linked, not rerun."""
    config = _study()
    config.study.atoms_first_counts = (0, 32, 64)
    cells = {c.name: c for c in grid(config.study)}
    assert (cells["atoms_0_then_rl_same"].reuses, cells["atoms_32_then_rl_all"].reuses,
            cells["atoms_64_then_rl_same"].reuses) == ("sft_atoms", "sft_atoms_32", "")
    assert cells["atoms_32_then_rl_all"].links == ("sft",)
    assert cells["atoms_64_then_rl_all"].links == ()
    same = cell_config(config, cells["atoms_32_then_rl_same"], 0, str(tmp_path))
    every = cell_config(config, cells["atoms_32_then_rl_all"], 0, str(tmp_path))
    source = cell_config(config, cells["sft_atoms_32"], 0, str(tmp_path))
    assert same.regime == "sft_then_rl" and same.rl.mixture.composite_A == -2
    assert every.rl.mixture.composite_A == -1
    # the SFT a linked cell finds is the one its source ran: the same data and SFT sections
    for cell in (same, every):
        assert cell.data == source.data and cell.sft == source.sft and cell.model == source.model
        validate(cell)
    config.study.atoms_first_counts = (32, 32)
    with pytest.raises(ConfigError, match="atoms_first_counts"):
        validate(config)


def test_cell_config_applies_changes_and_shares_directories(tmp_path):
    config = _study()
    other = next(c for c in grid(config.study) if c.name == "rl_other_prompts")
    cell = cell_config(config, other, 2, str(tmp_path))
    assert "study" not in cell and cell.regime == "sft_then_rl" and cell.seed == 2
    assert (cell.rl.mixture.atom, cell.rl.mixture.composite_A, cell.rl.mixture.composite_B) == \
        (0, 0, -1)
    assert cell.data.mixture.composite_A == -1  # its SFT is the main cell's
    assert cell.data.dataset_dir == str(tmp_path / "datasets")
    assert cell.pretrain.base_dir == ""  # the shipped base: read where it ships
    validate(cell)
    config.pretrain.source = "train"  # a base pretrained by the study: one, shared
    cell = cell_config(config, other, 0, str(tmp_path))
    assert cell.pretrain.base_dir == str(tmp_path / "base")
    assert cell.data.tokenizer_dir == str(tmp_path / "tokenizer")


def test_a_cell_config_written_before_a_field_existed_runs_with_its_default(tmp_path):
    """configs/cell.py lays the recorded config over the regime's defaults: a study started
    by older code keeps running its cells under newer code."""
    config = _study()
    config.sft.num_steps = 7  # a recorded value differing from the default wins
    cell = cell_config(config, grid(config.study)[0], 1, str(tmp_path))
    recorded = json.loads(cell.to_json())
    del recorded["model"]["scan_layers"]  # a field the older code did not have
    path = tmp_path / "cell_config.json"
    path.write_text(json.dumps(recorded))
    loaded = sibling_config(STUDY, "cell", str(path))
    assert loaded.model.scan_layers is False and loaded.sft.num_steps == 7
    assert json.loads(loaded.to_json()) == json.loads(cell.to_json())  # all else as recorded
    validate(loaded)


def test_parallel_runs_hold_distinct_device_slots(monkeypatch, tmp_path):
    """With study.cuda_devices, each running cell has a slot of its own; slots are reused."""
    from codecorr_jax.study import runner

    config = _study()
    running: dict[str, tuple] = {}
    seen = []
    lock = threading.Lock()

    def fake_run_one(study_dir, study_config, cell, seed, cells, cuda_devices=None):
        with lock:
            assert cuda_devices not in running, f"slot {cuda_devices} is already taken"
            running[cuda_devices] = (cell.name, seed)
            seen.append(cuda_devices)
        time.sleep(0.02)
        with lock:
            del running[cuda_devices]
        return runner.CellRun(cell, seed, str(tmp_path), 0.02, 0)

    monkeypatch.setattr(runner, "run_one", fake_run_one)
    cells = grid(config.study)
    runs = runner.run_all(str(tmp_path), config, cells, (0, 1), 3,
                          cuda_devices=("0", "1,2", "3"))
    assert len(runs) == len(seen) == 2 * len(cells)
    assert set(seen) == {"0", "1,2", "3"}
    with pytest.raises(ValueError, match="2 device slots for 3 parallel runs"):
        runner.run_all(str(tmp_path), config, cells, (0,), 3, cuda_devices=("0", "1"))
    config.study.parallel, config.study.cuda_devices = 3, ("0", "1")
    with pytest.raises(ConfigError, match="study.cuda_devices has 2 slots"):
        validate(config)


def test_the_first_run_not_finished_goes_alone(monkeypatch, tmp_path):
    """It builds the datasets and scores the base for the rest: when the study's first run was
    restored from records (study/records.py), the next one goes alone in its place."""
    from codecorr_jax.study import runner

    config = _study()
    cells = grid(config.study)
    done = os.path.join(runner.cell_workdir(str(tmp_path), cells[0], 0), runner.DONE)
    os.makedirs(os.path.dirname(done))
    with open(done, "w") as f:
        json.dump({"returncode": 0, "seconds": 5.0}, f)
    events, lock = [], threading.Lock()

    def fake_run_one(study_dir, study_config, cell, seed, cells, cuda_devices=None):
        with lock:
            events.append(("start", cell.name, seed))
        time.sleep(0.01)
        with lock:
            events.append(("end", cell.name, seed))
        return runner.CellRun(cell, seed, str(tmp_path), 0.01, 0)

    monkeypatch.setattr(runner, "run_one", fake_run_one)
    runner.run_all(str(tmp_path), config, cells, (0, 1), 2)
    unfinished = [e for e in events if e[1:] != (cells[0].name, 0)]
    assert unfinished[:2] == [("start", cells[0].name, 1), ("end", cells[0].name, 1)]


def test_study_config_is_validated_with_every_cell():
    config = _study()
    config.study.composite_counts = (8, 0)
    with pytest.raises(ConfigError, match="composite_counts"):
        validate(config)
    config = _study()
    config.rl.minibatch_size = 7  # every cell runs PPO or SFT from these settings
    with pytest.raises(ConfigError, match="minibatch_size"):
        validate(config)
    config = _study()
    config.study.target_suite = "composite_in_domain"  # not a target domain
    with pytest.raises(ConfigError, match=r"study\.target_suite='composite_in_domain' is not "
                                          r"allowed; choose one of \['composite_target'"):
        validate(config)
    config = _study()
    config.study.target_suite = "composite_deep"
    config.eval.suites = ("composite_in_domain", "composite_target")
    with pytest.raises(ConfigError, match="target_suite='composite_deep' is not evaluated"):
        validate(config)
    config = _study()
    config.study.finding_2_cell = "sft_atoms"  # an SFT cell has no PPO after it
    with pytest.raises(ConfigError,
                       match=r"finding_2_cell='sft_atoms'.*'atoms_128_then_rl_same'"):
        validate(config)
    config = _study()
    config.study.update(finding_2_cell="atoms_128_then_rl_all",
                        target_suite="composite_unseen_atom")
    validate(config)


def _interval(after, before):
    return findings.stats.paired_task_bootstrap(np.array(after, float), np.array(before, float))


def test_verdict_rule_on_hand_made_differences():
    tasks = 40
    better = _interval(np.ones((3, tasks)), np.zeros((3, tasks)))  # +1 everywhere
    assert (better.mean, better.low, better.high) == (1.0, 1.0, 1.0)
    assert findings.verdict(better, 0.05) == findings.REPRODUCED
    same = _interval(np.ones((3, tasks)), np.ones((3, tasks)))  # exactly 0: rules out +0.05
    assert findings.verdict(same, 0.05) == findings.NOT_REPRODUCED
    mixed = np.zeros((3, tasks))
    mixed[:, :2] = 1  # +0.05 on average, but on 2 tasks of 40: the interval reaches 0
    noisy = _interval(mixed, np.zeros((3, tasks)))
    assert noisy.mean == pytest.approx(0.05) and noisy.low == 0.0
    assert findings.verdict(noisy, 0.05) == findings.INCONCLUSIVE
    assert findings.combine([findings.REPRODUCED, findings.REPRODUCED]) == findings.REPRODUCED
    assert findings.combine([findings.REPRODUCED, findings.INCONCLUSIVE]) == \
        findings.INCONCLUSIVE
    assert findings.combine([findings.INCONCLUSIVE, findings.NOT_REPRODUCED]) == \
        findings.NOT_REPRODUCED
    assert findings.combine([]) == findings.INCONCLUSIVE


def _matrix(passes: int, tasks: int = 20, seeds: int = 3) -> np.ndarray:
    m = np.zeros((seeds, tasks))
    m[:, :passes] = 1
    return m


def test_findings_from_cell_scores():
    held = ("composite_in_domain", "composite_target")
    scores = {
        MAIN: {"SFT": {s: _matrix(10) for s in held} | {"composite_train": _matrix(18)},
               "SFT then RL": {s: _matrix(16) for s in held}},
        "sft_atoms": {"SFT": {s: _matrix(1) for s in held}},
        "sft_composites": {"SFT": {s: _matrix(4) for s in held}},
        "sft_atoms_8": {"SFT": {s: _matrix(6) for s in held}},
        "sft_atoms_32": {"SFT": {s: _matrix(9) for s in held}},
        "rl_other_prompts": {"SFT then RL": {s: _matrix(10) for s in held}},
        "rl_base": {"base": {s: _matrix(0) for s in held},
                    "RL": {s: _matrix(8) for s in held} | {"composite_train": _matrix(8)}},
    }
    one = findings.finding_1(scores, [8, 32], MAIN, 0.05, 0.8)
    assert one.verdict == findings.REPRODUCED
    assert {(c.claim, c.suite): round(c.difference.mean, 3) for c in one.comparisons}[
        ("composites added to atoms", "composite_target")] == 0.45  # (10 - 1) / 20
    assert "all composites' (0.400): 32" in one.notes[0]  # 0.8 x 0.5; 8 gives 0.3, 32 0.45
    two = findings.finding_2(scores, MAIN, "rl_other_prompts", 0.05)
    assert two.verdict == findings.REPRODUCED
    other = [c for c in two.comparisons if c.claim == "RL on other prompts"][0]
    assert other.difference.mean == 0.0 and other.verdict == findings.NOT_REPRODUCED
    assert "+0.300 against +0.300" in two.notes[0]
    three = findings.finding_3(scores, MAIN, "rl_base", 0.05)
    # SFT's gap 0.9 - 0.5 = 0.4 against RL's 0.4 - 0.4 = 0: alleviated, and RL > base
    assert "SFT's gap minus RL-from-the-base's gap (seeds, t): +0.400" in three.notes[-1]
    assert three.verdict == findings.REPRODUCED


PROMPT = 'def composed(xs: list[int]) -> int:\n    """Sum of squares."""\n'


@pytest.mark.parametrize("verdict, completion, expected", [
    ("pass", "    return 0\n", "pass"),
    ("fail", "    return 0\n", "wrong value"),  # no helper at all: not a wrong atom
    ("syntax_error", "    return (\n", "syntax error"),
    ("timeout", "    while True: pass\n", "timeout / memory"),
    # calls total_of, never defined: a missing helper, whatever the run-time error was
    ("runtime_error", "    step1 = squares(xs)\n    return total_of(step1)\n\n\n"
                      "def squares(xs):\n    return [x * x for x in xs]\n", "missing helper"),
    # every call defined, but not the task's atoms
    ("fail", "    step1 = cubes(xs)\n    return sum(step1)\n\n\n"
             "def cubes(xs):\n    return [x ** 3 for x in xs]\n", "wrong atom"),
    # the task's atoms, wired and defined: the bodies' fault
    ("fail", "    step1 = squares(xs)\n    return total(step1)\n\n\ndef squares(xs):\n"
             "    return [x * 2 for x in xs]\n\n\ndef total(xs):\n    return sum(xs)\n",
     "wrong value"),
    ("runtime_error", "    step1 = squares(xs)\n    return total(step1)\n\n\ndef squares(xs):\n"
                      "    return [x * x for x in xs]\n\n\ndef total(xs):\n    return xs[99]\n",
     "runtime error"),
])
def test_failure_taxonomy(verdict, completion, expected):
    from codecorr_jax.study.taxonomy import CLASSES, classify

    kind = classify(verdict, PROMPT + completion, "composed", ["squares", "total"])
    assert kind == expected and kind in CLASSES


def test_objectives_grid_shares_one_sft_per_seed_and_is_validated():
    from codecorr_jax.study.objectives import OBJECTIVES

    config = sibling_config(os.path.join(ROOT, "configs", "study.py"), "objectives", "cpu")
    validate(config)
    cells = {c.name: c for c in GRIDS[config.study.grid].cells(config.study)}
    assert list(cells) == ["grpo", "ppo_gae", "drgrpo", "dapo", "reinforce_pp"]
    assert cells["grpo"].reuses == "" and cells["grpo"].regime == "sft_then_rl"
    for name in ("ppo_gae", "drgrpo", "dapo", "reinforce_pp"):
        assert cells[name].reuses == "grpo" and cells[name].links == ("sft",)
        built = cell_config(config, cells[name], 0, "/shared")
        for field, value in OBJECTIVES[name].changes.items():
            section, leaf = field.split(".")
            assert built[section][leaf] == value
    config.study.objectives = ("grpo", "drgrpo", "grpo")
    with pytest.raises(ConfigError, match=r"config\.study\.objectives=.*must be distinct"):
        validate(config)
    config.study.objectives = ("grpo", "dapoo")
    with pytest.raises(ConfigError, match=r"did you mean 'dapo'"):
        validate(config)


def test_objectives_report_from_hand_made_runs(tmp_path):
    """Gains are paired against the shared SFT; cost comes from each run's PPO metrics."""
    import json

    from codecorr_jax.study.cells import Cell
    from codecorr_jax.study.objectives import compare, write_report
    from codecorr_jax.study.runner import CellRun

    sft = np.zeros((2, 40))
    after = {"grpo": np.zeros((2, 40)), "dapo": np.zeros((2, 40))}
    after["grpo"][:, :12] = 1  # +0.3 in both seeds
    after["dapo"][0, :4] = 1  # +0.05
    scores = {name: {"SFT": {"composite_target": sft}, "SFT then RL": {"composite_target": a}}
              for name, a in after.items()}
    runs = []
    for name, seconds in (("grpo", 30.0), ("dapo", 60.0)):
        for seed in (0, 1):
            run_dir = tmp_path / name / f"seed{seed}" / "sft_then_rl"
            run_dir.mkdir(parents=True)
            lines = [{"step": i, "rl/reward": 0.5, "rl/samples": 64.0,
                      "rl/seconds_iteration": seconds} for i in (1, 2)]
            (run_dir / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
            runs.append(CellRun(Cell(name, 2, "sft_then_rl"), seed, str(run_dir.parent)))
    rows = compare(scores, runs, ["grpo", "dapo", "drgrpo"])  # drgrpo unfinished: left out
    assert [r.objective for r in rows] == ["grpo", "dapo"]
    assert rows[0].gains["composite_target"].mean == pytest.approx(0.3)
    assert rows[0].gains["composite_target"].low > 0
    assert rows[1].gains["composite_target"].mean == pytest.approx(0.05)
    # 128 samples in 60 s (grpo) or 120 s (dapo) of PPO
    assert (rows[0].samples_per_minute, rows[0].ppo_minutes) == (pytest.approx(128.0), 1.0)
    assert (rows[1].samples_per_minute, rows[1].ppo_minutes) == (pytest.approx(64.0), 2.0)
    # per seed: grpo +0.3 in both; dapo 4 of 40 tasks in seed 0, none in seed 1
    assert rows[0].gains["composite_target"].per_seed == pytest.approx((0.3, 0.3))
    assert rows[1].gains["composite_target"].per_seed == pytest.approx((0.1, 0.0))
    # dapo minus grpo after PPO (same SFT): 0.05 - 0.3, tasks paired; per seed 0.1 - 0.3, -0.3
    versus = rows[1].versus_first["composite_target"]
    assert versus.mean == pytest.approx(-0.25) and versus.high < 0
    assert versus.per_seed == pytest.approx((-0.2, -0.3))
    assert rows[0].versus_first == {}  # the first objective is not compared with itself
    path = write_report(str(tmp_path), rows, seeds=[0, 1], command="cmd", machine="cpu")
    text = open(path).read()
    assert "| grpo | +0.300 [" in text and "| 128 | 1.0 |" in text and "| dapo | +0.050 [" in text
    assert "| grpo | +0.300, +0.300 |  |" in text
    assert "| dapo | +0.100, +0.000 | -0.250 [" in text


def test_taxonomy_parses_odd_literals_without_warnings():
    """A completion such as `1if x` makes Python warn when parsed; the report stays quiet."""
    import warnings

    from codecorr_jax.study.taxonomy import classify

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert classify("wrong_answer", "def f(x):\n    return 1if x else 0\n", "f", []) == \
            "wrong value"


def test_finding_2_is_decided_by_the_chosen_cell_on_the_chosen_target_suite():
    """Every target suite is compared; the configured cell's difference on the configured
    target suite decides, the atoms-first cells against their own SFT."""
    suites = ("composite_in_domain", "composite_target", "composite_unseen_atom")
    scores = {
        MAIN: {"SFT": {s: _matrix(10) for s in suites},
               "SFT then RL": {s: _matrix(10) for s in suites}},
        "rl_other_prompts": {"SFT then RL": {s: _matrix(10) for s in suites}},
        "atoms_32_then_rl_all": {
            "SFT": {s: _matrix(2) for s in suites},
            "SFT then RL": {"composite_in_domain": _matrix(4), "composite_target": _matrix(3),
                            "composite_unseen_atom": _matrix(8)}},
    }
    kept = findings.finding_2(scores, MAIN, "rl_other_prompts", 0.05)
    assert kept.verdict == findings.NOT_REPRODUCED  # the main cell gains nothing
    assert {c.suite for c in kept.comparisons} == {"composite_in_domain", "composite_target"}
    chosen = findings.finding_2(scores, MAIN, "rl_other_prompts", 0.05,
                                "composite_unseen_atom", "atoms_32_then_rl_all",
                                ["atoms_32_then_rl_all"], ("composite_target",
                                                           "composite_unseen_atom"))
    assert chosen.verdict == findings.REPRODUCED  # (8 - 2) / 20 = +0.30
    mine = {c.suite: round(c.difference.mean, 3) for c in chosen.comparisons
            if c.later == "atoms_32_then_rl_all / SFT then RL"}
    assert mine == {"composite_unseen_atom": 0.3, "composite_target": 0.05,
                    "composite_in_domain": 0.1}
    assert all(c.earlier == "atoms_32_then_rl_all / SFT" for c in chosen.comparisons
               if c.later.startswith("atoms_32"))
    assert "composite_unseen_atom" in chosen.rule and "atoms_32_then_rl_all" in chosen.rule
    assert "+0.300 against +0.100 in-domain" in chosen.notes[0]
    # "even with the same training prompts": a note on the cells whose PPO ran on SFT's prompts;
    # the verdict stays the rule's (the deciding cell's)
    same = findings.finding_2(scores, MAIN, "rl_other_prompts", 0.05, "composite_unseen_atom",
                              "atoms_32_then_rl_all", ["atoms_32_then_rl_all"],
                              ("composite_unseen_atom",), same_prompt_cells=[MAIN])
    assert same.verdict == findings.REPRODUCED
    assert same.notes[1] == ("even with the same training prompts (PPO on its SFT's prompts), "
                             "on composite_unseen_atom: main +0.000 [+0.000, +0.000] "
                             "(not reproduced)")


def test_the_same_prompt_cells_are_those_whose_ppo_keeps_sfts_prompts():
    from codecorr_jax.study.cells import same_prompt_cells

    assert same_prompt_cells(grid(_study().study)) == [MAIN, "atoms_128_then_rl_same"]


def test_atoms_first_cells_carry_their_own_ppo_settings():
    config = sibling_config(os.path.join(ROOT, "configs", "study.py"), "study")
    config.study.atoms_first_counts = (128,)
    config.study.atoms_first_prompts = ("all",)
    config.study.atoms_first_temperature = 1.0
    config.study.atoms_first_iterations = 100
    cells = {c.name: c for c in grid(config.study)}
    assert [n for n in cells if n.startswith("atoms_")] == ["atoms_128_then_rl_all"]
    assert cells["atoms_128_then_rl_all"].changes == {
        "data.mixture.composite_A": 128, "rl.mixture.composite_A": -1,
        "rl.temperature": 1.0, "rl.num_iterations": 100, "eval.every_steps": 0}
    assert "rl.temperature" not in cells[MAIN].changes  # the other cells keep config.rl's
    validate(config)
    config.study.atoms_first_prompts = ("every",)
    with pytest.raises(ConfigError, match="atoms_first_prompts"):
        validate(config)


def test_the_report_names_the_base_and_the_datasets_the_runs_used(tmp_path):
    """The base fingerprint each run recorded (an SFT's `base`, RL from the base's `init`; an
    RL stage after SFT starts from the SFT, not the base) and the datasets' build."""
    from codecorr_jax.study.cells import Cell
    from codecorr_jax.study.report import provenance
    from codecorr_jax.study.runner import CellRun

    records = {("main", "sft"): {"base": "b1"}, ("main", "sft_then_rl"): {"init": "sft-of-b1"},
               ("rl_base", "rl"): {"init": "b1"}, ("sft_atoms", "sft"): {"base": "b2"}}
    for (cell, stage), record in records.items():
        (tmp_path / cell / stage).mkdir(parents=True)
        (tmp_path / cell / stage / "run.json").write_text(json.dumps(record))
    runs = [CellRun(Cell("main", 2, "sft_then_rl"), 0, str(tmp_path / "main")),
            CellRun(Cell("rl_base", 3, "rl"), 0, str(tmp_path / "rl_base")),
            CellRun(Cell("unfinished", 1, "sft"), 0, str(tmp_path / "nowhere"))]
    (tmp_path / "data" / "jsonl").mkdir(parents=True)
    (tmp_path / "data" / "jsonl" / "manifest.json").write_text(
        json.dumps({"version": 4, "config_hash": "abc"}))
    (tmp_path / "main" / "cell.json").write_text(json.dumps({"code": "a" * 40 + "+modified"}))
    (tmp_path / "rl_base" / "cell.json").write_text(json.dumps({"code": "b" * 40}))
    said = provenance(runs, str(tmp_path / "data"))
    assert said == ("Base: b1 (fingerprint); datasets: build version 4, config hash abc; code: "
                    "aaaaaaaaaaaa+modified (1 run), bbbbbbbbbbbb (1 run), not recorded (1 run)")
    runs.append(CellRun(Cell("sft_atoms", 1, "sft"), 0, str(tmp_path / "sft_atoms")))
    (tmp_path / "sft_atoms" / "cell.json").write_text(json.dumps({"code": "b" * 40}))
    assert provenance(runs, str(tmp_path / "data")).startswith("Base: b1, b2 (fingerprint)")
    assert provenance(runs, str(tmp_path / "data")).endswith(
        "code: bbbbbbbbbbbb (2 runs), aaaaaaaaaaaa+modified (1 run), not recorded (1 run)")


def test_a_cell_imports_the_studys_own_checkout_first(monkeypatch):
    """A study started from a snapshot checkout runs the snapshot's code in its cells, not an
    editable install's (which the import system would otherwise find first)."""
    from codecorr_jax.study import runner

    env = runner.cell_environment("3")
    assert env["PYTHONPATH"].split(os.pathsep)[0] == runner.ROOT
    assert env["CUDA_VISIBLE_DEVICES"] == "3"
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert runner.cell_environment()["PYTHONPATH"] == runner.ROOT + os.pathsep + "/elsewhere"


_STOPPABLE_STUDY = '''
import os, sys
from codecorr_jax.study import runner
from codecorr_jax.study.cells import Cell

study_dir, child = sys.argv[1], sys.argv[2]
runner.TIME_SPENT_EVERY = 0.1


def prepare(study_dir, study_config, cell, seed, cells):
    os.makedirs(runner.cell_workdir(study_dir, cell, seed), exist_ok=True)
    return [sys.executable, "-c", child]


runner.prepare = prepare
try:
    with runner.stop_cells_on_signals():
        runs = runner.run_all(study_dir, None, [Cell("a", 1, "sft"), Cell("b", 1, "sft")],
                              (0,), 1)
except runner.StudyStopped as stopped:
    print("stopped:", stopped)
    sys.exit(143)
print("finished", len(runs))
'''


def test_a_signal_to_the_study_stops_its_running_cell_and_the_time_spent_carries_over(
        tmp_path):
    """SIGTERM to the study reaches the running cell (it must not run on unowned), no other
    cell starts, and the seconds the stopped attempt ran count in the cell's finished record."""
    import signal
    import subprocess
    import sys

    script = tmp_path / "study.py"
    script.write_text(_STOPPABLE_STUDY)
    pid_file = tmp_path / "cell.pid"
    sleeper = (f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
               "time.sleep(60)")
    study = subprocess.Popen([sys.executable, str(script), str(tmp_path / "s"), sleeper],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    spent = tmp_path / "s" / "cells" / "a" / "seed0" / "time_spent.json"
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and spent.exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    study.send_signal(signal.SIGTERM)
    out, _ = study.communicate(timeout=60)
    assert study.returncode == 143 and "stopped: stopped by a signal with 0 of 2" in out
    cell_pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # the cell ended with the study
        os.kill(cell_pid, 0)
    record = json.loads((tmp_path / "s" / "cells" / "a" / "seed0" / "cell.json").read_text())
    assert record["returncode"] == -signal.SIGTERM
    stopped_after = json.loads(spent.read_text())["seconds"]
    assert stopped_after >= 0.5
    assert not (tmp_path / "s" / "cells" / "b").exists()  # never started

    # Run again: both cells finish; cell a's seconds are both attempts'.
    again = subprocess.run([sys.executable, str(script), str(tmp_path / "s"), "pass"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "finished 2" in again.stdout, again.stderr[-2000:]
    record = json.loads((tmp_path / "s" / "cells" / "a" / "seed0" / "cell.json").read_text())
    assert record["returncode"] == 0
    assert record["seconds"] == pytest.approx(stopped_after + record["attempt_seconds"])
    assert record["code"] == code_commit(ROOT)  # the code the cell ran


def test_the_wall_time_table_has_a_column_a_seed_and_the_totals():
    from codecorr_jax.study.cells import Cell
    from codecorr_jax.study.report import _wall_times
    from codecorr_jax.study.runner import CellRun

    a, b = Cell("a", 1, "sft"), Cell("b", 2, "rl")
    runs = [CellRun(a, 0, "", 60.0, 0), CellRun(a, 1, "", 180.0, 0), CellRun(b, 0, "", 600.0, 0)]
    assert _wall_times(runs, [a, b]) == [
        "| cell | regime | seed 0 | seed 1 | mean | all seeds |", "|---|---|---|---|---|---|",
        "| a | sft | 1.0 | 3.0 | 2.0 | 4.0 |",
        "| b | rl | 10.0 |  | 10.0 | 10.0 |",  # seed 1 not run
        "| **every cell** | | 11.0 | 3.0 | 7.0 | 14.0 (0.23 h) |"]
