"""The base model's corpus: generated documented functions that compute what their docstring
says, and the contamination check that keeps every task out of it (a planted one fails it)."""

from __future__ import annotations

import ast
import copy
import json
import os
import random
import re
import shutil

import pytest

from codecorr_jax import atoms as atom_registry
from codecorr_jax.data import (atom_lookalikes, contamination, corpus, corpus_documents,
                               function_corpus)
from codecorr_jax.synth import build

OPS = {op.key: op for op in function_corpus.OPS}


def _functions(text):
    namespace = {}
    exec(compile(text, "<document>", "exec"), namespace)  # noqa: S102 - our own generated code
    names = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    return namespace, names


# (op, parameter, input, the value computed by hand)
HAND_VALUES = [
    ("keep_even", "", [3, 4, 6, 7, -2], [4, 6, -2]),
    ("keep_above", "4", [3, 4, 6, 7], [6, 7]),
    ("total", "", [1, 2, 3, -10], -4),
    ("product", "", [], 1),
    ("product", "", [2, 3, 4], 24),
    ("count_equal", "2", [2, 1, 2, 2], 3),
    ("spread", "", [5, -3, 9], 12),
    ("pair_sums", "", [1, 2, 4], [3, 6]),
    ("last_digit", "", -47, 7),
    ("digit_count", "", -1234, 4),
    ("up_to", "", 4, [0, 1, 2, 3]),
    ("multiples_list", "3", 4, [3, 6, 9, 12]),
    ("mirrored", "", "abc", "cba"),
    ("suffix", "2", "hello", "lo"),
    ("char_count", "l", "hello", 2),
    ("only_letters", "", "a1-b c", "abc"),
    ("doubled_chars", "", "ab", "aabb"),
    ("short_ones", "3", ["a", "abc", "xy", ""], ["a", "xy", ""]),
    ("first_chars", "", ["ab", "", "cd"], ["a", "c"]),
    ("concatenated", "", ["ab", "", "cd"], "abcd"),
    ("grid_total", "", [[1, 2], [], [3]], 6),
    ("row_maxima", "", [[1, 5], [], [3]], [5, 3]),
    ("chunked", "2", [1, 2, 3, 4, 5], [[1, 2], [3, 4], [5]]),
    # the everyday-ideas ops, each form (expression and statements) against a hand value
    ("running_max", "", [2, 1, 5, 3], [2, 2, 5, 5]),
    ("rises", "", [1, 3, 2, 4, 4], 2),
    ("position_of_smallest", "", [4, -1, 7, -1], 1),
    ("position_of_smallest", "", [], -1),
    ("first_occurrences", "", [3, 1, 3, 2, 1], [3, 1, 2]),
    ("top_frequency", "", [5, 1, 5, 2, 5, 1], 3),
    ("keep_prime", "", [0, 1, 2, 9, 11, -7, 25, 97], [2, 11, 97]),
    ("xor_all", "", [5, 3, 1], 7),
    ("equal_runs", "", [1, 1, 2, 1], [[1, 1], [2], [1]]),
    ("proper_divisors", "", 12, [1, 2, 3, 4, 6]),
    ("gcd_with", "8", -12, 4),
    ("digits_backwards", "", -120, [0, 2, 1]),
    ("digits_backwards", "", 0, [0]),
    ("digit_product", "", -234, 24),
    ("bits_backwards", "", 6, [0, 1, 1]),
    ("halvings", "", 9, 3),
    ("halvings", "", -4, 0),
    ("fibonacci", "", 6, [0, 1, 1, 2, 3, 5]),
    ("sum_up_to", "", 4, 10),
    ("char_runs", "", "aabccc", ["aa", "b", "ccc"]),
    ("shortest", "", ["abc", "de", "fg"], "de"),
    ("column_sums", "", [[1, 2, 3], [4, 5]], [5, 7]),
]


@pytest.mark.parametrize("key,param,arg,expected", HAND_VALUES)
def test_each_rendering_of_an_op_computes_the_hand_value(key, param, arg, expected):
    op = OPS[key]
    bodies = set()
    for seed in range(12):  # both the expression and the loop form, where the op has a loop
        text = function_corpus.single_function([op], random.Random(seed), values=[param])
        namespace, names = _functions(text)
        assert namespace[names[0]](arg) == expected, text
        bodies.add(text.split('"""\n', 2)[-1])
    assert len(bodies) >= (2 if op.loop else 1)


def test_op_parameters_are_drawn_as_numbers_or_an_int_argument():
    """A parameter is a number in the text, or the function's second argument: usually `k`,
    sometimes named as tasks name theirs."""
    op = OPS["keep_above"]
    names = set()
    for seed in range(60):
        text = function_corpus.single_function([op], random.Random(seed))
        namespace, functions = _functions(text)
        threshold = re.search(r"(?:exceed|greater than) (\w+)", text).group(1)
        if threshold.isdigit():
            k = int(threshold)
            assert namespace[functions[0]]([0, 5, 9, 10]) == [v for v in [0, 5, 9, 10] if v > k]
        else:
            assert f", {threshold}: int)" in text.splitlines()[0]
            assert namespace[functions[0]]([0, 5, 9, 10], 5) == [9, 10]
        names.add(threshold if not threshold.isdigit() else "a number")
    assert {"a number", "k"} < names, names  # and at least one other name


def test_chains_compute_the_composition_of_their_ops():
    """A chain written as one function and as staged helpers both equal its ops applied one
    after another (each op's own one-op function), whatever names and loops were drawn."""
    rng = random.Random(7)
    args = {"int": 37, "str": "Ab c,d", "list[int]": [3, -1, 4, 10, 6],
            "list[str]": ["ab", "", "cde", "ab"], "list[list[int]]": [[1, 2], [3], []]}
    checked = 0
    for _ in range(400):
        ops = function_corpus._chain(rng, rng.choice((2, 3)))
        values = ["3" if op.param == "k" else "a" if op.param == "c" else "" for op in ops]
        expected = args[ops[0].takes]
        for op, value in zip(ops, values):
            namespace, names = _functions(function_corpus.single_function([op], rng, [value]))
            expected = namespace[names[0]](expected)
        for render in (function_corpus.single_function, function_corpus.staged_function):
            namespace, names = _functions(render(ops, rng, values))
            assert namespace[names[0]](args[ops[0].takes]) == expected, render(ops, rng, values)
        checked += 1
    assert checked == 400


def test_documents_are_seeded_distinct_and_filtered():
    first = list(corpus_documents.documents(300, seed=3))
    assert first == list(corpus_documents.documents(300, seed=3))
    assert first != list(corpus_documents.documents(300, seed=4))
    assert len(set(first)) == 300
    kept = list(corpus_documents.documents(100, seed=3, keep=lambda d: "sorted" not in d.text))
    assert len(kept) == 100 and not any("sorted" in t for t in kept)
    for text in first:
        compile(text, "<document>", "exec")
    # the drawn documents are the same texts, with the ops they were drawn from: a staged one
    # defines its main function and a helper per op
    drawn = list(corpus_documents.drawn_documents(300, seed=3))
    assert [d.text for d in drawn] == first
    for d in drawn:
        functions = [n for n in ast.parse(d.text).body if isinstance(n, ast.FunctionDef)]
        if d.idea is not None:  # an idea alone; chained: a main calling it; staged: a helper
            #                      per stage, the idea's and one per op
            helpers = len(d.ops) + 1 if d.idea.staged else int(d.idea.chained)
            assert len(functions) == 1 + helpers
            continue
        assert len(functions) == (1 + len(d.ops) if d.staged else 1)
        assert 1 <= len(d.ops) <= 3 and set(d.ops) <= {op.key for op in function_corpus.OPS}


def test_documents_state_the_value_for_an_empty_input_as_tasks_do():
    """The edge-case clause is the chain's own value on the empty input."""
    clauses = 0
    for d in corpus_documents.drawn_documents(400, seed=2):
        docstring = " ".join(d.text.split('"""')[1].split())
        found = re.search(r"; ([^;]+) for an empty list\.$", docstring)
        if d.staged or found is None:
            continue
        clause = found.group(1)
        namespace, names = _functions(d.text)
        value = namespace[names[0]]([])
        assert clause == ("the empty string" if value == "" else repr(value)), d.text
        clauses += 1
    assert clauses >= 20


def test_a_worked_example_in_a_description_is_the_functions_own_value():
    """" (<input> gives <value>)", as task descriptions show one: the function returns it."""
    examples = 0
    for d in corpus_documents.drawn_documents(400, seed=5):
        docstring = " ".join(d.text.split('"""')[1].split())
        found = re.search(r" \(((\w+) = )?([^()]+?)(, \w+ = (-?\d+))? (gives|becomes) ([^()]+)\)"
                          r"(; [^;]+)?\.$", docstring)
        if d.staged or d.idea is not None or found is None:  # ideas' examples are hand-written
            continue
        x, k, shown = ast.literal_eval(found.group(3)), found.group(5), found.group(7)
        namespace, names = _functions(d.text)
        value = namespace[names[0]](x, int(k)) if k else namespace[names[0]](x)
        assert shown == repr(value), d.text
        assert found.group(6) == "gives" or type(value) is type(x), d.text
        examples += 1
    assert examples >= 60


def test_yes_no_functions_are_described_as_tasks_describe_them():
    """Half the time "Return True if ..., otherwise False" (tasks' words), else "whether"."""
    said = {"Return True if": 0, "Return whether": 0}
    for d in corpus_documents.drawn_documents(1500, seed=6):
        docstring = " ".join(d.text.split('"""')[1].split())
        if d.staged or d.idea is not None or not docstring.startswith(tuple(said)):
            continue
        signature = next(line for line in d.text.split("\n") if line.startswith("def "))
        assert signature.endswith("-> bool:"), d.text
        said["Return True if" if docstring.startswith("Return True if") else
             "Return whether"] += 1
        if docstring.startswith("Return True if"):
            assert ", otherwise False" in docstring and "whether" not in docstring.split(",")[0]
    assert min(said.values()) >= 5, said


def test_no_op_is_named_like_an_atom():
    atom_names = {a.name for a in atom_registry.all_atoms()}
    assert not atom_names & set(OPS)


@pytest.fixture()
def tiny_build(tmp_path):
    """A dataset directory by hand: Atom_base and one composite, train and test."""
    atoms = atom_registry.all_atoms()[:3]
    out = str(tmp_path / "jsonl")

    def write(family, split, records):
        path = build.jsonl_path(out, family, split)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")

    write("atom", "train", [{"task_id": f"atom/{a.name}", "prompt": a.signature + "\n    \"\"\""
                             + a.description + "\"\"\"\n", "tests": []} for a in atoms])
    solution = ("def composed_x(xs):\n    step1 = alpha_helper_one(xs)\n    return "
                "beta_helper_two(step1)\n\n\ndef alpha_helper_one(xs):\n    return [value + "
                "1000 for value in xs if value is not None and value > 17]\n")
    prompt = ("def composed_y(xs):\n    \"\"\"Return the result of a test prompt that speaks "
              "of purple elephants dancing on the moon at midnight.\"\"\"\n")
    write("composite_A", "train", [{"task_id": "composite_A/1", "solution": solution,
                                    "prompt": "irrelevant", "entry_point": "composed_x",
                                    "tests": [{"args": [[5, 81, 2]], "expected": "mauve-ochre"}]}])
    write("composite_A", "test", [{"task_id": "composite_A/2", "solution": "def f():\n    pass\n",
                                   "prompt": prompt, "entry_point": "composed_y", "tests": []}])
    return out, atoms


def test_index_finds_every_kind_of_task_text(tiny_build):
    out, atoms = tiny_build
    index = contamination.build_index(out, [("HumanEval/0", "def he(x):\n    \"\"\"Return the "
                                                           "number of zebras in the list x "
                                                           "counted twice over please.\"\"\"\n")])
    clean = "def unrelated(n: int) -> int:\n    \"\"\"Return n plus one.\"\"\"\n    return n + 1\n"
    assert index.hits(clean) == []
    name_hit = index.hits(f"x = {atoms[0].name}(3)")
    assert name_hit == [("task_name", f"atom/{atoms[0].name}", atoms[0].name)]
    assert [(k, s) for k, s, _ in index.hits("y = composed_x(xs)")] == [
        ("task_name", "composite_A/1")]
    body = atoms[1].source.split("\n", 1)[1]
    assert ("code_10gram", f"atom/{atoms[1].name}") in {(k, s) for k, s, _ in index.hits(body)}
    solution_part = "    return [value + 1000 for value in xs if value is not None and value > 17]"
    assert [(k, s) for k, s, _ in index.hits(solution_part)] == [
        ("code_10gram", "composite_A/1")]
    prompt_part = "speaks of purple elephants dancing on the moon"
    assert [(k, s) for k, s, _ in index.hits(prompt_part)] == [("sentence_8gram", "composite_A/2")]
    he_part = "the number of zebras in the list x counted"
    assert [(k, s) for k, s, _ in index.hits(he_part)] == [("sentence_8gram", "HumanEval/0")]
    description = " ".join(atoms[2].description.split()[:8])
    assert ("sentence_8gram", f"atom/{atoms[2].name}") in {
        (k, s) for k, s, _ in index.hits(description)}
    # seven shared word tokens are not an 8-gram
    assert index.hits("speaks of purple elephants dancing on the") == []
    # a test's expected output written as a literal; a short everyday literal is not one
    assert [(k, s) for k, s, _ in index.hits("label = 'mauve-ochre'")] == [
        ("test_literal", "composite_A/1")]
    assert index.hits("xs = [5, 81, 2]") == []


def test_check_corpus_counts_and_names_offenders(tiny_build):
    out, atoms = tiny_build
    index = contamination.build_index(out)
    clean = {"generated/0": "def a(n):\n    return n\n"}
    assert contamination.check_corpus(clean, index) == dict.fromkeys(contamination.KINDS, 0)
    planted = clean | {"stdlib/7": f"def g():\n    return {atoms[2].name}()\n"}
    with pytest.raises(contamination.ContaminationError, match=rf"stdlib/7: task_name of "
                                                              rf"atom/{atoms[2].name}"):
        contamination.check_corpus(planted, index)


def test_a_planted_contamination_fails_the_corpus_build(tiny_build, monkeypatch):
    out, atoms = tiny_build
    monkeypatch.setattr(contamination, "humaneval_prompts", lambda: [])
    texts, manifest = corpus.pretraining_corpus(out, source_bytes=20_000, generated_functions=50,
                                                seed=0, composition_depth=2)
    assert manifest["documents"]["generated"] == 50
    assert manifest["contamination"]["hits"] == dict.fromkeys(contamination.KINDS, 0)
    assert len(texts) == 50 + manifest["documents"]["stdlib"]

    planted = atoms[0].source  # an atom's whole definition, slipped past the generator's filter
    monkeypatch.setattr(corpus_documents, "drawn_documents", lambda count, seed, keep: iter(
        [function_corpus.Document(planted, (), False)] * count))
    with pytest.raises(contamination.ContaminationError, match=atoms[0].name):
        corpus.pretraining_corpus(out, source_bytes=20_000, generated_functions=2, seed=0,
                                  composition_depth=2)


def test_generated_functions_are_tokenized_with_a_task_prompts_boundary():
    """Prompt and body apart, as evaluation sees them: the prompt's last token is its own."""
    from codecorr_jax.data.pipeline import tokenize_documents

    text = next(corpus_documents.documents(1, seed=5))
    prompt, body = function_corpus.split_prompt(text)
    assert prompt + body == text and prompt.endswith('"""\n') and body.startswith("    ")

    class Tok:  # characters as tokens, with merges across the boundary impossible to miss
        eos_token_id = 0

        def encode(self, t, add_special_tokens=False):
            return [ord(ch) for ch in t.replace('"\n    ', "\x01")]

    tok = Tok()
    split = tokenize_documents([(prompt, body)], tok, 10_000)[0].tokens.tolist()
    whole = tokenize_documents([text], tok, 10_000)[0].tokens.tolist()
    assert split == tok.encode(prompt) + tok.encode(body) + [0]
    assert split != whole  # the whole text merges the boundary, the split one does not


def test_the_shipped_base_fits_the_default_config_and_its_promises():
    """The base in the repository: under 10 MiB, the default tiny model's shape, its tokenizer
    beside it, and a manifest saying how it was made with zero contamination hits."""
    from codecorr_jax.config import base_config
    from codecorr_jax.models.config import RUNTIME_FIELDS
    from codecorr_jax.models.hf_checkpoint import load_tokenizer
    from codecorr_jax.regimes.stages import shipped_base_manifest
    from codecorr_jax.regimes.workspace import BASE_SCORES, SHIPPED_BASE_DIR

    manifest = shipped_base_manifest()
    size = sum(os.path.getsize(os.path.join(SHIPPED_BASE_DIR, f))
               for f in os.listdir(SHIPPED_BASE_DIR))
    assert size <= 10 * 2**20
    # the shipped base has the default model's shape (how it runs, RUNTIME_FIELDS, is no part)
    defaults = base_config("sft").model.to_dict()
    shape = lambda fields: {k: v for k, v in fields.items()  # noqa: E731
                            if k != "checkpoint_dir" and k not in RUNTIME_FIELDS}
    assert shape(manifest["fields"]["model"]) == shape(defaults)
    pretrain = base_config("pretrain").pretrain.to_dict()
    assert manifest["fields"]["pretrain"] == {k: v for k, v in pretrain.items()
                                              if k not in ("base_dir", "source")}
    corpus_record = manifest["training"]["corpus"]
    assert set(corpus_record["contamination"]["hits"].values()) == {0}
    assert corpus_record["documents"]["generated"] == pretrain["generated_functions"]
    assert manifest["made_on"]["jax"]
    tokenizer = load_tokenizer(SHIPPED_BASE_DIR)
    assert tokenizer.eos_token_id == 0
    scores = json.load(open(os.path.join(SHIPPED_BASE_DIR, BASE_SCORES), encoding="utf-8"))
    assert scores["results"]["atom"]["num_samples"] == 16


def test_the_lookalike_check_finds_chains_that_compute_an_atom():
    """Hand-made chains that are atoms in other words are found (and which atom), others are
    not (the manifest counts them among the functions that compute an atom's idea)."""
    lookalikes = atom_lookalikes.Lookalikes()
    assert lookalikes.atom_computed([OPS["digits_backwards"], OPS["total"]], ["", ""]) == \
        "digit_sum"
    assert lookalikes.atom_computed([OPS["ascending"], OPS["backwards"]], ["", ""]) == \
        "sorted_descending"
    assert lookalikes.atom_computed([OPS["keep_prime"], OPS["count"]], ["", ""]) == \
        "count_primes_in_list"
    # with the parameter as the argument k: the elements above k, counted ... is not an atom,
    # the elements at most k-1 ... neither; shifted by 1 then "at most k", counted, is
    # sorted_insertion_index (elements < k)
    assert lookalikes.atom_computed([OPS["shifted"], OPS["keep_at_most"], OPS["count"]],
                                    ["1", "k", ""]) == "sorted_insertion_index"
    assert lookalikes.atom_computed([OPS["keep_above"], OPS["count"]], ["k", ""]) is None
    assert lookalikes.atom_computed([OPS["digit_product"]], [""]) is None
    assert lookalikes.atom_computed([OPS["up_to"], OPS["total"]], [""]) is None


def test_the_corpus_build_leaves_out_compositions_and_counts_ideas(tiny_build, monkeypatch):
    """Chained documents that compute a composition of atoms are left out and counted; the
    manifest counts, per atom, the functions that compute its idea and their phrasings."""
    out, _ = tiny_build
    monkeypatch.setattr(contamination, "humaneval_prompts", lambda: [])
    texts, manifest = corpus.pretraining_corpus(out, source_bytes=20_000,
                                                generated_functions=1500, seed=0,
                                                composition_depth=2)
    left_out = manifest["left_out_as_computing_a_composition"]
    assert left_out["documents"] > 0 and all(" -> " in chain for chain in left_out["chains"])
    ideas = manifest["atom_ideas"]
    assert ideas["atoms"] >= 95
    per_atom = ideas["per_atom"]["digit_sum"]
    assert per_atom["functions"] == per_atom["plain"] + per_atom["chained"] + \
        per_atom["staged"] + per_atom["grammar"] and per_atom["phrasings"] >= 2
    assert manifest["composition_table"]["depth"] == 2
    assert manifest["grammar_ops"] == len(function_corpus.OPS)


def _benchmark(name):
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_atoms_chain_is_said_in_the_corpus_words_with_the_atoms_names(tmp_path):
    words = _benchmark("atoms_in_corpus_words")
    report = tmp_path / "grammar.out"
    report.write_text("2 of 100 atoms are computed by some chain of <= 3 corpus ops:\n"
                      "- digit_sum: digits_backwards -> total\n"
                      "- count_words_longer_than: sizes_plus[0] -> keep_above[k] -> count\n")
    chains = words.read_chains(str(report))
    assert [(op.key, value) for op, value in chains["count_words_longer_than"]] == [
        ("sizes_plus", "0"), ("keep_above", "k"), ("count", "")]
    # Every wording, a fused pair's first; the atom's int argument keeps its name.
    own = words.own_task("count_words_longer_than")
    worded = words.worded_tasks(own, chains["count_words_longer_than"], limit=8)
    lines = [t.prompt.splitlines()[1].strip() for t in worded]
    assert lines[0] == \
        '"""Return how many elements of the length of each string of words plus 0 exceed k.'
    assert lines[4:6] == [
        '"""Return the number of elements of the elements of the length of each string of',
        '"""Return how many elements the elements of the length of each string of words plus']
    assert worded[0].prompt.startswith("def count_words_longer_than(words: list[str], k: int)")
    assert worded[0].tests == own.tests and own.entry_point == "count_words_longer_than"
    named = words.worded_tasks(own, chains["count_words_longer_than"], limit=1,
                               suite="key_named")
    assert named[0].entry_point == "count_keep_above_sizes_plus"
    assert named[0].prompt.startswith("def count_keep_above_sizes_plus(words: list[str], k: int)")
    assert named[0].prompt.split("\n", 1)[1] == worded[0].prompt.split("\n", 1)[1]
    digit_worded = words.worded_tasks(words.own_task("digit_sum"), chains["digit_sum"],
                                      limit=8)
    # the pair's two fused wordings, then digits_backwards's two under total's one
    assert len(digit_worded) == 4
    assert '"""Return the digit sum of n."""' in digit_worded[1].prompt
    assert "the sum of the digits of n (its absolute value), least significant first" in \
        " ".join(digit_worded[3].prompt.split())
    bad = tmp_path / "bad.out"
    bad.write_text("- digit_sum: digits_backwards -> no_such_op\n")
    with pytest.raises(ValueError, match=r"bad.out:1: 'no_such_op' is not an op"):
        words.read_chains(str(bad))


def test_a_chain_is_said_in_nested_phrases_and_its_fused_pairs_as_one():
    ops = [OPS["digits_backwards"], OPS["keep_above"], OPS["total"]]
    phrases = function_corpus.phrasings(ops, ["", "limit", ""], "n")
    # 2 wordings of the digits x (2 fused of keep_above-total + 2 nested, one the same): 6
    assert phrases[:3] == [
        "the sum of the elements of the decimal digits of n, ignoring its sign, from the last "
        "digit to the first that exceed limit",
        "the sum of the elements of the decimal digits of n, ignoring its sign, from the last "
        "digit to the first that are strictly greater than limit",
        "the sum of the elements of the decimal digits of n, ignoring its sign, from the last "
        "digit to the first strictly greater than limit, in their original order"]
    assert len(phrases) == len(set(phrases)) == 6
    fused = function_corpus.phrasings([OPS["ascending"], OPS["backwards"], OPS["head"]],
                                      ["", "", "3"], "xs")
    assert fused[:2] == ["the first 3 elements of xs sorted in descending order",
                         "the first 3 elements of xs sorted from largest to smallest"]
    assert "the first 3 elements of xs sorted from smallest to largest in reverse order" in fused
    nested = function_corpus.phrasings([OPS["ascending"], OPS["backwards"], OPS["head"]],
                                       ["", "", "3"], "xs", fuse=False)
    assert set(nested) < set(fused) and len(fused) - len(nested) == 2
    assert not any("descending" in phrase for phrase in nested)
    assert function_corpus.description_sentence("whether n is a perfect square",
                                                true_if=True) == \
        "Return True if n is a perfect square, otherwise False."


def test_a_shipped_base_of_another_corpus_version_is_said_on_loading():
    from codecorr_jax.regimes.stages import corpus_version_note

    version = function_corpus.VERSION
    assert corpus_version_note({"fields": {"function_corpus": version}}) is None
    note = corpus_version_note({"fields": {"function_corpus": version - 2}})
    assert f"version {version - 2}" in note and f"version {version}" in note
    assert "--config.pretrain.source=train" in note


def test_a_functions_name_never_names_its_ops():
    """A name made of the ops' keys let the base write bodies from names alone (BENCHMARKS.md,
    corpus version 5): names are generic or words of the description, never a builtin."""
    import builtins

    named_by_words = an_ops_key = 0
    grammar = [d for d in corpus_documents.drawn_documents(3000, seed=4) if d.idea is None]
    for document in grammar[:1500]:  # (an idea's plain documents go by the idea's own names)
        tree = ast.parse(document.text)
        function = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
        name = function.name
        if len(document.ops) > 1:
            assert name not in ("_".join(reversed(document.ops)), "_".join(document.ops),
                                "_then_".join(document.ops))
        # words of a description can spell an op's key ("the largest cell of grid"): rarely
        an_ops_key += name in document.ops
        assert not hasattr(builtins, name)
        docstring = ast.get_docstring(function).lower()
        if name not in function_corpus.GENERIC_NAMES:
            named_by_words += 1
            # ("main_" is put before a main function's name that is also a helper's)
            words = name.removeprefix("main_").split("_")
            assert all(word in docstring for word in words), (name, docstring)
    assert 500 < named_by_words < 1000  # about half
    assert an_ops_key < 15  # 1%


class _EveryRule:
    """A stand-in generator: every variant applies, each choice is the first."""

    def random(self):
        return 0.0

    def choice(self, options):
        return options[0]


class _NoRule(_EveryRule):
    def random(self):
        return 1.0


def test_word_level_variants_of_a_description_say_the_same_thing():
    phrase = "the number of the distinct values of xs from smallest to largest"
    assert function_corpus.varied_wording(phrase, _NoRule()) == phrase
    assert function_corpus.varied_wording(phrase, _EveryRule()) == \
        "the count of distinct values in xs in ascending order"
    assert function_corpus.varied_wording(
        "the elements of the strings of words from largest to smallest", _EveryRule()) == \
        "the values in the words in words in descending order"


def test_fused_pairs_stand_in_chains_often_enough_to_learn_their_phrases():
    """Drawn uniformly, a given pair of ops follows in one chain in thousands; a share of
    chains is drawn around a fused pair, at any place, and the pair's phrase is written."""
    from codecorr_jax.data.function_ops import FUSIONS

    rng = random.Random(2)
    for (first, second), fusion in FUSIONS.items():
        for length in (2, 3):
            ops = function_corpus._chain(rng, length, fusion)
            keys = [op.key for op in ops]
            assert (first, second) in zip(keys, keys[1:]), (keys, fusion)
            assert all(a.gives == b.takes for a, b in zip(ops, ops[1:])), keys
    documents = [d for d in corpus_documents.drawn_documents(4000, seed=1) if d.idea is None]
    fused = [d for d in documents if set(zip(d.ops, d.ops[1:])) & set(FUSIONS)]
    assert 0.25 < len(fused) / len(documents) < 0.4  # 0.3 drawn around a pair, a few by chance
    descending = [d for d in fused if ("ascending", "backwards") in zip(d.ops, d.ops[1:])
                  and not d.staged]
    assert any("descending order" in d.text or "from largest to smallest" in d.text
               for d in descending)


def test_the_shipped_atom_chains_still_compute_their_atoms():
    """benchmarks/atom_chains.txt (the grammar search's report, 9 min to remake) is the input
    of atoms_in_corpus_words.py: each chain must still compute its atom under today's ops."""
    from codecorr_jax.data.function_ops import chain_callable

    words, search = _benchmark("atoms_in_corpus_words"), _benchmark("atoms_within_the_grammar")
    chains = words.read_chains(words.CHAINS)
    assert len(chains) == 25
    for name, chain in chains.items():
        run = chain_callable([op for op, _ in chain], [value for _, value in chain])
        for args, expected in search.search_cases(atom_registry.get(name)):
            k = args[1] if len(args) > 1 else None
            assert run(copy.deepcopy(args[0]), k) == expected, (name, args)


def test_a_fused_pair_is_said_fused_three_times_in_four():
    """Where a chain holds a fused pair, its description says the pair's own phrase 3 times in
    4, and draws among every phrasing otherwise (2 of the 6 here are fused): about 0.83."""
    ops = [OPS["ascending"], OPS["backwards"], OPS["head"]]
    rng = random.Random(5)
    said_fused = 0
    for _ in range(400):
        text = function_corpus.single_function(ops, rng, ["", "", "3"])
        said_fused += "reverse" not in function_corpus.split_prompt(text)[0]
    assert 0.75 < said_fused / 400 < 0.91


def test_a_bases_corpus_is_rebuilt_and_checked_against_later_datasets(tiny_build, tmp_path,
                                                                      monkeypatch):
    """corpus_check rebuilds the corpus a base recorded, refuses one that is not it, and finds
    a later build's text in it."""
    from codecorr_jax.data import corpus_check

    out, _ = tiny_build
    monkeypatch.setattr(contamination, "humaneval_prompts", lambda: [])
    texts, manifest = corpus.pretraining_corpus(out, source_bytes=20_000, generated_functions=40,
                                                seed=0, composition_depth=2)
    base_dir = tmp_path / "base"
    base_dir.mkdir()
    record = {"fields": {"function_corpus": function_corpus.VERSION,
                         "pretrain": {"corpus_mb": 0.02, "generated_functions": 40,
                                      "composition_depth": 2}},
              "training": {"corpus": manifest}}
    (base_dir / corpus_check.BASE_MANIFEST).write_text(json.dumps(record))
    documents, _ = corpus_check.rebuild_corpus(out, str(base_dir))
    assert list(documents.values()) == ["".join(t) if isinstance(t, tuple) else t for t in texts]
    assert corpus_check.check_against(documents, out) == dict.fromkeys(contamination.KINDS, 0)
    # a later build whose test composite's prompt holds eight words of a corpus document
    later = str(tmp_path / "later")
    shutil.copytree(out, later)
    words = re.findall(r"\w+", documents["document/0"].split('"""')[1])[:8]
    assert len(words) == 8
    with open(build.jsonl_path(later, "composite_A", "test"), "a", encoding="utf-8") as f:
        f.write(json.dumps({"task_id": "composite_A/3", "solution": "def f():\n    pass\n",
                            "prompt": "def composed_z(xs):\n    \"\"\"" + " ".join(words)
                            + ".\"\"\"\n", "entry_point": "composed_z", "tests": []}) + "\n")
    with pytest.raises(contamination.ContaminationError, match="sentence_8gram of composite_A/3"):
        corpus_check.check_against(documents, later)
    assert corpus_check.main(["--built-with", out, "--against", later,
                              "--base", str(base_dir)]) == 1
    assert corpus_check.every_hit(documents, later) == {"composite_A/3": {"sentence_8gram": 1}}
    # the corpus of other datasets, or of another corpus version, is not the base's
    record["training"]["corpus"]["documents"]["generated"] += 1
    (base_dir / corpus_check.BASE_MANIFEST).write_text(json.dumps(record))
    with pytest.raises(corpus_check.CorpusMismatch, match="give --built-with the datasets"):
        corpus_check.rebuild_corpus(out, str(base_dir))
    record["fields"]["function_corpus"] = function_corpus.VERSION - 1
    (base_dir / corpus_check.BASE_MANIFEST).write_text(json.dumps(record))
    with pytest.raises(corpus_check.CorpusMismatch, match="cannot rebuild"):
        corpus_check.rebuild_corpus(out, str(base_dir))
