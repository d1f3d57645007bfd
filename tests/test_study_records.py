"""A study's records (codecorr_jax/study/records.py): packed without checkpoints or machine
paths, restored into another workdir as finished runs that read as if they had run there."""

import json
import os
import tarfile

import pytest

from codecorr_jax.study import records, runner
from codecorr_jax.study.cells import Cell

RECORDED = "/elsewhere/snapshot"  # the repository and workdir the runs' commands named
RECORDED_WORKDIR = RECORDED + "/runs/study"


def _write(path, payload):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(payload if isinstance(payload, str) else json.dumps(payload))


def _finished_run(workdir, cell, seed, links=(), stages=("sft",)):
    """A run as the study runner leaves it: its records, a checkpoint, links to other cells."""
    run = workdir / "study" / "cells" / cell / f"seed{seed}"
    recorded = f"{RECORDED_WORKDIR}/study/cells/{cell}/seed{seed}"
    _write(run / "cell.json", {
        "command": ["/elsewhere/venv/bin/python", f"{RECORDED}/launch/main.py",
                    f"--config={RECORDED}/configs/cell.py:{recorded}/cell_config.json",
                    f"--workdir={recorded}"],
        "seconds": 60.0 + seed, "attempt_seconds": 30.0, "returncode": 0, "cuda_devices": None})
    _write(run / "time_spent.json", {"seconds": 60.0 + seed})
    _write(run / "cell_config.json",
           {"data": {"dataset_dir": f"{RECORDED_WORKDIR}/study/shared/datasets"},
            "pretrain": {"base_dir": f"{RECORDED}/codecorr_jax/base"}})
    for stage in stages:
        _write(run / stage / "run.json", {"base": "824107a6c54dbd97",
                                          "workdir": f"{recorded}/{stage}"})
        _write(run / stage / "eval" / "latest.json",
               {"step": 8, "results": {"composite_target": {"tasks": [
                   {"task_id": f"t{seed}", "passed_greedy": True, "completion": "def f(): pass"}]}}})
        _write(run / stage / "metrics.jsonl", '{"step": 1, "sft/loss": 2.0}\n')
        _write(run / stage / "checkpoints" / "8" / "state", "weights")  # not a record
    for link, target in links:
        os.symlink(target, run / link)
    os.symlink("../../../shared/base_eval", run / "base_eval")
    return run


def _study(tmp_path):
    workdir = tmp_path / "first"
    _write(workdir / "study" / "shared" / "base_eval" / "eval_1" / "eval" / "latest.json",
           {"results": {"atom": {"tasks": []}}, "from": f"{RECORDED}/codecorr_jax/base"})
    _finished_run(workdir, "main", 0, stages=("sft", "sft_then_rl"))
    _finished_run(workdir, "rl_other_prompts", 0, stages=("sft_then_rl",),
                  links=[("sft", "../../main/seed0/sft")])
    unfinished = workdir / "study" / "cells" / "main" / "seed1"
    _write(unfinished / "sft" / "run.json", {"base": "824107a6c54dbd97"})
    return workdir


def test_records_hold_the_finished_runs_without_checkpoints_or_machine_paths(tmp_path):
    workdir = _study(tmp_path)
    archive = tmp_path / "records" / "seed0.tar.gz"
    saved = records.save(str(workdir), str(archive))
    assert saved == ["study/cells/main/seed0", "study/cells/rl_other_prompts/seed0"]
    with tarfile.open(archive) as tar:
        names = {m.name: m for m in tar.getmembers()}
        text = "".join(tar.extractfile(m).read().decode() for m in names.values() if m.isfile())
    assert not any("checkpoints" in n or "seed1" in n for n in names)
    assert names["study/cells/rl_other_prompts/seed0/sft"].linkname == "../../main/seed0/sft"
    assert "study/shared/base_eval/eval_1/eval/latest.json" in names
    assert "/elsewhere" not in text and str(tmp_path) not in text
    assert '"--workdir=<workdir>/study/cells/main/seed0"' in text
    assert '"<repository>/codecorr_jax/base"' in text


def test_restored_runs_are_finished_and_name_their_new_workdir(tmp_path):
    archive = tmp_path / "seed0.tar.gz"
    records.save(str(_study(tmp_path)), str(archive))
    workdir = tmp_path / "second"
    restored = records.restore(str(archive), str(workdir))
    assert restored == ["study/cells/main/seed0", "study/cells/rl_other_prompts/seed0"]
    study_dir = str(workdir / "study")
    main = runner.finished(study_dir, Cell("main", 2, "sft_then_rl"), 0)
    assert main is not None and main.seconds == 60.0
    assert runner.finished(study_dir, Cell("main", 2, "sft_then_rl"), 1) is None
    # the linked SFT reads the restored main cell's records
    other = workdir / "study" / "cells" / "rl_other_prompts" / "seed0"
    assert json.loads((other / "sft" / "eval" / "latest.json").read_text())["step"] == 8
    assert (other / "base_eval" / "eval_1" / "eval" / "latest.json").exists()
    config = json.loads((workdir / "study" / "cells" / "main" / "seed0" /
                         "cell_config.json").read_text())
    assert config["data"]["dataset_dir"] == f"{workdir}/study/shared/datasets"
    assert config["pretrain"]["base_dir"] == f"{runner.ROOT}/codecorr_jax/base"

    # a run finished in the workdir itself is kept, not overwritten by the archive's
    done = workdir / "study" / "cells" / "main" / "seed0" / "cell.json"
    done.write_text(json.dumps({"returncode": 0, "seconds": 1.0}))
    assert records.restore(str(archive), str(workdir)) == []
    assert json.loads(done.read_text())["seconds"] == 1.0


def test_a_link_to_a_run_not_saved_is_refused_by_name(tmp_path):
    workdir = _study(tmp_path)
    _finished_run(workdir, "rl_other_prompts", 1, stages=("sft_then_rl",),
                  links=[("sft", "../../main/seed1/sft")])  # main seed 1 did not finish
    with pytest.raises(ValueError, match="rl_other_prompts/seed1/sft links to "
                                         "study/cells/main/seed1/sft, a run not saved with it"):
        records.save(str(workdir), str(tmp_path / "all.tar.gz"))
    assert records.save(str(workdir), str(tmp_path / "s0.tar.gz"), seeds=[0])
    assert not (tmp_path / "all.tar.gz").exists() and not (tmp_path / "all.tar.gz.partial").exists()
