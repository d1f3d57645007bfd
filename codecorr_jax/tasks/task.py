"""The one task type every source loads into, and the program a completion of it becomes.

A task is checked one of three ways, as the benchmarks researchers hold are: JSON tests (the
project's task record: `entry_point(*args)` must return `expected`), test code (HumanEval's
`check(candidate)`, MBPP's asserts) or standard-input/standard-output cases (competitive
programming: the program reads stdin, its printed output is compared line by line).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from codecorr_jax.data.chat import extract_code
from codecorr_jax.execution import Program


@dataclasses.dataclass(frozen=True)
class Task:
    """One problem as evaluation, the RL rewarder and contamination checks see it."""

    task_id: str
    prompt: str
    entry_point: str
    tests: tuple[dict[str, Any], ...] = ()  # {"args": [...], "expected": ...} JSON tests
    test_code: str | None = None  # source defining `check(candidate)` (HumanEval, MBPP)
    full_program: bool = False  # the completion is the whole program (instruction style)
    chat: bool = False  # asked through a chat template: the program is the answer's code block
    constants: int | None = None  # a composite's constant step arguments (reports group by it)
    stdio: tuple[tuple[str, str], ...] = ()  # (stdin, expected stdout) cases
    harness: str = ""  # code appended to the program before its tests (e.g. a method's caller)
    solution: str | None = None  # a reference program, when the source ships one
    # what SFT trains the prompt to continue with (the reference after the prompt), if known
    reference_completion: str | None = None
    # a second set of JSON tests the reward never sees: RL counts rewarded samples failing it
    heldback_tests: tuple[dict[str, Any], ...] = ()
    metadata: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    @property
    def check(self) -> str:
        """How the task is checked: "tests", "test_code" or "stdio"."""
        if self.stdio:
            return "stdio"
        return "test_code" if self.test_code is not None else "tests"


def program(task: Task, completion: str, heldback: bool = False) -> Program:
    """The program that runs: prompt + completion, or the completion alone (instruction). A
    chat answer's code block stands alone when it defines the entry point (a docstring-style
    task such as HumanEval answered with the whole function), else it continues the prompt.
    With `heldback`, the held-back tests run after the tests (`split_heldback` parts them)."""
    if task.chat:
        code = extract_code(completion)
        whole = task.full_program or (bool(task.entry_point)
                                      and f"def {task.entry_point}(" in code)
        source = code if whole else task.prompt + code
    else:
        source = completion if task.full_program else task.prompt + completion
    if task.harness:
        source = f"{source}\n\n{task.harness}"
    if task.stdio:
        return Program(source, task.entry_point,
                       stdio=[{"input": i, "output": o} for i, o in task.stdio])
    if task.test_code is not None:
        return Program(source, task.entry_point, test_code=task.test_code, check_name="check")
    tests = [*task.tests, *(task.heldback_tests if heldback else ())]
    return Program(source, task.entry_point, [dict(t) for t in tests])
