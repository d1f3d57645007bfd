"""launch/main.py end to end: every listed regime runs; bad configs stop before compute."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from codecorr_jax.config import REGIMES

pytestmark = pytest.mark.whole_runs(minutes=2)  # scheduled first: tests/conftest.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _launch(*args, timeout=300):
    return subprocess.run([sys.executable, os.path.join(ROOT, "launch", "main.py"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_every_listed_regime_has_a_config_file_and_an_implementation():
    import inspect

    from codecorr_jax import regimes

    assert set(REGIMES) == set(regimes.REGIMES) | set(regimes.HOST_REGIMES)
    assert not set(regimes.REGIMES) & set(regimes.HOST_REGIMES)
    for regime in REGIMES:
        assert os.path.isfile(os.path.join(ROOT, "configs", f"{regime}.py")), regime
        parameters = list(inspect.signature(regimes.get(regime)).parameters)
        expected = ["config", "workdir"] + ([] if regime in regimes.HOST_REGIMES else ["mesh"])
        assert parameters == expected, regime
    with pytest.raises(KeyError, match="regime 'nope' is unknown; allowed: inspect"):
        regimes.get("nope")


def test_inspect_regime_runs_sharded_and_exports(tmp_path):
    from flax import nnx

    from codecorr_jax.models.hf_checkpoint import load_hf_checkpoint
    from codecorr_jax.models.sharding import make_mesh

    export = tmp_path / "export"
    result = _launch("--config=configs/inspect.py", f"--workdir={tmp_path}",
                     "--config.mesh.data=2", "--config.mesh.fsdp=2", "--config.mesh.tensor=2",
                     "--config.inspect.seq_len=32", "--config.inspect.steps=1",
                     "--config.model.num_layers=2", f"--config.inspect.export_dir={export}")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((tmp_path / "inspect.json").read_text())
    assert summary["mesh"] == {"data": 2, "fsdp": 2, "tensor": 2}
    assert summary["devices"] == 8
    # random init: the first loss is close to uniform over the vocabulary
    assert abs(summary["initial_loss"] - summary["uniform_loss"]) < 0.2
    # parameters are split 4 ways (fsdp x tensor) on the fullest device, give or take norms
    full = summary["model"]["parameters"] * 4
    assert full / 4 <= summary["param_bytes_per_device"]["max"] < full / 4 * 1.05
    # the estimate made before loading: the same parameter bytes, Adam's two moments sharded
    # like them, and the step's temporaries on top
    estimate = summary["sft_step_memory_estimate"]
    assert estimate["parameters"] == summary["param_bytes_per_device"]["max"]
    assert 2 * estimate["parameters"] <= estimate["optimizer"] < 2 * estimate["parameters"] + 64
    assert estimate["temporaries"] > 0
    assert estimate["total"] >= sum(estimate[k] for k in ("parameters", "optimizer", "batch"))
    assert "memory     estimated " in result.stdout
    assert "next" in result.stdout
    model = load_hf_checkpoint(str(export), make_mesh(-1, 1, 1))
    assert model.config.num_layers == 2 and model.config.tie_word_embeddings
    assert np.isfinite(np.asarray(model.norm.scale[...])).all()
    assert isinstance(model, nnx.Module)


@pytest.mark.parametrize("args, message", [
    (["--config.sft.learnin_rate=1e-5"],
     "--config.sft.learnin_rate: config has no field 'sft.learnin_rate'; "
     "did you mean sft.learning_rate?"),
    (["--config.sft.num_steps=ten"], "flag --config.sft.num_steps=ten: invalid literal for int"),
    (["--config.model.dtype=float16"], "config.model.dtype='float16' is not allowed"),
    (["--config.mesh.data=3"], "config.mesh.data=3, mesh.fsdp=1, mesh.tensor=1: the mesh has 3"),
    (["--config.mesh.data=1", "--config.mesh.tensor=8"],
     "config.model.num_heads=4 is not divisible by mesh.tensor=8"),
])
def test_bad_config_stops_with_one_message(tmp_path, args, message):
    result = _launch("--config=configs/inspect.py", f"--workdir={tmp_path}", *args, timeout=120)
    assert result.returncode == 2
    assert f"config error: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "inspect.json").exists()


def _launch_module():
    """launch/main.py as a module, for its checks that run before any flag or compute."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("launch_main", os.path.join(ROOT, "launch",
                                                                              "main.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_bad_workdir_or_config_file_stops_with_one_line(tmp_path, capsys):
    """A workdir that is a file, one that cannot be made, and a config file that does not
    exist: one line naming it and what to do, exit status 2, no traceback."""
    a_file = tmp_path / "a_file"
    a_file.write_text("not a directory")
    main = _launch_module()
    cases = [
        (lambda: main._prepare_workdir(str(a_file)),
         f"workdir error: --workdir={a_file} is a file; give a directory"),
        (lambda: main._prepare_workdir(f"{a_file}/run"),
         f"workdir error: --workdir={a_file}/run: cannot write there (Not a directory)"),
        (lambda: main._check_config_file(["main.py", "--config=configs/nope.py:smoke"]),
         "config error: --config=configs/nope.py: no such file; the regimes' config files are "
         "configs/{"),
    ]
    for call, message in cases:
        with pytest.raises(SystemExit) as stop:
            call()
        assert stop.value.code == 2 and capsys.readouterr().err.startswith(message)
    main._prepare_workdir(str(tmp_path / "made"))  # a missing directory is made
    assert (tmp_path / "made").is_dir() and not list((tmp_path / "made").iterdir())
    # the same through the command line, before any compute
    result = _launch("--config=configs/inspect.py", f"--workdir={a_file}", timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"workdir error: --workdir={a_file} is a file")


def test_datasets_regime_builds_reuses_and_reports(tmp_path):
    small = ["--config.synth.size_a=20", "--config.synth.size_b=20", "--config.synth.size_c=20",
             "--config.logging.progress_bar=False"]
    result = _launch("--config=configs/datasets.py", f"--workdir={tmp_path}", *small)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "contamination: none" in result.stdout
    manifest = json.loads((tmp_path / "datasets" / "jsonl" / "manifest.json").read_text())
    on_top = sum(i.startswith("composite_A/") for field in ("deep_test_ids",
                 "unseen_atom_test_ids") for i in manifest[field])  # deeper and unseen-atom
    assert on_top and manifest["sizes"]["composite_A/train"] + manifest["sizes"][
        "composite_A/test"] == 20 + on_top
    from codecorr_jax.data.sources import task_dataset

    records = list(task_dataset("composite_B", "test", str(tmp_path / "datasets" / "tfds")))
    assert len(records) == manifest["sizes"]["composite_B/test"]
    again = _launch("--config=configs/datasets.py", f"--workdir={tmp_path}", *small)
    assert again.returncode == 0 and "reused" in again.stdout


def test_library_notices_go_to_the_log_file_not_the_console(tmp_path):
    """Without torch (hidden from the import system), importing transformers prints "PyTorch
    was not found" on its own handler; after routing, the console stays quiet, the log file
    says it, and transformers' warnings still reach the console through the root logger."""
    no_torch = "import sys\nsys.modules['torch'] = None\n"  # find_spec('torch') -> None
    script = (
        no_torch +
        "from codecorr_jax import library_logs\n"
        f"path = library_logs.route({str(tmp_path)!r})\n"
        "import transformers\n"
        "from transformers.utils import logging as hf_logging\n"
        "hf_logging.get_logger('transformers.x').warning('a real warning')\n"
        "print(path)\n")
    env = dict(os.environ)
    env.pop("TRANSFORMERS_NO_ADVISORY_WARNINGS", None)
    unrouted = subprocess.run([sys.executable, "-c", no_torch + "import transformers"], env=env,
                              capture_output=True, text=True, timeout=120)
    assert "PyTorch was not found" in unrouted.stderr  # what a user saw among the stages
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "PyTorch" not in result.stderr and "a real warning" in result.stderr
    log = open(result.stdout.strip()).read()
    assert "PyTorch is not installed" in log and "a real warning" in log
