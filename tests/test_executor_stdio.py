"""Standard-input/output programs (LiveCodeBench and CodeContests' form): the program runs once
per case on that case's input, and what it prints is compared line by line, ignoring trailing
whitespace, by the trusted parent. Expected outputs never enter the sandbox."""

from __future__ import annotations

import json
import textwrap

import pytest

from codecorr_jax.execution import Executor, ExecutorConfig, Program, ProgramResult, Verdict
from codecorr_jax.execution import sandbox
from codecorr_jax.execution.executor import _crashed, _prepare
from codecorr_jax.execution.judge import StdoutExpected, judge, normalize_output

MAX_RESULT = 1 << 16
CONFIG = ExecutorConfig(num_workers=2, test_timeout_s=1.0, program_timeout_s=3.0,
                        memory_limit_mb=256, max_processes=8, max_output_bytes=1024,
                        max_result_bytes=MAX_RESULT)
SUM_CASES = [{"input": "1 2\n", "output": "3\n"}, {"input": "40 2\n", "output": "42\n"},
             {"input": "-5 5\n", "output": "0\n"}]


def stdio_program(body: str, cases: list[dict] = SUM_CASES, entry_point: str = "") -> Program:
    return Program(textwrap.dedent(body), entry_point, stdio=cases)


def score_one(executor: Executor, program: Program) -> ProgramResult:
    return executor.score([program])[0]


@pytest.fixture(scope="module")
def executor() -> Executor:
    with Executor(CONFIG) as running:
        yield running


# --------------------------------------------------------------------------- normalize_output

@pytest.mark.parametrize("text, normalized", [
    ("3\n", "3"),
    ("3", "3"),
    ("1 2  \n3\t\n\n\n", "1 2\n3"),            # trailing spaces, tabs and empty lines go
    ("a\r\nb\r\n", "a\nb"),                      # Windows line ends
    ("  a\n\nb\n", "  a\n\nb"),                  # leading spaces and inner empty lines stay
    ("a b\n", "a b"),                            # inner spaces stay
    ("", ""),
    ("\n \n\t\n", ""),
])
def test_normalize_output(text: str, normalized: str) -> None:
    assert normalize_output(text) == normalized


def test_normalize_output_keeps_differences_that_matter() -> None:
    assert normalize_output("1 2") != normalize_output("1  2")
    assert normalize_output(" 3") != normalize_output("3")
    assert normalize_output("a\n\nb") != normalize_output("a\nb")


# --------------------------------------------------------------------------- passing programs

def test_sum_read_with_input_passes(executor: Executor) -> None:
    result = score_one(executor, stdio_program("""\
        a, b = map(int, input().split())
        print(a + b)
    """))
    assert result.verdict is Verdict.PASS, result
    assert result.passed == result.total == 3
    assert [json.loads(t.output) for t in result.tests] == ["3\n", "42\n", "0\n"]


def test_sum_read_from_sys_stdin_passes(executor: Executor) -> None:
    cases = [{"input": "3\n1\n2\n3\n", "output": "6"}, {"input": "2\n10 20\n", "output": "30"}]
    programs = [
        stdio_program("""\
            import sys
            def main():
                data = sys.stdin.read().split()
                print(sum(map(int, data[1:])))
            if __name__ == "__main__":
                main()
        """, cases),
        stdio_program("""\
            import sys
            n = int(sys.stdin.readline())
            print(sum(int(x) for line in sys.stdin for x in line.split()))
        """, cases, entry_point="not an identifier"),  # any entry point string is accepted
    ]
    # the mapping form of a program takes stdio too
    programs.append({"source": programs[0].source, "entry_point": "main", "stdio": cases})
    results = executor.score(programs)
    assert [r.verdict for r in results] == [Verdict.PASS] * 3, results
    assert all(r.passed == 2 for r in results)


def test_trailing_whitespace_and_newlines_do_not_matter(executor: Executor) -> None:
    cases = [{"input": "", "output": "1 2\n3"},            # no final newline expected
             {"input": "", "output": "1 2   \n3\n\n\n"}]  # trailing junk in the expected text
    result = score_one(executor, stdio_program("""\
        print("1 2 ")
        print("3\\t")
        print()
        print()
    """, cases))
    assert result.verdict is Verdict.PASS, result
    assert json.loads(result.tests[0].output) == "1 2 \n3\t\n\n\n"  # reported as printed


# --------------------------------------------------------------------------- failing programs

def test_wrong_line_fails_naming_both(executor: Executor) -> None:
    result = score_one(executor, stdio_program("""\
        a, b = map(int, input().split())
        print(a + b)
        print(a * b)
    """, [{"input": "2 3", "output": "5\n7\n"}, {"input": "2 2", "output": "4\n4\n"}]))
    assert result.verdict is Verdict.FAIL
    assert result.error_type == "WrongAnswer"
    assert [t.verdict for t in result.tests] == [Verdict.FAIL, Verdict.PASS]
    assert result.tests[0].message == 'expected "5\\n7", got "5\\n6"'
    assert result.message == result.tests[0].message
    assert json.loads(result.tests[0].output) == "5\n6\n"


def test_long_outputs_are_shortened_in_the_message(executor: Executor) -> None:
    result = score_one(executor, stdio_program("print('a' * 500)",
                                               [{"input": "", "output": "b" * 500}]))
    assert result.verdict is Verdict.FAIL and result.error_type == "WrongAnswer"
    assert len(result.message) < 250 and result.message.count("...") == 2


@pytest.mark.parametrize("ending, verdict", [
    ("exit(0)", Verdict.PASS),
    ("exit()", Verdict.PASS),
    ("quit()", Verdict.PASS),
    ("import sys\nsys.exit()", Verdict.PASS),
    ("import sys\nsys.exit(0)", Verdict.PASS),
    ("raise SystemExit(False)", Verdict.PASS),
    ("import sys\nsys.exit(3)", Verdict.RUNTIME_ERROR),
    ("exit(True)", Verdict.RUNTIME_ERROR),
    ("raise SystemExit('bye')", Verdict.RUNTIME_ERROR),
])
def test_exit_status(executor: Executor, ending: str, verdict: Verdict) -> None:
    source = ("a, b = map(int, input().split())\nprint(a + b)\n" + ending
              + "\nprint('after exit')\n")
    result = score_one(executor, Program(source, "", stdio=SUM_CASES))
    assert result.verdict is verdict, result
    if verdict is Verdict.PASS:
        assert result.passed == 3  # the output printed before exiting counts, nothing after
    else:
        assert result.passed == 0 and result.error_type == "SystemExit"


def test_exit_code_property_of_a_subclass_is_not_trusted(executor: Executor) -> None:
    result = score_one(executor, stdio_program("""\
        class Quiet(SystemExit):
            code = property(lambda self: 0)
        print(3)
        raise Quiet(1)
    """, [{"input": "", "output": "3"}]))
    assert result.verdict is Verdict.RUNTIME_ERROR and result.error_type == "Quiet"


def test_reading_past_the_input_is_a_runtime_error(executor: Executor) -> None:
    result = score_one(executor, stdio_program("""\
        a = input()
        b = input()
        print(a, b)
    """, [{"input": "x\ny\n", "output": "x y"}, {"input": "x\n", "output": "x"}]))
    assert [t.verdict for t in result.tests] == [Verdict.PASS, Verdict.RUNTIME_ERROR]
    assert result.error_type == "EOFError"


def test_infinite_loop_times_out_its_case(executor: Executor) -> None:
    result = score_one(executor, stdio_program("""\
        n = int(input().split()[0])
        while n == 40:
            pass
        print(n + 2 if n == 1 else 0)
    """))
    assert [t.verdict for t in result.tests] == [Verdict.PASS, Verdict.TIMEOUT, Verdict.PASS]
    assert result.verdict is Verdict.TIMEOUT and result.error_type == "Timeout"
    assert result.passed == 2 and "1 s" in result.tests[1].message


def test_huge_output_fails_over_the_limit(executor: Executor) -> None:
    result = score_one(executor, stdio_program('print("x" * 10 ** 7)',
                                               [{"input": "", "output": "x"}]))
    assert result.verdict in (Verdict.FAIL, Verdict.MEMORY_EXCEEDED), result
    assert result.passed == 0
    if result.verdict is Verdict.FAIL:
        assert "over the limit" in result.message and str(MAX_RESULT) in result.message
    # escapes make the JSON of this output six times longer than the output itself
    escaped = score_one(executor, stdio_program('print("\\u00e9" * 20000)',
                                                [{"input": "", "output": "e"}]))
    assert escaped.verdict is Verdict.FAIL and "over the limit" in escaped.message
    assert score_one(executor, stdio_program("print(sum(map(int, input().split())))")).all_passed


def test_many_large_outputs_fit_the_result_channel(executor: Executor) -> None:
    """The worker sizes the result channel by the number of cases: six outputs just under the
    limit are more than the three frames' room it would give a program without tests."""
    size = MAX_RESULT - 100
    cases = [{"input": str(i), "output": str(i) * size} for i in range(6)]
    result = score_one(executor, stdio_program("print(input() * %d)" % size, cases))
    assert result.verdict is Verdict.PASS, (result.verdict, result.error_type, result.message)
    assert result.passed == 6


def test_syntax_error(executor: Executor) -> None:
    result = score_one(executor, stdio_program("print(int(input()) +\n"))
    assert result.verdict is Verdict.SYNTAX_ERROR and result.error_type == "SyntaxError"
    assert result.passed == 0 and len(result.tests) == 3


# --------------------------------------------------------------------------- hostile programs

def test_forged_frames_cannot_pass(executor: Executor) -> None:
    cases = [{"input": "1 2", "output": "3"}]
    forged = '0123456789abcdef01234567 {"k":"ok","i":0,"t":0,"o":"3"}'
    done = '{"k":"done"}'
    programs = [
        # a frame look-alike on the captured stdout is just a wrong answer
        stdio_program(f"print({forged!r})\nprint({done!r})\n", cases),
        # the right answer on the real stdout, around the capture, does not count
        stdio_program("""\
            import os, sys
            os.write(1, b"3\\n")
            sys.__stdout__.write("3\\n")
            sys.__stdout__.flush()
        """, cases),
        # a frame written straight to the result channel taints the whole run
        stdio_program(f"import os\nos.write({sandbox.RESULT_FD}, {forged.encode()!r} + b'\\n')\n"
                      "print(4)\n", cases),
    ]
    results = executor.score(programs)
    assert all(r.verdict is not Verdict.PASS and r.passed == 0 for r in results), results
    assert results[0].verdict is Verdict.FAIL and results[0].error_type == "WrongAnswer"
    assert results[1].verdict is Verdict.FAIL and "3" in results[1].output
    assert json.loads(results[1].tests[0].output) == ""
    assert results[2].verdict is Verdict.CRASHED and results[2].error_type == "Protocol"


def test_patched_streams_and_builtins_do_not_leak_into_the_next_case(
        executor: Executor) -> None:
    cases = [{"input": "1", "output": "1"}, {"input": "2", "output": "4"},
             {"input": "3", "output": "9 fresh"}]
    result = score_one(executor, stdio_program("""\
        import builtins, io, sys, types
        n = int(input())
        if n == 1:
            print(1)
            builtins.print = lambda *args, **kwargs: None
            builtins.input = lambda *args: "3"
            builtins.marker = "leaked"
            sys.stdout = io.StringIO("4\\n")  # case 2's answer, in a buffer nobody reads
            sys.stdin = None
            class Locked(types.ModuleType):
                def __setattr__(self, name, value):
                    raise RuntimeError("sys is locked")
            sys.__class__ = Locked  # the harness must still swap the streams
        elif n == 2:
            sys.stdout.write("wrong\\n")
        else:
            print(n * n, getattr(builtins, "marker", "fresh"))
    """, cases))
    assert [t.verdict for t in result.tests] == [Verdict.PASS, Verdict.FAIL, Verdict.PASS], \
        result
    assert result.tests[1].message == 'expected "4", got "wrong"'


def test_a_program_that_breaks_stdout_does_not_crash_the_harness(executor: Executor) -> None:
    result = score_one(executor, stdio_program("""\
        import builtins, sys
        print(sum(map(int, input().split())))
        sys.stdout = None
        del builtins.print
        sys.stdin.close()
    """))
    assert result.verdict is Verdict.PASS, result


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("fields, message", [
    ({"tests": [{"args": [], "expected": 1}]}, "not both tests and stdio"),
    ({"test_code": "def check(c): pass"}, "not both test_code and stdio"),
    ({"tests": [{"args": []}], "test_code": "def check(c): pass"}, "not all of"),
])
def test_stdio_with_another_form_is_rejected(executor: Executor, fields: dict,
                                             message: str) -> None:
    program = Program("print(1)", "f", stdio=[{"input": "", "output": "1"}], **fields)
    with pytest.raises(ValueError, match=message):
        executor.submit([program])


@pytest.mark.parametrize("stdio, message", [
    (["1 2"], r"program 1, stdio case 0: a case is a mapping"),
    ([{"input": "1"}], r"program 1, stdio case 0: missing 'output'"),
    ([{"output": "1"}], r"program 1, stdio case 0: missing 'input'"),
    ([{"input": "1", "output": "1"}, {"input": 3, "output": "3"}],
     r"program 1, stdio case 1: 'input' must be a str, got int"),
    ([{"input": "1", "output": b"1"}], r"program 1, stdio case 0: 'output' must be a str"),
    ("1 2", r"program 1: stdio must be a list"),
])
def test_malformed_stdio_cases_are_rejected(executor: Executor, stdio, message: str) -> None:
    good = stdio_program("print(1)", [{"input": "", "output": "1"}])
    with pytest.raises(ValueError, match=message):
        executor.submit([good, Program("print(1)", "", stdio=stdio)])


def test_entry_point_must_still_be_a_string() -> None:
    with pytest.raises(TypeError, match="entry_point must be a str"):
        _prepare(Program("print(1)", None, stdio=[{"input": "", "output": "1"}]), 0)
    with pytest.raises(ValueError, match="entry_point must be a Python identifier"):
        _prepare(Program("def f(): pass", "", [{"args": [], "expected": None}]), 0)


def test_expected_outputs_stay_in_the_parent() -> None:
    job, expected = _prepare(Program("print(1)", "", stdio=[
        {"input": "in-one", "output": "secret-one  \n"},
        {"input": "in-two", "output": "secret-two"}]), 0)
    assert job["stdin"] == ["in-one", "in-two"] and "args" not in job
    assert "secret" not in json.dumps(job)
    assert expected == [StdoutExpected("secret-one"), StdoutExpected("secret-two")]


# --------------------------------------------------------------------------- the judge

def _report(*frames: dict) -> dict:
    return {"frames": [json.dumps(f) for f in frames], "tampered": None, "exit_code": 0,
            "signal": None, "killed": None, "wall_s": 0.01, "output": ""}


READY, DONE = {"k": sandbox.FRAME_READY, "t": 0.0}, {"k": sandbox.FRAME_DONE}


@pytest.mark.parametrize("frame, error_type", [
    ({"i": 0, "k": "ok", "t": 0, "o": ["3"]}, "Protocol"),   # not a string
    ({"i": 0, "k": "ok", "t": 0, "o": 3}, "Protocol"),
    ({"i": 0, "k": "ok", "t": 0}, "Protocol"),               # no output at all
    ({"i": 0, "k": "ok", "t": 0, "o": "4\n"}, "WrongAnswer"),
])
def test_judge_rejects_forged_or_wrong_stdout(frame: dict, error_type: str) -> None:
    result = judge(_report(READY, frame, DONE), [StdoutExpected("3")])
    assert result.verdict is Verdict.FAIL and result.error_type == error_type


def test_judge_passes_matching_stdout() -> None:
    frames = (READY, {"i": 0, "k": "ok", "t": 0, "o": "3  \n\n"},
              {"i": 1, "k": "ok", "t": 0, "o": "1 2\r\n"}, DONE)
    result = judge(_report(*frames), [StdoutExpected("3"), StdoutExpected("1 2")])
    assert result.verdict is Verdict.PASS and result.passed == 2
    # a JSON-test expectation that looks like the same text is not confused with it
    assert judge(_report(*frames), ['"3  \\n\\n"', '"x"']).passed == 1


def test_crashed_result_is_sized_by_stdio_cases() -> None:
    result = _crashed([StdoutExpected("1"), StdoutExpected("2")], "sandbox worker lost")
    assert result.verdict is Verdict.CRASHED and result.total == 2 and len(result.tests) == 2
    assert all(t.verdict is Verdict.CRASHED for t in result.tests)


def test_byte_level_fast_io_reads_and_writes_like_a_console(executor):
    """sys.stdin.buffer / sys.stdout.buffer, the usual fast I/O of competitive programs, and
    text and bytes written in turn keep their order."""
    source = ("import sys\n"
              "a, b = map(int, sys.stdin.buffer.readline().split())\n"
              "print('sum', end=' ')\n"
              "sys.stdout.buffer.write(str(a + b).encode() + b'\\n')\n"
              "sys.stdout.close()\n")  # closing stdout does not lose what was written
    [result] = executor.score([Program(source, "", stdio=[{"input": "3 4\n", "output": "sum 7"}])])
    assert result.all_passed, result.message
