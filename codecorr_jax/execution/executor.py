"""The executor: a persistent pool of sandbox workers that scores batches of programs.

`Executor(config)` starts `config.workers` worker processes (bare interpreters that never import
jax, started with accelerators hidden) and one dispatcher thread per worker. `submit(batch)` queues
programs and returns futures at once, so an RL loop can compute values and reference logprobs
while programs run; `score(batch)` waits for them. Workers are started with subprocess (fork+exec),
never a plain fork of the caller, which may hold jax and many threads.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import keyword
import os
import queue
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import weakref
from typing import Any, Iterable, Mapping, Sequence, Union

from codecorr_jax.canonical import canonical_json
from codecorr_jax.execution import sandbox, worker
from codecorr_jax.execution.config import ExecutorConfig
from codecorr_jax.execution.judge import (CHECK, PROBE, Expected, StdoutExpected, judge,
                                          normalize_output)
from codecorr_jax.execution.verdicts import ProgramResult, TestOutcome, Verdict

WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
WORKER_START_TIMEOUT_S = 60.0
# Beyond the program's own deadline, how long a worker may take to clean up and answer.
WORKER_REPLY_SLACK_S = 30.0
# Hide accelerators from workers and programs; clear everything else from the environment.
WORKER_ENVIRONMENT = {**sandbox.CHILD_ENVIRONMENT, "PYTHONDONTWRITEBYTECODE": "1"}


@dataclasses.dataclass(frozen=True)
class Program:
    """One program to score, in one of three forms (give at most one of them).

    `tests`, a list of {"args": [...], "expected": ...} JSON values (the task record's form; the
    entry point is called as `entry_point(*args)`; a test without "expected" is a probe: it passes
    if the call returns a JSON value, which is reported in `TestOutcome.output`);
    `test_code`, Python source defining `check_name(candidate)` that asserts on the entry point
    (HumanEval's form; one test that passes if check returns);
    or `stdio`, a list of {"input": str, "output": str} cases (the competitive-programming form
    of LiveCodeBench and CodeContests): the whole program runs once per case as `__main__` with
    the input on `sys.stdin`, and passes when what it prints equals the output line by line,
    ignoring trailing whitespace (see `judge.normalize_output`). `entry_point` is not called
    then and may be any string, "" included; `TestOutcome.output` is the printed text as JSON.
    """

    source: str
    entry_point: str
    tests: Sequence[Mapping[str, Any]] = ()
    test_code: str | None = None
    check_name: str = "check"
    stdio: Sequence[Mapping[str, str]] = ()


ProgramLike = Union[Program, Sequence[Any], Mapping[str, Any]]


class ExecutorClosedError(RuntimeError):
    """submit() after close()."""


class Executor:
    """Scores programs in sandboxes on this host's CPUs. Use as a context manager or close()."""

    def __init__(self, config: ExecutorConfig | None = None) -> None:
        self.config = config or ExecutorConfig()
        remove_orphaned_work_roots(self.config.resolved_work_root())
        self._work_root = tempfile.mkdtemp(prefix=_work_root_prefix(os.getpid()),
                                           dir=self.config.resolved_work_root())
        os.chmod(self._work_root, 0o711)  # sandbox uids may traverse to their own directory
        self._settings = self.config.worker_settings(
            self._work_root, os.path.join(tempfile.gettempdir(), "codecorr_sandbox_uids"))
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._next_id = 0
        self._slots: list[_WorkerSlot] = []
        self._finalizer = weakref.finalize(self, _shutdown, self._slots, self._work_root)
        try:
            starting = [_WorkerSlot.launch(self._settings, self.config.site_packages)
                        for _ in range(self.config.workers)]
            for slot in starting:
                self._slots.append(slot)
                slot.await_hello()
        except BaseException:
            self._finalizer()
            raise
        self._threads = [threading.Thread(target=self._serve, args=(slot,), daemon=True,
                                          name=f"sandbox-dispatch-{i}")
                         for i, slot in enumerate(self._slots)]
        for thread in self._threads:
            thread.start()

    # ---- public API

    def submit(self, batch: Iterable[ProgramLike]) -> list[concurrent.futures.Future]:
        """Queue programs; one Future[ProgramResult] per program, in order."""
        prepared = [_prepare(program, n) for n, program in enumerate(batch)]
        futures = []
        with self._lock:
            if self._closed:
                raise ExecutorClosedError("submit() on a closed Executor")
            for job, expected in prepared:
                job["id"] = self._next_id
                self._next_id += 1
                future: concurrent.futures.Future = concurrent.futures.Future()
                self._queue.put((job, expected, future))
                futures.append(future)
        return futures

    def score(self, batch: Iterable[ProgramLike]) -> list[ProgramResult]:
        """Score programs and wait for all results, in order."""
        return [future.result() for future in self.submit(batch)]

    @property
    def sandbox_uids(self) -> list[int | None]:
        """The uid each worker runs programs as (None when not running as root)."""
        return [slot.uid for slot in self._slots]

    @property
    def worker_pids(self) -> list[int]:
        return [slot.process.pid for slot in self._slots if slot.process is not None]

    def close(self) -> None:
        """Cancel queued programs, finish running ones, stop the workers."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[2].cancel()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._finalizer()

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # ---- dispatch

    def _serve(self, slot: "_WorkerSlot") -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job, expected, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                report = slot.request(job, self.config.program_timeout_s + WORKER_REPLY_SLACK_S)
                result = judge(report, expected)
            except _WorkerLost as exc:
                result = _crashed(expected, f"sandbox worker lost: {exc}")
                try:
                    slot.restart()
                except BaseException as restart_error:  # noqa: BLE001 - reported per job
                    slot.broken = f"could not restart sandbox worker: {restart_error}"
            except BaseException as exc:  # noqa: BLE001 - delivered to the caller
                future.set_exception(exc)
                continue
            future.set_result(result)


class _WorkerLost(Exception):
    """The worker died, stopped answering or broke the protocol."""


class _WorkerSlot:
    """One worker process and how to talk to it (used by exactly one dispatcher thread)."""

    def __init__(self, settings: dict, site_packages: bool) -> None:
        self.settings = settings
        self.site_packages = site_packages
        self.process: subprocess.Popen | None = None
        self.uid: int | None = None
        self.broken: str | None = None

    @classmethod
    def launch(cls, settings: dict, site_packages: bool) -> "_WorkerSlot":
        slot = cls(settings, site_packages)
        slot._spawn()
        return slot

    def _spawn(self) -> None:
        flags = ["-I"] if self.site_packages else ["-I", "-S"]
        environment = dict(WORKER_ENVIRONMENT)
        environment["PATH"] = os.environ.get("PATH", environment["PATH"])
        self.process = subprocess.Popen(
            [sys.executable, *flags, WORKER_SCRIPT, _json(self.settings)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, close_fds=True,
            start_new_session=True)  # Ctrl-C in the trainer's terminal is not the worker's

    def await_hello(self) -> None:
        try:
            hello = self._receive(WORKER_START_TIMEOUT_S)
        except _WorkerLost as exc:
            raise RuntimeError(f"sandbox worker failed to start: {exc}") from exc
        if not hello.get("ok"):
            raise RuntimeError(f"sandbox worker failed to start: {hello.get('error')}")
        self.uid = hello.get("uid")

    def restart(self) -> None:
        self.stop()
        self._spawn()
        self.await_hello()

    def request(self, job: dict, timeout_s: float) -> dict:
        if self.broken:
            raise RuntimeError(self.broken)
        assert self.process is not None and self.process.stdin is not None
        try:
            worker.write_message(self.process.stdin.fileno(), job)
        except OSError as exc:
            raise _WorkerLost(f"cannot send: {exc}") from exc
        report = self._receive(timeout_s)
        if report.get("id") != job["id"]:
            raise _WorkerLost(f"answer for job {report.get('id')}, expected {job['id']}")
        return report

    def _receive(self, timeout_s: float) -> dict:
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout_s)
        if not ready:
            raise _WorkerLost(f"no answer within {timeout_s:.0f} s")
        try:
            message = worker.read_message(fd)
        except (OSError, ValueError) as exc:
            raise _WorkerLost(f"unreadable answer: {exc}") from exc
        if not isinstance(message, dict):
            raise _WorkerLost(f"exited with status {self.process.poll()}")
        return message

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()  # the worker exits at end of input, after killing its child
        except OSError:
            pass
        try:
            process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


WORK_ROOT_PREFIX = "codecorr_sandbox_"


def _host_prefix() -> str:
    """The start of this host's sandbox directory names (no "_" inside the host part)."""
    host = socket.gethostname().replace("_", "-") or "host"
    return f"{WORK_ROOT_PREFIX}{host}_"


def _work_root_prefix(pid: int) -> str:
    """A sandbox directory's name names its host and process, so an orphan can be told."""
    return f"{_host_prefix()}{pid}_"


def remove_orphaned_work_roots(directory: str) -> list[str]:
    """Remove the sandbox directories in `directory` that this host's executors left when
    their process died: a trainer killed by SIGKILL cannot remove its own, and a run killed
    and resumed many times would leave one each time. A directory whose process id is alive
    (or taken again by another process), or of another host (a shared disk), is kept.
    Returns the removed paths."""
    removed = []
    pattern = re.compile(re.escape(_host_prefix()) + r"(\d+)_")
    for name in sorted(os.listdir(directory)):
        match = pattern.match(name)
        if match is None:
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue  # alive
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError):
            continue  # alive under another user, or not a process id
        path = os.path.join(directory, name)
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _shutdown(slots: list[_WorkerSlot], work_root: str) -> None:
    for slot in slots:
        slot.stop()
    shutil.rmtree(work_root, ignore_errors=True)


def _prepare(program: ProgramLike, position: int) -> tuple[dict, list[Expected]]:
    """Validate one program and split it into the job the sandbox sees and what stays here."""
    program = _as_program(program, position)
    where = f"program {position}"
    if not isinstance(program.source, str):
        raise TypeError(f"{where}: source must be a str, got {type(program.source).__name__}")
    forms = [name for name, given in (("tests", bool(program.tests)),
                                      ("test_code", program.test_code is not None),
                                      ("stdio", bool(program.stdio))) if given]
    if len(forms) > 1:
        raise ValueError(f"{where}: give one of tests, test_code or stdio, not "
                         f"{'both' if len(forms) == 2 else 'all of'} {' and '.join(forms)}")
    if forms == ["stdio"]:  # the entry point is never called: any string will do
        if not isinstance(program.entry_point, str):
            raise TypeError(f"{where}: entry_point must be a str, got "
                            f"{type(program.entry_point).__name__}")
        return _prepare_stdio(program.source, program.entry_point, program.stdio, where)
    if not (isinstance(program.entry_point, str) and program.entry_point.isidentifier()
            and not keyword.iskeyword(program.entry_point)):
        raise ValueError(f"{where}: entry_point must be a Python identifier, got "
                         f"{program.entry_point!r}")
    job: dict[str, Any] = {"source": program.source, "entry_point": program.entry_point}
    if program.test_code is not None:
        if not isinstance(program.test_code, str):
            raise TypeError(f"{where}: test_code must be a str")
        if not program.check_name.isidentifier():
            raise ValueError(f"{where}: check_name must be an identifier, got "
                             f"{program.check_name!r}")
        job.update(test_code=program.test_code, check_name=program.check_name)
        return job, [CHECK]
    args_texts, expected = [], []
    for i, test in enumerate(program.tests):
        if not isinstance(test, Mapping) or "args" not in test:
            raise ValueError(f"{where}, test {i}: a test is a mapping with 'args' (and "
                             f"'expected'), got {test!r:.80}")
        args = test["args"]
        if not isinstance(args, (list, tuple)):
            raise ValueError(f"{where}, test {i}: 'args' must be a list, got "
                             f"{type(args).__name__}")
        try:
            args_texts.append(canonical_json(list(args)))
            expected.append(canonical_json(test["expected"]) if "expected" in test else PROBE)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}, test {i}: not a JSON value: {exc}") from exc
    job["args"] = args_texts
    return job, expected


def _prepare_stdio(source: str, entry_point: str, cases: Sequence[Mapping[str, str]],
                   where: str) -> tuple[dict, list[Expected]]:
    """The stdio form: only the inputs go to the sandbox; the normalised outputs stay here."""
    if isinstance(cases, (str, bytes, Mapping)) or not isinstance(cases, Iterable):
        raise ValueError(f"{where}: stdio must be a list of {{'input': str, 'output': str}} "
                         f"cases, got {type(cases).__name__}")
    inputs: list[str] = []
    expected: list[Expected] = []
    for i, case in enumerate(cases):
        if not isinstance(case, Mapping):
            raise ValueError(f"{where}, stdio case {i}: a case is a mapping with 'input' and "
                             f"'output', got {type(case).__name__}")
        for key in ("input", "output"):
            if key not in case:
                raise ValueError(f"{where}, stdio case {i}: missing {key!r}")
            if not isinstance(case[key], str):
                raise ValueError(f"{where}, stdio case {i}: {key!r} must be a str, got "
                                 f"{type(case[key]).__name__}")
        inputs.append(case["input"])
        expected.append(StdoutExpected(normalize_output(case["output"])))
    return {"source": source, "entry_point": entry_point, "stdin": inputs}, expected


def _as_program(program: ProgramLike, position: int) -> Program:
    if isinstance(program, Program):
        return program
    if isinstance(program, Mapping):
        known = {field.name for field in dataclasses.fields(Program)}
        unknown = set(program) - known
        if unknown:
            raise ValueError(f"program {position}: unknown keys {sorted(unknown)}; "
                             f"known: {sorted(known)}")
        return Program(**program)
    if isinstance(program, Sequence) and not isinstance(program, str) and len(program) == 3:
        return Program(source=program[0], entry_point=program[1], tests=program[2])
    raise TypeError(f"program {position}: expected Program, a mapping or a (source, "
                    f"entry_point, tests) tuple, got {type(program).__name__}")


def _crashed(expected: Sequence[Expected], message: str) -> ProgramResult:
    outcome = TestOutcome(Verdict.CRASHED, 0.0, "Sandbox", message)
    return ProgramResult(Verdict.CRASHED, 0, len(expected), (outcome,) * len(expected),
                         "Sandbox", message)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


__all__ = ["Executor", "ExecutorClosedError", "Program", "ProgramLike"]
