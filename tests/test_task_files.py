"""Task files researchers hold: each format read from a hand-written fixture in its exact
schema, its reference solutions passing and wrong ones failing in the executor, malformed lines
named by file, line and field, and a file source scored as an evaluation suite."""

from __future__ import annotations

import base64
import json
import os
import pickle
import zlib

import pytest

from codecorr_jax.eval.suites import evaluate
from codecorr_jax.execution import Executor, ExecutorConfig
from codecorr_jax.tasks import formats
from codecorr_jax.tasks.formats import FORMATS, ReadOptions, TaskFileError, read_tasks
from codecorr_jax.tasks.sources import FileSource, file_sources, with_expected_outputs
from codecorr_jax.tasks.task import Task, program

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "tasks")


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


@pytest.fixture(scope="module")
def executor():
    with Executor(ExecutorConfig(num_workers=2, test_timeout_s=2.0,
                                 program_timeout_s=5.0)) as running:
        yield running


def _passes(executor, tasks, completions) -> list[bool]:
    results = executor.score([program(t, c) for t, c in zip(tasks, completions)])
    return [r.all_passed for r in results]


# ---- every format from its fixture


def test_every_format_has_a_fixture():
    fixtures = {"codecorr": "codecorr.jsonl", "humaneval": "humaneval.jsonl",
                "mbpp": "mbpp.jsonl", "mbpp_sanitized": "mbpp_sanitized.jsonl",
                "evalplus": "evalplus.jsonl", "livecodebench": "livecodebench.jsonl"}
    assert set(fixtures) == set(FORMATS)  # a new format comes with its fixture and a test
    for name, file in fixtures.items():
        assert read_tasks(fixture(file), name), name


def test_codecorr_records_keep_their_tests_and_solution(executor):
    tasks = read_tasks(fixture("codecorr.jsonl"), "codecorr")
    assert [t.task_id for t in tasks] == ["local/double", "local/words"]
    assert tasks[0].tests == ({"args": [2], "expected": 4}, {"args": [-3], "expected": -6})
    assert tasks[0].heldback_tests == ({"args": [5], "expected": 10},)
    assert tasks[1].heldback_tests == ()  # optional
    assert tasks[0].check == "tests" and tasks[0].metadata["family"] == "local"
    whole = [Task(t.task_id, "", t.entry_point, t.tests) for t in tasks]  # solutions alone
    assert _passes(executor, whole, [t.solution for t in tasks]) == [True, True]
    assert _passes(executor, tasks, ["    return x\n", "    return 0\n"]) == [False, False]


def test_humaneval_file_runs_its_check_function(executor):
    tasks = read_tasks(fixture("humaneval.jsonl"), "humaneval")
    assert [t.entry_point for t in tasks] == ["add_one", "is_even"]
    assert all(t.check == "test_code" for t in tasks)
    bodies = [t.solution[len(t.prompt):] for t in tasks]
    assert bodies == ["    return [v + 1 for v in values]\n", "    return n % 2 == 0\n"]
    assert _passes(executor, tasks, bodies) == [True, True]
    assert _passes(executor, tasks, ["    return values\n", "    return 1\n"]) == [False, False]


def test_mbpp_asserts_become_test_code_on_the_called_function(executor):
    tasks = read_tasks(fixture("mbpp.jsonl"), "mbpp")
    assert [t.task_id for t in tasks] == ["mbpp/901", "mbpp/902"]
    # 902's code defines helper() first; the asserts call square_it
    assert [t.entry_point for t in tasks] == ["largest_of_three", "square_it"]
    assert "assert largest_of_three(1, 5, 3) == 5" in tasks[0].prompt  # MBPP shows one test
    assert tasks[1].metadata["challenge_test_list"] == ["assert square_it(-2) == 4"]
    assert "OFFSET = 0" in tasks[1].test_code  # the setup code runs before the asserts
    whole = [Task(t.task_id, "", t.entry_point, test_code=t.test_code, full_program=True)
             for t in tasks]
    assert _passes(executor, whole, [t.solution for t in tasks]) == [True, True]
    wrong = ["def largest_of_three(a, b, c):\n    return min(a, b, c)\n",
             "import math\ndef square_it(x):\n    return x * 3\n"]
    assert _passes(executor, whole, wrong) == [False, False]


def test_mbpp_sanitized_imports_what_its_tests_use(executor):
    tasks = read_tasks(fixture("mbpp_sanitized.jsonl"), "mbpp_sanitized")
    assert [t.entry_point for t in tasks] == ["reverse_text", "root_of"]
    assert tasks[1].test_code.startswith("import math")
    # the program does not import math itself: the test's import must be there
    completions = ["def reverse_text(s):\n    return s[::-1]\n",
                   "def root_of(x):\n    return x ** 0.5\n"]
    whole = [Task(t.task_id, "", t.entry_point, test_code=t.test_code, full_program=True)
             for t in tasks]
    assert _passes(executor, whole, completions) == [True, True]


def test_evalplus_expected_values_are_the_canonical_solutions(executor):
    base = read_tasks(fixture("evalplus.jsonl"), "evalplus", ReadOptions("base"))
    plus = read_tasks(fixture("evalplus.jsonl"), "evalplus", ReadOptions("plus"))
    assert [len(t.tests) for t in base] == [2, 1] and [len(t.tests) for t in plus] == [4, 3]
    assert all("expected" not in test for t in plus for test in t.tests)
    plus = with_expected_outputs(plus, executor)
    # clamp(5,0,10)=5, clamp(-1,0,10)=0, clamp(11,0,10)=10, clamp(0,0,0)=0; by hand
    assert [test["expected"] for test in plus[0].tests] == [5, 0, 10, 0]
    assert [test["expected"] for test in plus[1].tests] == ["C", "", "A"]
    # a solution right on the base inputs and wrong on an added one: base passes, plus fails
    half = ["    return x if x >= lo else lo\n", "    return s[-1] if s else ''\n"]
    base = with_expected_outputs(base, executor)
    assert _passes(executor, base, half) == [True, True]
    assert _passes(executor, plus, half) == [False, False]


def test_evalplus_refuses_a_reference_that_fails(executor, tmp_path):
    path = tmp_path / "plus.jsonl"
    path.write_text(json.dumps({"task_id": "P/0", "prompt": "def f(x):\n", "entry_point": "f",
                                "canonical_solution": "    return 1 / x\n",
                                "base_input": [[1], [0]], "plus_input": []}) + "\n")
    tasks = read_tasks(str(path), "evalplus")
    with pytest.raises(ValueError, match="task P/0: its reference solution fails"):
        with_expected_outputs(tasks, executor)


def _lcb_solutions():
    stdin = "a, b = map(int, input().split())\nprint(a + b)\n"
    functional = "        return [v + k for v in nums]\n"
    return stdin, functional


def test_livecodebench_public_and_private_cases_and_both_test_types(executor):
    tasks = read_tasks(fixture("livecodebench.jsonl"), "livecodebench")
    stdin, functional = tasks
    assert stdin.check == "stdio" and stdin.stdio == (("3 4\n", "7\n"), ("10 -2\n", "8\n"),
                                                      ("0 0\n", "0\n"))
    assert functional.entry_point == formats.LCB_ENTRY
    assert functional.tests == ({"args": [[1, 2, 3], 2], "expected": [3, 4, 5]},
                                {"args": [[], 5], "expected": []})
    assert functional.prompt.endswith("def shiftAll(self, nums: List[int], k: int) -> List[int]:"
                                      "\n        ")
    public = read_tasks(fixture("livecodebench.jsonl"), "livecodebench", ReadOptions("public"))
    assert [len(t.stdio) or len(t.tests) for t in public] == [1, 1]
    whole = Task(stdin.task_id, "", "", stdio=stdin.stdio, full_program=True)
    right_stdin, right_functional = _lcb_solutions()
    assert _passes(executor, [whole, functional], [right_stdin, right_functional]) == [True, True]
    wrong = ["a, b = map(int, input().split())\nprint(a - b)\n", "        return nums\n"]
    assert _passes(executor, [whole, functional], wrong) == [False, False]


def test_livecodebench_release_window_picks_problems_by_contest_date():
    path = fixture("livecodebench.jsonl")
    after = read_tasks(path, "livecodebench", ReadOptions(date_from="2024-06-01"))
    before = read_tasks(path, "livecodebench", ReadOptions(date_to="2024-03-02"))
    assert [t.task_id for t in after] == ["lcb/9001"]
    assert [t.task_id for t in before] == ["lcb/local_abc001_a"]  # inclusive


def test_livecodebench_compressed_cases_never_load_a_class(tmp_path):
    row = json.loads(open(fixture("livecodebench.jsonl")).readline())

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    row["private_test_cases"] = base64.b64encode(zlib.compress(pickle.dumps(Evil()))).decode()
    path = tmp_path / "lcb.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(TaskFileError, match=r"lcb.jsonl:1: field 'private_test_cases'.*refusing"):
        read_tasks(str(path), "livecodebench")


# ---- malformed files name file, line and field


def _write(tmp_path, lines) -> str:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("format_name, line, message", [
    ("humaneval", '{"task_id": "X/0", "prompt": "def f():\\n", "entry_point": "f"}',
     r"bad.jsonl:2: field 'test': missing"),
    ("humaneval", '{"task_id": 7, "prompt": "", "entry_point": "f", "test": ""}',
     r"bad.jsonl:2: field 'task_id': must be str, got int"),
    ("mbpp", '{"text": "t", "code": "def f(:", "task_id": 1, "test_list": ["assert f()"]}',
     r"bad.jsonl:2: field 'code': is not Python"),
    ("mbpp", '{"text": "t", "code": "def f(): 1", "task_id": 1, "test_list": ["assert g()"]}',
     r"bad.jsonl:2: field 'test_list': the first test calls none"),
    ("mbpp", '{"text": "t", "code": "def f(): 1", "task_id": 1, "test_list": [3]}',
     r"bad.jsonl:2: field 'test_list': item 0 must be str"),
    ("evalplus", '{"task_id": "P", "prompt": "", "entry_point": "f", "canonical_solution": "",'
     ' "base_input": [1]}', r"bad.jsonl:2: field 'base_input': input 0 must be a list"),
    ("codecorr", '{"task_id": "a", "prompt": "", "entry_point": "f", "tests": [{"x": 1}]}',
     r"bad.jsonl:2: field 'tests': test 0 must be an object"),
    ("codecorr", '{"task_id": "a", "prompt": "", "entry_point": "f", "tests": [], '
     '"heldback_tests": [{"args": [1]}]}', r"bad.jsonl:2: field 'heldback_tests': test 0 needs"),
    ("livecodebench", '{"question_id": "q", "question_content": "c", "public_test_cases": '
     '"[{\\"input\\": \\"1\\"}]"}', r"bad.jsonl:2: field 'public_test_cases': case 0"),
    ("humaneval", '{"task_id": "X/0", oops}', r"bad.jsonl:2: not JSON"),
    ("humaneval", '[1, 2]', r"bad.jsonl:2: a JSON object is expected, got list"),
])
def test_a_malformed_line_is_named(tmp_path, format_name, line, message):
    good = {"humaneval": '{"task_id": "G/0", "prompt": "", "entry_point": "g", "test": ""}',
            "mbpp": '{"text": "t", "code": "def h(): 1", "task_id": 0, "test_list": ["assert h()"]}',
            "evalplus": '{"task_id": "G", "prompt": "", "entry_point": "g", '
                        '"canonical_solution": "", "base_input": []}',
            "codecorr": '{"task_id": "g", "prompt": "", "entry_point": "g", "tests": []}',
            "livecodebench": '{"question_id": "g", "question_content": "c", "public_test_cases": '
                             '"[{\\"input\\": \\"1\\", \\"output\\": \\"1\\", \\"testtype\\": '
                             '\\"stdin\\"}]"}'}[format_name]
    with pytest.raises(TaskFileError, match=message):
        read_tasks(_write(tmp_path, [good, line]), format_name)


def test_duplicate_ids_and_unknown_formats_are_refused(tmp_path):
    row = '{"task_id": "G/0", "prompt": "", "entry_point": "g", "test": ""}'
    with pytest.raises(ValueError, match="task id 'G/0' occurs twice"):
        read_tasks(_write(tmp_path, [row, row]), "humaneval")
    with pytest.raises(ValueError, match="unknown task file format 'mbpp_plus'; formats: "):
        read_tasks(_write(tmp_path, [row]), "mbpp_plus")
    with pytest.raises(TaskFileError, match="cannot be read"):
        read_tasks(str(tmp_path / "absent.jsonl"), "humaneval")


# ---- sources from the config, scored as suites


def test_file_sources_from_a_config_section_are_validated():
    sources = file_sources({"plus": {"path": fixture("evalplus.jsonl"), "format": "evalplus",
                                     "variant": "plus"}})
    assert sources["plus"] == FileSource("plus", fixture("evalplus.jsonl"), "evalplus", "plus")
    with pytest.raises(ValueError, match=r"config.tasks.x.format='csv': formats are codecorr"):
        file_sources({"x": {"path": "a", "format": "csv"}})
    with pytest.raises(ValueError, match=r"config.tasks.x.variant='plus': format 'mbpp' has "
                                         r"variants none"):
        file_sources({"x": {"path": "a", "format": "mbpp", "variant": "plus"}})
    with pytest.raises(ValueError, match=r"config.tasks.x has unknown fields \['pth'\]"):
        file_sources({"x": {"pth": "a", "format": "mbpp"}})
    with pytest.raises(ValueError, match=r"config.tasks.x.date_from='March' is not an ISO"):
        file_sources({"x": {"path": "a", "format": "livecodebench", "date_from": "March"}})
    with pytest.raises(ValueError, match=r"config.tasks.x.path='/nonexistent.jsonl': no such"):
        FileSource("x", "/nonexistent.jsonl", "mbpp").check_exists()


class _Answers:
    """A completer answering each prompt from a table (the right or wrong completion)."""

    def __init__(self, table):
        self.table = table

    def complete(self, prompts, *, num_samples, temperature, max_new_tokens, seed):
        return [[self.table[p]] * num_samples for p in prompts]


def test_a_file_suite_is_scored_like_any_other(executor):
    tasks = read_tasks(fixture("humaneval.jsonl"), "humaneval")
    right = {tasks[0].prompt: "    return [v + 1 for v in values]\n",
             tasks[1].prompt: "    return n % 2 == 1\n"}  # is_even answered wrong
    results = evaluate(_Answers(right), {"local_he": tasks}, executor, num_samples=2, ks=(1, 2))
    suite = results["local_he"]
    assert suite["pass@1"] == 0.5 and suite["sampled_pass@2"] == 0.5
    assert [row["passed_greedy"] for row in suite["tasks"]] == [True, False]


# ---- the regimes' evaluator scores configured task files


def _config_with_files():
    from codecorr_jax.config import base_config
    config = base_config("sft")
    config.tasks.plus = dict(path=fixture("evalplus.jsonl"), format="evalplus", variant="plus")
    config.tasks.lcb = dict(path=fixture("livecodebench.jsonl"), format="livecodebench")
    config.eval.suites = ("plus", "lcb")
    config.logging.progress_bar = False
    return config


def test_config_validation_knows_task_files():
    from codecorr_jax.config import ConfigError, validate
    config = _config_with_files()
    validate(config)  # the file suites are known suites
    config.eval.suites = ("plus", "mbpp_local")
    with pytest.raises(ConfigError, match=r"config.eval.suites names 'mbpp_local'; .*task "
                                          r"files of config.tasks \(\['lcb', 'plus'\]\)"):
        validate(config)
    config = _config_with_files()
    config.tasks.humaneval = dict(path=fixture("humaneval.jsonl"), format="humaneval")
    with pytest.raises(ConfigError, match=r"config.tasks names \['humaneval'\], built-in"):
        validate(config)
    config = _config_with_files()
    config.tasks.lcb.path = fixture("absent.jsonl")
    with pytest.raises(ConfigError, match=r"config.tasks.lcb.path=.*absent.jsonl': no such file"):
        validate(config)


def test_the_evaluator_scores_task_files_with_computed_expected_values(executor, tmp_path,
                                                                         monkeypatch):
    from codecorr_jax.regimes.evaluation import Evaluator
    evaluator = Evaluator(_config_with_files(), "", None, None, executor)
    plus = evaluator.final_suites["plus"]
    lcb = sorted(evaluator.final_suites["lcb"], key=lambda t: t.check)  # stdio, then tests
    assert [test["expected"] for test in plus[0].tests] == [5, 0, 10, 0]
    stdin, functional = _lcb_solutions()
    answers = {plus[0].prompt: "    return max(lo, min(hi, x))\n",
               plus[1].prompt: "    return s[0]\n",  # wrong on '' and 'xyz'
               lcb[0].prompt: "\n" + stdin, lcb[1].prompt: functional}
    assert [t.check for t in lcb] == ["stdio", "tests"]
    monkeypatch.setattr(evaluator, "_completer", lambda model: _Answers(answers))
    results = evaluator.run(None, 7, str(tmp_path))
    assert results["plus"]["pass@1"] == 0.5, results["plus"]["tasks"]
    assert results["lcb"]["pass@1"] == 1.0, results["lcb"]["tasks"]
    written = json.loads((tmp_path / "eval" / "step_00000007.json").read_text())
    assert written["results"]["lcb"]["n_tasks"] == 2


# ---- task files against the training mixture


def test_overlap_finds_same_prompts_and_shared_solution_10grams():
    from codecorr_jax.tasks.overlap import overlap_report, summary, training_overlap
    solution = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x * x\n    return total\n"
    training = [{"task_id": "train/1", "prompt": "  Sum the squares.\n", "solution": solution},
                {"task_id": "train/2", "prompt": "Other.", "solution": "def g():\n    return 1\n"}]
    tasks = [Task("file/a", "Sum the squares.", "f"),  # same prompt, whitespace aside
             Task("file/b", "Square and add.", "h",  # renamed, same 10 tokens in a row
                  solution="def h(ys):\n    total = 0\n    for x in xs:\n        total += x * x\n"
                           "    return total\n"),
             Task("file/c", "Reverse.", "r", solution="def r(s):\n    return s[::-1]\n")]
    found = training_overlap(tasks, training)
    assert [(o.task_id, o.kind, o.training_id) for o in found] == [
        ("file/a", "exact_prompt", "train/1"), ("file/b", "solution_10gram", "train/1")]
    # word tokens from "total = 0" to "return total": 11 in a row shared, two 10-grams; the
    # report shows the first in order
    assert found[1].match == "0 for x in xs total x x return total"
    report = overlap_report({"mine": (3, found)}, "the SFT mixture")
    assert "| mine | 3 | 1 | 1 | 2 |" in report and "| file/b | solution_10gram | train/1 |" in report
    assert summary("mine", 3, found, "the SFT mixture") == (
        "mine: 2 of 3 tasks meet the SFT mixture (same prompt, or a solution 10-gram)")
    assert training_overlap(tasks[2:], training) == []


def test_sft_trains_on_reference_completions_and_refuses_files_without_them():
    from codecorr_jax.tasks.sources import sft_examples
    humaneval = read_tasks(fixture("humaneval.jsonl"), "humaneval")
    codecorr = read_tasks(fixture("codecorr.jsonl"), "codecorr")
    mbpp = read_tasks(fixture("mbpp.jsonl"), "mbpp")
    examples = sft_examples(humaneval + codecorr + mbpp)
    # prompt + completion is the reference program: HumanEval's body, the record's body
    # (render.completion), MBPP's whole code after its docstring prompt
    assert examples[0] == ("Local/0", humaneval[0].prompt, "    return [v + 1 for v in values]\n")
    assert examples[2] == ("local/double", codecorr[0].prompt, "    return 2 * x\n")
    assert examples[4][2] == mbpp[0].solution
    lcb = read_tasks(fixture("livecodebench.jsonl"), "livecodebench")
    with pytest.raises(ValueError, match=r"tasks \['lcb/local_abc001_a', 'lcb/9001'\] \(of 2\) "
                                         r"have none: train on that file with PPO"):
        sft_examples(humaneval + lcb)
