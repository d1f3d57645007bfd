"""Two processes (jax.distributed over loopback, gloo, one CPU device each) train, evaluate and
resume exactly as one process with two devices does: SFT, PPO with GAE and the evaluation,
value for value; PPO with GRPO stopped by a SIGTERM to one host and run again ends where one
uninterrupted process does. Each host runs only its share of the programs."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

import multihost_case as case
from codecorr_jax.models.sharding import make_mesh

pytestmark = pytest.mark.whole_runs(minutes=5)  # scheduled first: tests/conftest.py

HERE = os.path.dirname(os.path.abspath(__file__))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _two_processes(out_dir, phase: str, expected: int, timeout: float = 900):
    """Run both workers of `phase`. A worker that ends with another status than `expected`
    leaves its peer waiting in a collective, so both are then ended; every process is ended
    by SIGKILL in the end if it still runs (jax.distributed owns SIGTERM)."""
    port = _free_port()
    env = dict(os.environ)  # the workers set their own device count
    # The resume phase's processes compile what the first phase's compiled: read it from disk.
    env.update(JAX_COMPILATION_CACHE_DIR=str(out_dir / "compiled"),
               JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
               JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0")
    logs = [open(out_dir / f"{phase}_{i}.log", "w+") for i in range(2)]
    procs = [subprocess.Popen([sys.executable, os.path.join(HERE, "multihost_worker.py"),
                               str(i), str(port), str(out_dir), phase], env=env,
                              stdout=logs[i], stderr=subprocess.STDOUT)
             for i in range(2)]
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and any(p.poll() is None for p in procs):
            if any(p.poll() not in (None, expected) for p in procs):
                break
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
    text = []
    for log in logs:
        log.seek(0)
        text.append(log.read()[-3000:])
        log.close()
    return [p.returncode for p in procs], "\n".join(text)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The two-process runs (phase train, which ends in a crash, then resume) and the
    one-process references on a two-device mesh."""
    out = tmp_path_factory.mktemp("multihost")
    codes, log = _two_processes(out, "train", expected=143)
    assert codes == [143, 143], log  # both stopped by one host's SIGTERM, after the rest
    codes, log = _two_processes(out, "resume", expected=0)
    assert codes == [0, 0], log
    mesh = make_mesh(2, 1, 1, devices=jax.devices()[:2])
    ref_dir = out / "reference"
    reference = {
        "sft": case.sft(mesh, str(ref_dir / "sft")),
        "eval": case.evaluation(mesh, str(ref_dir / "eval")),
        "ppo_gae": case.ppo(mesh, str(ref_dir / "gae"), "gae"),
        "ppo_grpo": case.ppo(mesh, str(ref_dir / "grpo"), "grpo",
                             iterations=case.PREEMPTED_ITERATIONS),
    }
    return out, reference


def _load(out, name: str, process: int) -> dict[str, np.ndarray]:
    with np.load(out / f"{name}_{process}.npz") as f:
        return dict(f)


def _assert_same(got: dict, want: dict, skip=()) -> None:
    assert set(got) == set(want)
    for key in want:
        if key in skip:
            continue
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("name", ["sft", "ppo_gae"])
def test_training_on_two_processes_equals_one_process(runs, name):
    out, reference = runs
    for process in (0, 1):  # every process holds the whole, identical result
        _assert_same(_load(out, name, process), reference[name], skip={"rows_scored"})


def test_each_process_scores_half_of_the_ppo_rows(runs):
    out, reference = runs
    halves = [int(_load(out, "ppo_gae", p)["rows_scored"]) for p in (0, 1)]
    assert halves[0] == halves[1] == int(reference["ppo_gae"]["rows_scored"]) // 2 > 0


def test_evaluation_on_two_processes_equals_one_process_task_by_task(runs):
    out, reference = runs
    want = reference["eval"]
    assert 0 < want["passed"].sum() < len(want["passed"])  # the verdicts are not all alike
    for process in (0, 1):
        got = _load(out, "eval", process)
        assert got["completions"].tolist() == want["completions"].tolist()
        assert got["passed"].tolist() == want["passed"].tolist()
        assert float(got["pass@1"]) == float(want["pass@1"])
    ran = [json.load(open(out / "eval" / f"ran_{p}.json")) for p in (0, 1)]
    everything = json.load(open(out / "reference" / "eval" / "ran_0.json"))
    assert ran[0] + ran[1] == everything and len(ran[0]) == len(ran[1])  # each its share


def test_a_preempted_two_process_grpo_run_resumes_to_the_one_process_result(runs):
    """GRPO on two processes, stopped by a SIGTERM to one of them and run again, ends with the
    parameters of one uninterrupted process on two devices."""
    out, reference = runs
    for process in (0, 1):
        _assert_same(_load(out, "ppo_grpo", process), reference["ppo_grpo"],
                     skip={"rows_scored", "reward", "resumed_from"})
    # The rerun resumed from the step the hosts agreed on, after the signal's iteration and
    # before the end, and ran the remaining iterations.
    resumed = _load(out, "ppo_grpo", 0)
    step = int(resumed["resumed_from"])
    assert 1 <= step < case.PREEMPTED_ITERATIONS
    assert int(_load(out, "ppo_grpo", 1)["resumed_from"]) == step
    np.testing.assert_allclose(resumed["reward"], reference["ppo_grpo"]["reward"][step:],
                               rtol=1e-6)
