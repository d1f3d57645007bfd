"""The trusted parent's decision: a worker's report of one run -> a ProgramResult.

Everything in the report came out of the sandbox and may be forged by the program, so every field
is parsed defensively, and a test passes only when the canonical JSON of the value the program
returned equals the canonical JSON of the expected value, or, for a standard-input/output case,
when the program's output equals the expected output line by line after `normalize_output`.
Expected values never enter the sandbox.
"""

from __future__ import annotations

import dataclasses
import json
import signal
from typing import Any, Mapping, Sequence, Union

from codecorr_jax.canonical import canonical_json
from codecorr_jax.execution import sandbox
from codecorr_jax.execution.verdicts import ProgramResult, TestOutcome, Verdict

SHOWN_VALUE_CHARS = 80

# Expected value of a test with no expected output: it passes if it returns any JSON value.
PROBE = None
# Expected value of the single test of a test-code task: it passes if check() returns.
CHECK = "<check>"


@dataclasses.dataclass(frozen=True)
class StdoutExpected:
    """Expected value of a standard-input/output case: the expected output, already passed
    through `normalize_output`. A type of its own, so it can never be mistaken for JSON text."""

    text: str


# What `judge` accepts per test: canonical JSON text, PROBE, CHECK or a StdoutExpected.
Expected = Union[str, None, StdoutExpected]


def normalize_output(text: str) -> str:
    """Program output as competitive-programming judges compare it: line by line, ignoring
    trailing whitespace on each line and trailing empty lines (a missing or extra final newline
    is not a wrong answer; leading and inner whitespace still count)."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


_TEST_VERDICTS = {
    sandbox.TEST_FAIL: Verdict.FAIL,
    sandbox.TEST_ERROR: Verdict.RUNTIME_ERROR,
    sandbox.TEST_TIMEOUT: Verdict.TIMEOUT,
    sandbox.TEST_MEMORY: Verdict.MEMORY_EXCEEDED,
    sandbox.TEST_UNSERIALIZABLE: Verdict.FAIL,
}
_LOAD_VERDICTS = {**_TEST_VERDICTS, sandbox.LOAD_SYNTAX: Verdict.SYNTAX_ERROR}


def judge(report: Mapping[str, Any], expected: Sequence[Expected]) -> ProgramResult:
    """Judge one run. `expected[i]` is the canonical JSON expected from test i, PROBE, CHECK,
    or a StdoutExpected for a standard-input/output case."""
    total = len(expected)
    outcomes: list[TestOutcome | None] = [None] * total
    problem = _text(report.get("tampered")) or None
    load: dict | None = None
    ready = done = False
    for text in report.get("frames", ()):
        try:
            frame = json.loads(text)
        except (ValueError, RecursionError):
            frame = None
        if not isinstance(frame, dict):
            problem = problem or "unreadable frame on the result channel"
            break
        kind = frame.get("k")
        index = frame.get("i")
        if kind == sandbox.FRAME_READY and not ready and load is None:
            ready = True
        elif kind == sandbox.FRAME_LOAD and not ready and load is None:
            load = frame
        elif kind == sandbox.FRAME_DONE and (ready or load is not None) and not done:
            done = True
        elif (ready and not done and (kind == sandbox.TEST_OK or kind in _TEST_VERDICTS)
              and type(index) is int and 0 <= index < total and outcomes[index] is None):
            outcomes[index] = _test_outcome(frame, expected[index])
        else:
            problem = problem or f"unexpected frame {text[:SHOWN_VALUE_CHARS]!r}"
            break

    fatal = _fatal(report, problem, load, done)
    if fatal is None and any(outcome is None for outcome in outcomes):
        fatal = (Verdict.CRASHED, "Protocol", "tests missing from a finished run")
    if fatal is not None:
        verdict, error_type, message = fatal
        missing = TestOutcome(verdict, 0.0, error_type, message)
        if problem:  # a tampered channel: none of its outcomes count
            outcomes = [None] * total
        tests = tuple(outcome or missing for outcome in outcomes)
    else:
        tests = tuple(outcomes)  # type: ignore[arg-type]
        verdict = max((t.verdict for t in tests), key=lambda v: v.severity,
                      default=Verdict.PASS)
        first = next((t for t in tests if t.verdict is verdict), None)
        error_type, message = (first.error_type, first.message) if first else (None, "")
    return ProgramResult(
        verdict=verdict,
        passed=sum(t.verdict is Verdict.PASS for t in tests),
        total=total,
        tests=tests,
        error_type=error_type,
        message=message,
        time_s=_number(report.get("wall_s")),
        output=_text(report.get("output"), limit=None),
    )


def _fatal(report: Mapping[str, Any], problem: str | None, load: dict | None,
           done: bool) -> tuple[Verdict, str | None, str] | None:
    """A reason that ends the whole program, overriding per-test outcomes; None if it finished."""
    if problem:
        return Verdict.CRASHED, "Protocol", problem
    if load is not None:
        verdict = _LOAD_VERDICTS.get(load.get("v"), Verdict.CRASHED)
        return verdict, _text(load.get("type")) or None, _text(load.get("msg"))
    killed = report.get("killed")
    if killed:
        what = "a test" if killed == "test_timeout" else "the program"
        return (Verdict.TIMEOUT, "Timeout",
                f"killed after {_number(report.get('wall_s')):.2f} s: {what} ran over its "
                "time limit")
    signum = report.get("signal")
    if signum is not None:
        if signum == signal.SIGXCPU:
            return Verdict.TIMEOUT, "Timeout", "CPU time limit exceeded"
        name = _signal_name(signum)
        return Verdict.CRASHED, name, f"killed by {name}"
    code = report.get("exit_code")
    if code == sandbox.EXIT_SETUP_ERROR:
        return Verdict.CRASHED, "SandboxSetup", "the sandbox could not be set up"
    if code == sandbox.EXIT_HARNESS_ERROR:
        return Verdict.CRASHED, "Harness", "the program broke the test harness"
    if code != 0:
        return Verdict.CRASHED, "Exit", f"exited with status {code} before its tests finished"
    if not done:
        return Verdict.CRASHED, "Exit", "exited before its tests finished"
    return None


def _test_outcome(frame: dict, expected: Expected) -> TestOutcome:
    kind = frame.get("k")
    time_s = _number(frame.get("t"))
    if kind != sandbox.TEST_OK:
        return TestOutcome(_TEST_VERDICTS[kind], time_s, _text(frame.get("type")) or None,
                           _text(frame.get("msg")))
    if expected == CHECK:
        return TestOutcome(Verdict.PASS, time_s)
    if "o" not in frame:
        return TestOutcome(Verdict.FAIL, time_s, "Protocol", "no return value reported")
    if isinstance(expected, StdoutExpected):
        return _stdout_outcome(frame["o"], expected, time_s)
    try:
        produced = canonical_json(frame["o"])
    except (TypeError, ValueError, RecursionError) as exc:
        return TestOutcome(Verdict.FAIL, time_s, "Protocol", f"unreadable return value: {exc}")
    if expected is PROBE or produced == expected:
        return TestOutcome(Verdict.PASS, time_s, output=produced)
    return TestOutcome(Verdict.FAIL, time_s, "WrongAnswer",
                       f"expected {_shorten(expected)}, got {_shorten(produced)}", produced)


def _stdout_outcome(produced: Any, expected: StdoutExpected, time_s: float) -> TestOutcome:
    """A stdio case that ran to the end: compare its captured output with the expected one."""
    if type(produced) is not str:  # the harness always reports a string; anything else is forged
        return TestOutcome(Verdict.FAIL, time_s, "Protocol",
                           f"output reported as a {type(produced).__name__}, not a string")
    output = canonical_json(produced)  # the raw output, as JSON text like every other output
    if normalize_output(produced) == expected.text:
        return TestOutcome(Verdict.PASS, time_s, output=output)
    return TestOutcome(Verdict.FAIL, time_s, "WrongAnswer",
                       f"expected {_shorten(canonical_json(expected.text))}, got "
                       f"{_shorten(canonical_json(normalize_output(produced)))}", output)


def _signal_name(signum: Any) -> str:
    try:
        return signal.Signals(signum).name
    except (ValueError, TypeError):
        return f"signal {signum}"


def _shorten(text: str) -> str:
    return text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS] + "..."


def _text(value: Any, limit: int | None = sandbox.MESSAGE_CHARS + 3) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text if limit is None else text[:limit]


def _number(value: Any) -> float:
    return float(value) if type(value) in (int, float) else 0.0
