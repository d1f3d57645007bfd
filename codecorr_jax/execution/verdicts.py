"""What scoring a program produces: verdicts, per-test outcomes and the program's result."""

from __future__ import annotations

import dataclasses
import enum


class Verdict(str, enum.Enum):
    """How a program (or one test) ended. A str enum, so it is its own JSON/log value."""

    PASS = "pass"
    FAIL = "fail"                        # wrong answer, or a return value that is not JSON
    RUNTIME_ERROR = "runtime_error"      # raised (any exception, SystemExit included)
    SYNTAX_ERROR = "syntax_error"        # did not compile
    TIMEOUT = "timeout"                  # per-test timer, hard deadline or CPU limit
    MEMORY_EXCEEDED = "memory_exceeded"  # MemoryError under the address-space limit
    CRASHED = "crashed"                  # died by a signal, exited early, or broke the protocol

    @property
    def severity(self) -> int:
        """Which verdict a program gets when its tests end differently: the most severe."""
        return _SEVERITY[self]


_SEVERITY = {Verdict.PASS: 0, Verdict.FAIL: 1, Verdict.RUNTIME_ERROR: 2, Verdict.TIMEOUT: 3,
             Verdict.MEMORY_EXCEEDED: 4, Verdict.CRASHED: 5, Verdict.SYNTAX_ERROR: 6}


@dataclasses.dataclass(frozen=True)
class TestOutcome:
    """One test of one program."""

    __test__ = False  # not a pytest test class

    verdict: Verdict
    time_s: float = 0.0
    error_type: str | None = None
    """Exception type name for runtime errors ("ZeroDivisionError"), else a short tag."""
    message: str = ""
    output: str | None = None
    """Canonical JSON of the value the program returned, when it returned one."""


@dataclasses.dataclass(frozen=True)
class ProgramResult:
    """The trusted parent's judgement of one program."""

    verdict: Verdict
    passed: int
    total: int
    tests: tuple[TestOutcome, ...]
    error_type: str | None = None
    message: str = ""
    time_s: float = 0.0
    """Wall time of the sandboxed process, from fork to exit."""
    output: str = ""
    """The program's stdout and stderr, interleaved, capped at `max_output_bytes`."""

    @property
    def all_passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def part(self, start: int, stop: int) -> "ProgramResult":
        """The result the program would have had with only tests [start, stop): their
        outcomes, the most severe verdict among them (a fault that ended the whole run marks
        every test it reached, so it stays). How a held-back test set shares a run."""
        tests = self.tests[start:stop]
        verdict = max((t.verdict for t in tests), key=lambda v: v.severity, default=Verdict.PASS)
        first = next((t for t in tests if t.verdict is verdict and verdict is not Verdict.PASS),
                     None)
        return dataclasses.replace(
            self, verdict=verdict, passed=sum(t.verdict is Verdict.PASS for t in tests),
            total=len(tests), tests=tests, error_type=first.error_type if first else None,
            message=first.message if first else "")
