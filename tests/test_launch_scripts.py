"""The multi-host launchers' dry runs: the command each host would run, arguments intact."""

import os
import shlex
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARGS = ["--config=configs/sft.py", "--workdir=/shared/runs/a b", "--config.seed=3"]


def _run(script, env, *args):
    return subprocess.run(["bash", os.path.join(ROOT, "launch", script), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=30,
                          env={"PATH": os.environ["PATH"], **env})


def test_tpu_pod_dry_run_prints_one_command_for_every_worker():
    result = _run("tpu_pod.sh", {"DRY_RUN": "1", "TPU_NAME": "slice", "ZONE": "z1"}, *ARGS)
    assert result.returncode == 0, result.stderr
    words = shlex.split(result.stdout)
    assert words[:8] == ["gcloud", "compute", "tpus", "tpu-vm", "ssh", "slice", "--zone", "z1"]
    assert words[8:10] == ["--worker=all", "--command"]
    remote = shlex.split(words[10])  # what each host runs: the arguments survive quoting
    assert remote[:3] == ["cd", "codecorr_jax", "&&"]
    assert remote[3:5] == [".venv/bin/python", "launch/main.py"] and remote[5:] == ARGS


def test_tpu_pod_names_what_is_missing():
    assert "set TPU_NAME" in _run("tpu_pod.sh", {"DRY_RUN": "1", "ZONE": "z"}, *ARGS).stderr
    missing = _run("tpu_pod.sh", {"DRY_RUN": "1", "TPU_NAME": "s", "ZONE": "z"}, "--workdir=x")
    assert missing.returncode == 2 and "pass --config=" in missing.stderr


def test_slurm_dry_run_prints_each_nodes_distributed_settings():
    result = _run("slurm_gpu.sbatch", {"DRY_RUN": "1", "SLURM_NNODES": "2",
                                       "COORDINATOR": "node0:1234"}, *ARGS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "on 2 node(s)" in lines[0]
    for i, line in enumerate(lines[1:]):
        words = shlex.split(line)
        assert words[:2] == [".venv/bin/python", "launch/main.py"] and words[2:5] == ARGS
        assert words[5:] == ["--config.distributed.coordinator_address=node0:1234",
                             "--config.distributed.num_processes=2",
                             f"--config.distributed.process_id={i}"]
    assert len(lines) == 3
