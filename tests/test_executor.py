"""The executor's contract: every verdict kind, per-test outcomes, both test forms, the async
API, input validation, the trusted judge, and what workers and programs can see."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import textwrap
import time

import pytest

from codecorr_jax.execution import (Executor, ExecutorClosedError, ExecutorConfig, Program,
                                    ProgramResult, Verdict)
from codecorr_jax.execution import sandbox
from codecorr_jax.execution.executor import _work_root_prefix
from codecorr_jax.execution.judge import CHECK, PROBE, judge

CONFIG = ExecutorConfig(num_workers=2, test_timeout_s=1.0, program_timeout_s=3.0,
                        memory_limit_mb=256, max_processes=8, max_output_bytes=1024)
ADD_TESTS = [{"args": [1, 2], "expected": 3}, {"args": [2, 2], "expected": 4},
             {"args": [-1, 1], "expected": 0}]


def add_program(body: str) -> Program:
    return Program("def add(a, b):\n" + textwrap.indent(textwrap.dedent(body), "    "), "add",
                   ADD_TESTS)


@pytest.fixture(scope="module")
def executor() -> Executor:
    with Executor(CONFIG) as running:
        yield running


# --------------------------------------------------------------------------- verdict kinds

VERDICT_CASES = {
    "pass": (add_program("return a + b"), Verdict.PASS, None),
    "fail": (add_program("return a * b"), Verdict.FAIL, "WrongAnswer"),
    "runtime_error": (add_program("return a / 0"), Verdict.RUNTIME_ERROR, "ZeroDivisionError"),
    "syntax_error": (add_program("return a +"), Verdict.SYNTAX_ERROR, "SyntaxError"),
    "timeout": (add_program("while True:\n    pass"), Verdict.TIMEOUT, "Timeout"),
    "memory_exceeded": (add_program("return len(bytearray(10 ** 10))"),
                        Verdict.MEMORY_EXCEEDED, "MemoryError"),
    "crashed": (add_program("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"),
                Verdict.CRASHED, "SIGSEGV"),
}


@pytest.fixture(scope="module")
def verdict_results(executor: Executor) -> dict[str, ProgramResult]:
    names = list(VERDICT_CASES)
    results = executor.score([VERDICT_CASES[name][0] for name in names])
    return dict(zip(names, results))


@pytest.mark.parametrize("name", list(VERDICT_CASES))
def test_every_verdict_kind(verdict_results: dict, name: str) -> None:
    _, verdict, error_type = VERDICT_CASES[name]
    result = verdict_results[name]
    assert result.verdict is verdict, result
    assert result.error_type == error_type
    assert result.total == 3 and len(result.tests) == 3
    assert result.passed == (3 if verdict is Verdict.PASS else 0 if name != "fail" else 1)
    assert result.time_s > 0
    if verdict is not Verdict.PASS:
        assert result.message


def test_per_test_outcomes(verdict_results: dict) -> None:
    tests = verdict_results["fail"].tests  # a * b: right for (2, 2) only
    assert [t.verdict for t in tests] == [Verdict.FAIL, Verdict.PASS, Verdict.FAIL]
    assert tests[0].message == "expected 3, got 2" and tests[0].output == "2"
    assert tests[1].output == "4" and tests[1].time_s >= 0
    timeout = verdict_results["timeout"].tests
    assert all(t.verdict is Verdict.TIMEOUT for t in timeout)


def test_runtime_error_then_pass_counts_passes(executor: Executor) -> None:
    result = executor.score([add_program("if a < 0:\n    raise KeyError(a)\nreturn a + b")])[0]
    assert result.verdict is Verdict.RUNTIME_ERROR and result.error_type == "KeyError"
    assert result.passed == 2 and result.tests[2].message == "-1"


def test_hard_kill_when_the_timer_is_disabled(executor: Executor) -> None:
    source = ("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
              "def add(a, b):\n    while True:\n        pass\n")
    started = time.perf_counter()
    result = executor.score([Program(source, "add", ADD_TESTS)])[0]
    elapsed = time.perf_counter() - started
    assert result.verdict is Verdict.TIMEOUT and "killed" in result.message
    assert elapsed < CONFIG.test_timeout_s + CONFIG.kill_grace_s + 1.0


def test_program_deadline_caps_many_slow_tests(executor: Executor) -> None:
    source = "import time\ndef add(a, b):\n    time.sleep(0.9)\n    return a + b\n"
    tests = [{"args": [i, i], "expected": 2 * i} for i in range(6)]  # 5.4 s > 3 s
    result = executor.score([Program(source, "add", tests)])[0]
    assert result.verdict is Verdict.TIMEOUT
    assert 0 < result.passed < 6
    assert result.time_s < CONFIG.program_timeout_s + 0.5


def test_output_is_captured_and_capped(executor: Executor) -> None:
    result = executor.score([add_program("print('hello', a)\nreturn a + b")])[0]
    assert result.verdict is Verdict.PASS
    assert result.output.splitlines() == ["hello 1", "hello 2", "hello -1"]
    flood = executor.score([add_program("print('x' * 100000)\nreturn a + b")])[0]
    assert flood.verdict is Verdict.PASS and len(flood.output) == CONFIG.max_output_bytes


def test_json_semantics_of_comparison(executor: Executor) -> None:
    source = "def f(kind):\n    return {'tuple': (1, 2), 'float': 1.0, 'int': 1}[kind]\n"
    tests = [{"args": ["tuple"], "expected": [1, 2]}, {"args": ["float"], "expected": 1},
             {"args": ["int"], "expected": 1}]
    result = executor.score([Program(source, "f", tests)])[0]
    # A tuple is a JSON list; 1.0 and 1 are different JSON texts (canonical comparison).
    assert [t.verdict for t in result.tests] == [Verdict.PASS, Verdict.FAIL, Verdict.PASS]


def test_arguments_are_fresh_per_test(executor: Executor) -> None:
    source = "def f(items):\n    items.append(0)\n    return len(items)\n"
    tests = [{"args": [[1, 2]], "expected": 3}] * 3
    assert executor.score([Program(source, "f", tests)])[0].verdict is Verdict.PASS


def test_probe_tests_report_outputs(executor: Executor) -> None:
    source = "def f(x):\n    return {'double': x * 2, 'text': str(x)}\n"
    result = executor.score([Program(source, "f", [{"args": [3]}, {"args": [5]}])])[0]
    assert result.verdict is Verdict.PASS
    assert [json.loads(t.output) for t in result.tests] == [
        {"double": 6, "text": "3"}, {"double": 10, "text": "5"}]


def test_test_code_mode(executor: Executor) -> None:
    check = "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 9\n"
    programs = [Program("def sq(x):\n    return x * x\n", "sq", test_code=check),
                Program("def sq(x):\n    return x + x\n", "sq", test_code=check),
                Program("def sq(x):\n    assert x < 0\n", "sq", test_code=check),
                Program("def sq(x):\n    return x * x\n", "sq", test_code="def chek(c): pass")]
    results = executor.score(programs)
    assert [r.verdict for r in results] == [Verdict.PASS, Verdict.FAIL, Verdict.RUNTIME_ERROR,
                                            Verdict.RUNTIME_ERROR]
    assert results[0].total == 1 and results[0].passed == 1
    assert results[2].error_type == "AssertionError"  # raised by the program, not the test
    assert "check" in results[3].message


def test_main_guard_does_not_run(executor: Executor) -> None:
    source = "def f():\n    return 1\nif __name__ == '__main__':\n    while True:\n        pass\n"
    assert executor.score([Program(source, "f", [{"args": [], "expected": 1}])])[0].all_passed


def test_standard_library_is_importable(executor: Executor) -> None:
    source = textwrap.dedent("""\
        import collections, decimal, fractions, hashlib, heapq, itertools, math, re, statistics
        import string, typing
        def f():
            return [math.isqrt(17), hashlib.sha256(b"a").hexdigest()[:6],
                    str(fractions.Fraction(1, 3)), statistics.mean([1, 2, 3]), string.digits[:3],
                    "bücher".encode("idna").decode()]  # a submodule of a preloaded package
    """)
    result = executor.score([Program(source, "f", [{"args": []}])])[0]
    assert result.verdict is Verdict.PASS, result
    assert json.loads(result.tests[0].output) == [4, "ca9781", "1/3", 2, "012",
                                                  "xn--bcher-kva"]


def test_submit_returns_futures_at_once(executor: Executor) -> None:
    slow = Program("import time\ndef f():\n    time.sleep(0.4)\n    return 1\n", "f",
                   [{"args": [], "expected": 1}])
    started = time.perf_counter()
    futures = executor.submit([slow] * 4)
    assert time.perf_counter() - started < 0.2
    assert all(isinstance(f, concurrent.futures.Future) for f in futures)
    assert not all(f.done() for f in futures)
    results = [f.result(timeout=10) for f in futures]
    assert all(r.verdict is Verdict.PASS for r in results)
    assert time.perf_counter() - started < 4 * 0.4  # two workers ran them in parallel


def test_results_keep_batch_order(executor: Executor) -> None:
    programs = [Program(f"def f():\n    return {i}\n", "f", [{"args": [], "expected": i}])
                for i in range(30)]
    programs += [("def f():\n    return 5\n", "f", [{"args": [], "expected": 5}]),
                 {"source": "def f():\n    return 6\n", "entry_point": "f",
                  "tests": [{"args": [], "expected": 6}]}]
    assert all(r.verdict is Verdict.PASS for r in executor.score(programs))


@pytest.mark.parametrize("program, message", [
    (Program("x", "not an identifier"), "entry_point"),
    (Program("x", "f", [{"args": [{1, 2}], "expected": 1}]), "not a JSON value"),
    (Program("x", "f", [{"args": [float("nan")], "expected": 1}]), "not a JSON value"),
    (Program("x", "f", [{"expected": 1}]), "'args'"),
    (Program("x", "f", [{"args": 3, "expected": 1}]), "'args' must be a list"),
    (Program("x", "f", [{"args": []}], test_code="def check(c): pass"), "not both"),
    ({"source": "x", "entry_point": "f", "test": []}, "unknown keys"),
])
def test_invalid_programs_are_rejected(executor: Executor, program, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        executor.submit([Program("def f():\n    return 1\n", "f"), program])


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="isolation"):
        ExecutorConfig(isolation="docker")
    with pytest.raises(ValueError, match="test_timeout_s"):
        ExecutorConfig(test_timeout_s=0)
    with pytest.raises(ValueError, match="binary, fraction, graded"):
        ExecutorConfig(reward="exact")
    assert ExecutorConfig().workers == len(os.sched_getaffinity(0))
    assert ExecutorConfig(num_workers=3).workers == 3


def test_workers_are_lean_and_see_no_accelerator(executor: Executor) -> None:
    for pid in executor.worker_pids:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            environment = dict(item.split(b"=", 1) for item in handle.read().split(b"\0")
                               if b"=" in item)
        assert environment[b"CUDA_VISIBLE_DEVICES"] == b""
        assert environment[b"JAX_PLATFORMS"] == b"cpu"
        with open(f"/proc/{pid}/maps", encoding="utf-8") as handle:
            assert "jaxlib" not in handle.read()
    source = ("import os, sys\ndef f():\n    return ['jax' in sys.modules, "
              "os.environ.get('CUDA_VISIBLE_DEVICES'), os.getcwd() == os.environ['HOME']]\n")
    result = executor.score([Program(source, "f", [{"args": [], "expected": [False, "", True]}])])
    assert result[0].verdict is Verdict.PASS, result


@pytest.mark.skipif(os.geteuid() != 0, reason="the privilege drop needs root")
def test_programs_run_as_the_sandbox_uid(executor: Executor) -> None:
    source = "import os\ndef f():\n    return [os.getuid(), os.geteuid(), os.getgroups()]\n"
    result = executor.score([Program(source, "f", [{"args": []}])] * 4)
    uids = {json.loads(r.tests[0].output)[0] for r in result}
    assert uids <= set(executor.sandbox_uids) and 0 not in uids
    assert all(json.loads(r.tests[0].output)[2] == [] for r in result)


def test_worker_death_is_survived() -> None:
    with Executor(ExecutorConfig(num_workers=1, test_timeout_s=1.0)) as executor:
        os.kill(executor.worker_pids[0], signal.SIGKILL)
        time.sleep(0.1)
        first = executor.score([add_program("return a + b")])[0]
        assert first.verdict is Verdict.CRASHED and "worker" in first.message
        assert executor.score([add_program("return a + b")])[0].verdict is Verdict.PASS


def test_close_cancels_queue_and_rejects_submissions() -> None:
    executor = Executor(ExecutorConfig(num_workers=1, test_timeout_s=1.0))
    slow = Program("import time\ndef f():\n    time.sleep(0.3)\n    return 1\n", "f",
                   [{"args": [], "expected": 1}])
    futures = executor.submit([slow] * 5)
    time.sleep(0.1)
    executor.close()
    assert futures[0].result().verdict is Verdict.PASS
    assert any(f.cancelled() for f in futures[1:])
    with pytest.raises(ExecutorClosedError):
        executor.submit([slow])
    executor.close()  # idempotent


@pytest.mark.skipif(os.geteuid() != 0, reason="the unshare backend needs root")
def test_unshare_backend_blocks_network_and_writes() -> None:
    config = ExecutorConfig(num_workers=1, isolation="unshare", test_timeout_s=1.0)
    source = textwrap.dedent("""\
        import socket
        def net():
            socket.create_connection(("127.0.0.1", 9), timeout=0.5)
        def write(path):
            open(path, "w").write("x")
        def local():
            open("mine", "w").write("ok")
            return open("mine").read()
    """)
    try:
        executor = Executor(config)
    except RuntimeError as error:  # root without CAP_SYS_ADMIN, e.g. some containers
        pytest.skip(f"the unshare backend is not available here: {error}"[:300])
    with executor:
        results = executor.score([
            Program(source, "net", [{"args": [], "expected": None}]),
            Program(source, "write", [{"args": ["/tmp/codecorr_unshare_probe"],
                                       "expected": None}]),
            Program(source, "local", [{"args": [], "expected": "ok"}]),
        ])
    assert results[0].verdict is Verdict.RUNTIME_ERROR and "unreachable" in results[0].message
    assert results[1].verdict is Verdict.RUNTIME_ERROR and "Read-only" in results[1].message
    assert results[2].verdict is Verdict.PASS
    assert not os.path.exists("/tmp/codecorr_unshare_probe")


# --------------------------------------------------------------------------- the judge

def _report(*frames: dict | str, **fields) -> dict:
    report = {"frames": [f if isinstance(f, str) else json.dumps(f) for f in frames],
              "tampered": None, "exit_code": 0, "signal": None, "killed": None,
              "wall_s": 0.01, "output": ""}
    report.update(fields)
    return report


READY = {"k": sandbox.FRAME_READY, "t": 0.001}
DONE = {"k": sandbox.FRAME_DONE}


def test_judge_compares_canonical_json_only() -> None:
    expected = [json.dumps({"a": 1, "b": [1, 2]}, separators=(",", ":"), sort_keys=True)]
    ok = judge(_report(READY, '{"i":0,"k":"ok","t":0,"o":{"b":[1,2],"a":1}}', DONE), expected)
    assert ok.verdict is Verdict.PASS
    wrong = judge(_report(READY, {"i": 0, "k": "ok", "t": 0, "o": {"a": 1}}, DONE), expected)
    assert wrong.verdict is Verdict.FAIL


@pytest.mark.parametrize("frames, fields, why", [
    ((READY, {"i": 0, "k": "ok", "o": 1}), {}, "no done frame: exited early"),
    ((READY, {"i": 0, "k": "ok", "o": 1}, {"i": 0, "k": "ok", "o": 1}, DONE), {}, "duplicate"),
    ((READY, {"i": 5, "k": "ok", "o": 1}, DONE), {}, "index out of range"),
    (({"i": 0, "k": "ok", "o": 1}, DONE), {}, "test before ready"),
    ((READY, "not json", DONE), {}, "garbage"),
    ((READY, {"i": 0, "k": "ok", "o": 1}, DONE), {"tampered": "foreign data"}, "tampered"),
    ((READY, {"i": 0, "k": "ok", "o": 1}, DONE), {"exit_code": 3}, "bad exit"),
    ((READY, {"i": 0, "k": "ok", "o": 1}, DONE), {"signal": 9}, "killed by a signal"),
    ((READY, {"i": 0, "k": "victory"}, DONE), {}, "unknown kind"),
])
def test_judge_never_passes_a_broken_report(frames, fields, why) -> None:
    result = judge(_report(*frames, **fields), ["1"])
    assert result.verdict is not Verdict.PASS, why
    if why in ("duplicate", "index out of range", "test before ready", "garbage", "tampered",
               "unknown kind"):  # protocol violations: no outcome counts
        assert result.passed == 0 and result.verdict is Verdict.CRASHED, why


def test_judge_forms_of_expected() -> None:
    probe = judge(_report(READY, {"i": 0, "k": "ok", "o": [1]}, DONE), [PROBE])
    assert probe.verdict is Verdict.PASS and probe.tests[0].output == "[1]"
    checked = judge(_report(READY, {"i": 0, "k": "ok"}, DONE), [CHECK])
    assert checked.verdict is Verdict.PASS
    missing_output = judge(_report(READY, {"i": 0, "k": "ok"}, DONE), ["1"])
    assert missing_output.verdict is Verdict.FAIL


def test_judge_timeouts_and_signals() -> None:
    killed = judge(_report(READY, {"i": 0, "k": "ok", "o": 1}, killed="test_timeout",
                           signal=9), ["1", "2"])
    assert killed.verdict is Verdict.TIMEOUT and killed.passed == 1
    assert killed.tests[1].verdict is Verdict.TIMEOUT
    cpu = judge(_report(READY, signal=int(signal.SIGXCPU)), ["1"])
    assert cpu.verdict is Verdict.TIMEOUT and "CPU" in cpu.message
    segv = judge(_report(READY, signal=int(signal.SIGSEGV)), ["1"])
    assert segv.verdict is Verdict.CRASHED and segv.error_type == "SIGSEGV"


def test_judge_picks_the_most_severe_test_verdict() -> None:
    frames = (READY, {"i": 0, "k": "ok", "o": 2}, {"i": 1, "k": "error", "type": "KeyError"},
              {"i": 2, "k": "timeout"}, DONE)
    result = judge(_report(*frames), ["1", "1", "1"])
    assert result.verdict is Verdict.TIMEOUT and result.passed == 0
    assert [t.verdict for t in result.tests] == [Verdict.FAIL, Verdict.RUNTIME_ERROR,
                                                 Verdict.TIMEOUT]


# --------------------------------------------------------------------------- worker mechanics

def test_without_privilege_drop_orphans_are_still_reaped() -> None:
    """The path taken when not root (or drop_privileges=False): no private uid, stragglers found
    as the worker's reparented children."""
    config = ExecutorConfig(num_workers=1, test_timeout_s=1.0, drop_privileges=False)
    daemon = textwrap.dedent("""\
        import os, subprocess, time
        def f():
            subprocess.Popen(["sleep", "1000"], start_new_session=True)
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(1000)
                os._exit(0)
            return os.getuid()
    """)
    with Executor(config) as executor:
        results = executor.score([Program(daemon, "f", [{"args": []}]),
                                  add_program("while True:\n    pass"),
                                  add_program("return a + b")])
        workers = executor.worker_pids
        children = [name for name in os.listdir("/proc") if name.isdigit()
                    and _parent_of(int(name)) in workers]
    assert results[0].verdict is Verdict.PASS and results[0].tests[0].output == str(os.getuid())
    assert [r.verdict for r in results[1:]] == [Verdict.TIMEOUT, Verdict.PASS]
    assert executor.sandbox_uids == [None] and children == []


def _parent_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def test_working_directory_cleanup_is_safe_and_bounded(tmp_path) -> None:
    from codecorr_jax.execution import worker
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    workdir = tmp_path / "work"
    deep = workdir
    for _ in range(100):  # deeper than the cleanup's recursion bound
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "file").write_text("x")
    (workdir / "link_to_outside").symlink_to(outside)
    (workdir / "d" / "link_to_file").symlink_to(outside / "keep.txt")
    locked = workdir / "locked"
    locked.mkdir()
    (locked / "inner").write_text("x")
    locked.chmod(0)
    worker._empty_directory(str(workdir))
    assert os.listdir(workdir) == []
    assert (outside / "keep.txt").read_text() == "keep"


def test_task_and_child_counting() -> None:
    from codecorr_jax.execution import worker
    assert worker._count_tasks_of(os.getuid()) >= 1
    assert worker._children_of(os.getppid()) and os.getpid() in worker._children_of(os.getppid())


def test_large_return_values(executor: Executor) -> None:
    source = "def f(n):\n    return 'x' * n\n"
    big = 900_000  # under max_result_bytes (1 MiB) each, 7 MB for the program
    tests = [{"args": [big], "expected": "x" * big}] * 8 + [{"args": [2_000_000], "expected": ""}]
    result = executor.score([Program(source, "f", tests)])[0]
    assert [t.verdict for t in result.tests] == [Verdict.PASS] * 8 + [Verdict.FAIL]
    assert "over 1048576 bytes" in result.tests[8].message


def test_a_worker_killed_mid_batch_loses_one_program_and_the_pool_recovers() -> None:
    """SIGKILL to a worker from outside while a batch runs: the program it held is reported
    crashed (never a pass, never lost), every other program of the batch is scored, and the
    pool has all its workers again."""
    slow = Program("import time\ndef f():\n    time.sleep(0.8)\n    return 1\n", "f",
                   [{"args": [], "expected": 1}])
    with Executor(ExecutorConfig(num_workers=2, test_timeout_s=3.0)) as executor:
        before = list(executor.worker_pids)
        futures = executor.submit([slow] * 6)
        time.sleep(0.4)  # each worker is inside its first program
        os.kill(before[0], signal.SIGKILL)
        results = [f.result(timeout=60) for f in futures]
        verdicts = [r.verdict for r in results]
        assert verdicts.count(Verdict.CRASHED) == 1, verdicts
        assert verdicts.count(Verdict.PASS) == 5
        crashed = next(r for r in results if r.verdict is Verdict.CRASHED)
        assert "worker" in crashed.message
        after = executor.worker_pids
        assert len(after) == 2 and before[0] not in after
        assert [r.verdict for r in executor.score([slow] * 4)] == [Verdict.PASS] * 4


def test_every_worker_at_its_memory_limit_at_once_is_memory_not_a_pass() -> None:
    """All workers allocate up to (and past) their limit at the same time, touching the pages:
    each verdict is memory_exceeded, the calling process lives on, and the pool scores the
    next batch."""
    greedy = Program("def f():\n    blocks = []\n    while True:\n"
                     "        blocks.append(bytearray(32 * 2**20))\n    return 1\n", "f",
                     [{"args": [], "expected": 1}])
    with Executor(ExecutorConfig(num_workers=2, memory_limit_mb=512,
                                 test_timeout_s=10.0)) as executor:
        results = executor.score([greedy] * 4)
        assert [r.verdict for r in results] == [Verdict.MEMORY_EXCEEDED] * 4, results
        assert executor.score([add_program("return a + b")])[0].verdict is Verdict.PASS


def test_a_killed_executors_sandbox_directory_is_removed_by_the_next_one(tmp_path) -> None:
    """A process killed by SIGKILL leaves its sandbox directory; the next executor on the host
    removes it, and keeps those of live processes and of other hosts."""
    import subprocess
    import sys

    code = ("import os, signal\nfrom codecorr_jax.execution import Executor, ExecutorConfig\n"
            f"e = Executor(ExecutorConfig(num_workers=1, work_root={str(tmp_path)!r}))\n"
            "print(e._work_root, flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n")
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    orphan = killed.stdout.strip()
    assert os.path.isdir(orphan) and os.listdir(orphan)  # its worker's directory too
    # the random end mkdtemp adds may hold "_": name the live one from the prefix, not by splitting
    live = tmp_path / (_work_root_prefix(os.getpid()) + "live")
    other_host = tmp_path / "codecorr_sandbox_otherhost_1_abc"
    for kept in (live, other_host):
        kept.mkdir()
    with Executor(ExecutorConfig(num_workers=1, work_root=str(tmp_path))) as executor:
        assert executor.score([Program("def f(x):\n    return x\n", "f",
                                       [{"args": [1], "expected": 1}])])[0].passed
        assert not os.path.exists(orphan)
        assert live.is_dir() and other_host.is_dir()
        assert os.path.isdir(executor._work_root)
    assert sorted(os.listdir(tmp_path)) == sorted([live.name, other_host.name])
