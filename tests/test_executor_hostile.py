"""The hostile corpus, scored in one batch: never a false pass, every expected verdict, and
afterwards no stray process, no changed file outside the sandbox, and a healthy executor."""

from __future__ import annotations

import os
import time

import pytest

from codecorr_jax.execution import Executor, ExecutorConfig, Program, Verdict
from hostile_programs import build_corpus, case_names

ROOT = os.geteuid() == 0
SECRET_NAME = "CODECORR_HOSTILE_SECRET"
SECRET_VALUE = "s3cr3t-value-the-sandbox-must-not-see"
OUTPUT_CAP = 4096
CONFIG = ExecutorConfig(num_workers=2, test_timeout_s=1.0, program_timeout_s=3.0,
                        kill_grace_s=0.5, memory_limit_mb=256, max_processes=8,
                        max_output_bytes=OUTPUT_CAP)
TRIVIAL = Program("def f(x):\n    return x * x\n", "f", [{"args": [3], "expected": 9}])


def _snapshot(path: str) -> tuple:
    info = os.stat(path)
    with open(path, "rb") as handle:
        return handle.read(), info.st_mode, info.st_uid, info.st_mtime_ns, info.st_ino


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, real uid) for every process on the machine."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", encoding="utf-8") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
            table[int(name)] = (int(fields["PPid"]), int(fields["Uid"].split()[0]))
        except (OSError, KeyError, ValueError):
            continue
    return table


def _descendants(roots: list[int]) -> list[int]:
    table = _processes()
    found, frontier = [], list(roots)
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent]
        found += children
        frontier += children
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    outside = tmp_path_factory.mktemp("outside_the_sandbox")
    os.chmod(outside, 0o755)
    sentinel = outside / "sentinel.txt"
    sentinel.write_text("the sandbox must not change this\n")
    os.chmod(sentinel, 0o644)
    tmp_marker = f"/tmp/codecorr_hostile_litter_{os.getpid()}"
    os.environ[SECRET_NAME] = SECRET_VALUE
    corpus = build_corpus(str(sentinel), tmp_marker, SECRET_NAME, SECRET_VALUE, ROOT)
    before = {"sentinel": _snapshot(str(sentinel)), "listing": sorted(os.listdir(outside))}
    try:
        with Executor(CONFIG) as executor:
            executor.score([TRIVIAL] * 8)  # warm up
            started = time.perf_counter()
            baseline = executor.score([TRIVIAL] * 40)
            baseline_s = time.perf_counter() - started
            started = time.perf_counter()
            results = executor.score([case.program() for case in corpus])
            hostile_s = time.perf_counter() - started
            uids = [uid for uid in executor.sandbox_uids if uid is not None]
            stray_uid = [pid for pid, (_, uid) in _processes().items() if uid in uids]
            stray_children = _descendants(executor.worker_pids)
            started = time.perf_counter()
            after = executor.score([TRIVIAL] * 40)
            after_s = time.perf_counter() - started
    finally:
        del os.environ[SECRET_NAME]
    return {
        "results": {case.name: (case, result) for case, result in zip(corpus, results)},
        "before": before, "sentinel": str(sentinel), "outside": outside,
        "tmp_marker": tmp_marker, "stray_uid": stray_uid, "stray_children": stray_children,
        "baseline": baseline, "baseline_s": baseline_s, "after": after, "after_s": after_s,
        "hostile_s": hostile_s,
    }


@pytest.mark.parametrize("name", case_names(ROOT))
def test_hostile_program_gets_its_verdict(hostile: dict, name: str) -> None:
    case, result = hostile["results"][name]
    assert result.verdict is not Verdict.PASS, f"false pass: {name}"
    assert result.passed == 0, f"{name}: {result}"
    assert result.verdict in case.expected, (
        f"{name}: got {result.verdict.value} ({result.error_type}: {result.message}), expected "
        f"one of {sorted(v.value for v in case.expected)}")
    assert len(result.output.encode("utf-8", "replace")) <= OUTPUT_CAP * 2  # decoding slack


def test_corpus_is_large_enough() -> None:
    assert len(case_names(True)) >= 40


def test_no_process_outlives_its_program(hostile: dict) -> None:
    assert hostile["stray_uid"] == []
    assert hostile["stray_children"] == []


def test_no_file_outside_the_sandbox_changes(hostile: dict) -> None:
    assert _snapshot(hostile["sentinel"]) == hostile["before"]["sentinel"]
    assert sorted(os.listdir(hostile["outside"])) == hostile["before"]["listing"]
    assert not os.path.lexists(hostile["tmp_marker"])


def test_executor_survives_at_normal_speed(hostile: dict) -> None:
    assert all(r.verdict is Verdict.PASS for r in hostile["baseline"] + hostile["after"])
    assert hostile["after_s"] < 3 * hostile["baseline_s"] + 1.0, (
        f"after the hostile batch: {hostile['after_s']:.2f} s for 40 programs, before "
        f"{hostile['baseline_s']:.2f} s")


def test_output_flood_is_capped(hostile: dict) -> None:
    _, result = hostile["results"]["output_flood_then_wrong_answer"]
    assert 0 < len(result.output) <= OUTPUT_CAP


def test_secret_environment_does_not_reach_programs(hostile: dict) -> None:
    _, result = hostile["results"]["reads_secret_environment"]
    assert result.tests[0].output == '"absent"'
