"""The base corpus's rule since issue 35: the atoms' ideas in the corpus's own names, words and
code; never the benchmark's text, tests or compositions.

Every idea is checked against its atom by behaviour and against the atoms' text; compositions
are found by a table checked here against hand-composed atoms; documents around ideas compute
what they say; each forbidden kind planted in a corpus fails the build.
"""

from __future__ import annotations

import ast
import random
import re

import pytest

from codecorr_jax import atoms as atom_registry
from codecorr_jax.data import (atom_lookalikes, compositions, contamination, corpus,
                               corpus_documents, function_corpus, idea_documents)
from codecorr_jax.data.function_ops import OPS_BY_KEY
from codecorr_jax.data.ideas import (MIN_SENTENCES, SHAPES, Idea, all_ideas, body_callable,
                                     idea_problems, ideas_by_atom)
from codecorr_jax.data.ideas.__main__ import text_problems


@pytest.fixture(scope="module")
def table():
    return compositions.composition_table(2)


def test_every_idea_computes_its_atom_in_its_own_words_and_code():
    """Each idea's bodies equal the atom on its examples and 64 generated inputs, it has the
    phrasings and shapes the corpus needs, and none of its text hits the atoms' own (name,
    8-gram of a description, 10-gram of a body, test literal)."""
    index = contamination.atom_index()
    problems = {idea.atom: idea_problems(idea) + text_problems(idea, index)
                for idea in all_ideas()}
    assert {atom: found for atom, found in problems.items() if found} == {}
    covered = ideas_by_atom()
    assert len(covered) >= 95 and set(covered) <= {a.name for a in atom_registry.all_atoms()}
    assert all(len(set(idea.sentences)) >= MIN_SENTENCES for idea in covered.values())


def test_a_wrong_body_a_copied_sentence_and_an_atom_name_are_problems():
    good = ideas_by_atom()["digit_sum"]
    wrong = Idea(good.atom, good.params, good.returns, good.names, good.sentences, good.nouns,
                 ("return abs($n) % 10",) + good.bodies[1:])
    assert any("body 0 returns" in p for p in idea_problems(wrong))
    named = Idea(good.atom, good.params, good.returns, ("digit_sum",) + good.names[1:],
                 good.sentences[:4] + ("Return the result.",), good.nouns, good.bodies)
    found = idea_problems(named)
    assert any("is an atom's name" in p for p in found)
    assert any("summary_then_details" in p for p in found)
    copied = Idea(good.atom, good.params, good.returns, good.names,
                  good.sentences[:-1] + (atom_registry.get("digit_sum").description,),
                  good.nouns, good.bodies)
    kinds = {p.split(" ")[0] for p in text_problems(copied, contamination.atom_index())}
    assert "sentence_8gram" in kinds


def test_the_table_finds_a_chain_of_two_atoms_and_not_one_atom(table):
    first, second = atom_registry.get("decimal_digits"), atom_registry.get("running_sum")
    chain = table.composition(lambda x: second.fn(first.fn(x)), "int")
    assert chain == "decimal_digits(x) -> running_sum(x)"
    # one atom, however written, is not a composition; nor is the identity
    assert table.composition(atom_registry.get("digit_sum").fn, "int") is None
    assert table.composition(lambda xs: list(xs), "list[int]") is None
    # sorting after a permutation is sorting: reached by one atom, so not a composition
    descending = atom_registry.get("sorted_descending").fn
    assert table.composition(lambda xs: descending(xs[::-1]), "list[int]") is None
    # an int argument k is checked at several values: a chain with constant 2 is found
    rotate = atom_registry.get("rotate_left_by").fn
    chain = table.composition(lambda xs, k: rotate(descending(xs), k), "list[int]",
                              with_k=True)
    assert chain is not None and "sorted_descending" in chain and "rotate_left_by" in chain


def _main_function(text):
    namespace: dict = {}
    exec(compile(text, "<document>", "exec"), namespace)  # noqa: S102
    return namespace[[n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)][0].name]


def test_idea_documents_compute_what_they_say():
    """A plain document's function computes its atom; a chained or staged one's main function
    is the ops and the idea composed in the order drawn, as `IdeaDocument.function` says."""
    rng = random.Random(5)
    ideas = all_ideas()
    shapes = {"plain": 0, "chained": 0, "staged": 0}
    for _ in range(400):
        document = idea_documents.idea_document(ideas, rng)
        main = _main_function(document.text)
        atom = atom_registry.get(document.idea.atom)
        arg_rng = random.Random(1)
        for _ in range(5):
            args = tuple(atom.generate(arg_rng))
            if document.chained:
                if document.before:
                    continue  # its input is the op's type; checked against function() below
                assert main(args[0]) == document.function()(args[0])
            else:
                assert main(*args) == atom.fn(*args)
        shapes[document.shape] += 1
    assert shapes["plain"] > 100 and shapes["chained"] > 40 and shapes["staged"] > 40
    # an op-first document: the op's input, then the idea
    for staged in (False, True):
        document = next(d for d in (idea_documents.idea_document(ideas, rng) for _ in range(800))
                        if d.staged == staged and d.before
                        and OPS_BY_KEY[d.before[0][0]].takes == "list[int]")
        for xs in ([3, 1, 2, 5], [], [7, 7, -2, 0, 14]):
            assert _main_function(document.text)(xs) == document.function()(xs)


def test_a_staged_document_lists_its_stages_and_calls_one_helper_each():
    """Version 10's long documents: the idea is one stage among grammar ops; the docstring
    numbers the stages and the main function calls one helper per stage, the last returned."""
    rng = random.Random(11)
    idea = ideas_by_atom()["digit_sum"]
    documents = [d for d in (idea_documents.staged_document(idea, rng) for _ in range(40)) if d]
    assert len(documents) == 40  # an int idea always has ops around it
    for document in documents:
        stages = len(document.before) + 1 + len(document.after)
        assert 2 <= stages <= 3
        tree = ast.parse(document.text)
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert len(functions) == 1 + stages  # main, then one helper per stage
        docstring = " ".join(ast.get_docstring(functions[0]).split())
        unit = "Stage" if "Stage 1" in docstring else "Step"
        assert all(re.search(rf"\b{unit} {i}\b", docstring) for i in range(1, stages + 1))
        assert not re.search(rf"\b{unit} {stages + 1}\b", docstring)
        called = [n.func.id for n in ast.walk(functions[0]) if isinstance(n, ast.Call)]
        assert sorted(called) == sorted(f.name for f in functions[1:])
        # the idea's sentence, its placeholders under the document's names, is one stage
        pattern = r"\w+".join(re.escape(part) for part in re.split(r"\$\w+",
                                                                   document.phrasing))
        assert re.search(pattern, docstring)
    assert any(d.before for d in documents) and any(d.after for d in documents)
    assert any(len(d.before) + len(d.after) == 2 for d in documents)


def test_a_summary_and_details_docstring_keeps_its_paragraphs():
    idea = ideas_by_atom()["digit_sum"]
    long = next(s for s in idea.sentences if "\n\n" in s)
    rng = random.Random(0)
    texts = [idea_documents.plain_document(idea, rng).text for _ in range(60)]
    summary = long.split("\n\n")[0]
    assert any(f'"""{summary}\n\n' in text for text in texts)


def test_the_corpus_draws_half_its_documents_around_ideas():
    drawn = list(corpus_documents.drawn_documents(600, seed=2))
    around = [d for d in drawn if d.idea is not None]
    assert 0.4 < len(around) / len(drawn) < 0.6
    assert len({d.idea.idea.atom for d in around}) > 80
    for document in drawn:
        compile(document.text, "<document>", "exec")


def _planted(text, **fields):
    return function_corpus.Document(text, fields.get("ops", ()), False,
                                    fields.get("values", ()), fields.get("idea"))


@pytest.mark.parametrize("kind", ["task_name", "sentence_8gram", "code_10gram", "test_literal",
                                  "composition"])
def test_each_forbidden_kind_planted_in_the_corpus_fails_the_build(kind, tmp_path,
                                                                   monkeypatch):
    """The build's final checks: a document of each kind slipped past the draw's filter
    stops the build with an error naming it."""
    out = _tiny_jsonl(tmp_path)
    monkeypatch.setattr(contamination, "humaneval_prompts", lambda: [])
    atom = atom_registry.get("digit_sum")
    clean = "def plus_one(n: int) -> int:\n    return n + 1\n"
    planted = {
        "task_name": _planted("def digit_sum(n):\n    return n\n"),
        "sentence_8gram": _planted(f'def g(n):\n    """{atom.description}"""\n    return n\n'),
        "code_10gram": _planted(atom_registry.get("running_sum").source.replace(
            "running_sum", "acc_total")),
        "test_literal": _planted("def g():\n    return 'purple-elephant'\n"),
        "composition": _planted("def g(n):\n    return n\n", idea=_ComposingDocument()),
    }[kind]

    def documents(count, seed, keep):
        return iter([_planted(clean)] * (count - 1) + [planted])

    monkeypatch.setattr(corpus_documents, "drawn_documents", documents)
    error = compositions.CompositionError if kind == "composition" else \
        contamination.ContaminationError
    with pytest.raises(error, match="generated/1" if kind == "composition" else kind):
        corpus.pretraining_corpus(out, source_bytes=1, generated_functions=2, seed=0,
                                  composition_depth=2)


class _ComposingDocument:
    """A chained idea document whose function is decimal_digits then running_sum."""

    chained, staged, before, after = True, False, (), (("total", ""),)
    idea = ideas_by_atom()["decimal_digits"]
    takes = "int"

    @staticmethod
    def function():
        digits, sums = atom_registry.get("decimal_digits"), atom_registry.get("running_sum")
        return lambda n: sums.fn(digits.fn(n))


def _tiny_jsonl(tmp_path):
    """Atom_base's train split with one test literal of our own, nothing else."""
    import json
    import os

    from codecorr_jax.synth import build

    path = build.jsonl_path(str(tmp_path / "jsonl"), "atom", "train")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"task_id": "atom/digit_sum", "prompt": "def x():\n",
                            "tests": [{"args": [1], "expected": "purple-elephant"}]}) + "\n")
    return str(tmp_path / "jsonl")


def test_idea_bodies_are_the_callables_the_checks_run(table):
    idea = ideas_by_atom()["digit_sum"]
    assert [body_callable(idea, i)(-4071) for i in range(len(idea.bodies))] == \
        [12] * len(idea.bodies)
    assert set(SHAPES) == {"return", "given", "imperative", "question", "summary_then_details"}
    assert atom_lookalikes.composition_of(_planted("x", ops=("total",), values=("",)),
                                          table) is None


def test_literals_are_read_from_code_and_prose_alike():
    text = ("xs = [10, 20, 30, 40, 50]  # like [1, 3, 5, ...] in a docstring\n"
            "name = 'a longer string'; short = 'ab'; grid = [[1, 2], [3, 4], [5, 6]]\n")
    assert contamination.literals(text) == {
        "[10,20,30,40,50]", '"a longer string"', "[[1,2],[3,4],[5,6]]"}
