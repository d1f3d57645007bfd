"""The LM input pipeline: loss masks, mixture, packing invariants, determinism, exact resume."""

from __future__ import annotations

import collections
import json

import ml_collections
import numpy as np
import pytest
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from codecorr_jax.data import tfds_builder
from codecorr_jax import atoms as atoms_lib
from codecorr_jax.data.mixture import atom_steps, load_mixture
from codecorr_jax.data.packing import Example, packed_batches
from codecorr_jax.data.pipeline import sft_dataset, tokenize_documents, tokenize_task
from codecorr_jax.synth import build, render

SMALL = {"size_a": 24, "size_b": 18, "size_c": 18, "batch_size": 64}
EOS = "<|endoftext|>"


def _records(jsonl_dir, family, split="train"):
    return build.read_jsonl(build.jsonl_path(jsonl_dir, family, split))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small synthesis build and its TFDS copy: (jsonl_dir, tfds_dir)."""
    root = tmp_path_factory.mktemp("pipeline")
    jsonl_dir, tfds_dir = str(root / "jsonl"), str(root / "tfds")
    build.build(SMALL, jsonl_dir, reuse=False)
    tfds_builder.prepare(jsonl_dir, tfds_dir)
    return jsonl_dir, tfds_dir


@pytest.fixture(scope="module")
def tok(built):
    """A byte-level BPE (EOS id 0) trained on the small build's programs."""
    texts = [r["prompt"] + render.completion(r) for f in ("atom", "composite_A")
             for r in _records(built[0], f)]
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    raw.train_from_iterator(texts, trainer=trainers.BpeTrainer(
        vocab_size=700, special_tokens=[EOS], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=raw, eos_token=EOS,
                                                pad_token=EOS)
    assert fast.eos_token_id == 0
    return fast


class CharTokenizer:
    """One token per character (its code point), EOS 0: hand-computable token ids."""

    eos_token_id = 0

    def encode(self, text, add_special_tokens=True):
        assert add_special_tokens is False
        return [ord(c) for c in text]


# --- tokenization ----------------------------------------------------------------------------

def test_tokenize_task_loss_covers_exactly_completion_and_eos(built, tok):
    atom = _records(built[0], "atom")[0]
    composite = _records(built[0], "composite_A")[0]
    for record, style in ((atom, "docstring"), (composite, "docstring"),
                          (composite, "instruction")):
        example = tokenize_task(record, tok, style)
        completion = render.completion(record, style)
        assert example.tokens.dtype == np.int32 and example.loss_mask.dtype == bool
        prompt_ids = tok.encode(record["prompt"], add_special_tokens=False)
        n = len(prompt_ids)
        # prompt and completion tokenized separately: the prompt's tokens are a prefix
        assert example.tokens[:n].tolist() == prompt_ids
        assert not example.loss_mask[:n].any() and example.loss_mask[n:].all()
        assert tok.decode(example.tokens[example.loss_mask]) == completion + EOS
        assert tok.decode(example.tokens[~example.loss_mask]) == record["prompt"]
        assert example.tokens[-1] == 0
    # the atom's completion is its body: prompt + completion is a whole program
    assert render.completion(atom).startswith("    ") and "def " not in render.completion(atom)


def test_tokenize_task_names_the_task_without_a_def_line(built, tok):
    record = dict(_records(built[0], "atom")[0], entry_point="missing_fn")
    with pytest.raises(ValueError, match="atom/.*missing_fn"):
        tokenize_task(record, tok)


def test_tokenize_documents_chunks_overlap_by_one_and_train_every_token_once():
    examples = tokenize_documents(["abcdefghijk", "xy", ""], CharTokenizer(), max_length=5)
    a = [ord(c) for c in "abcdefghijk"]
    expected = [a[0:5], a[4:9], a[8:11] + [0], [ord("x"), ord("y"), 0], [0]]
    assert [e.tokens.tolist() for e in examples] == expected
    masks = [e.loss_mask.tolist() for e in examples]
    assert masks == [[True] * 5, [False] + [True] * 4, [False] + [True] * 3, [True] * 3, [True]]
    # trained targets (loss_mask[1:]) cover each token after a document's first exactly once
    assert sum(int(e.loss_mask[1:].sum()) for e in examples[:3]) == len(a)
    with pytest.raises(ValueError, match="max_length"):
        tokenize_documents(["abc"], CharTokenizer(), max_length=1)


def test_tokenize_documents_real_tokenizer_reassembles(tok):
    text = "def f(x):\n    return [y * 2 for y in x if y % 3]\n" * 5
    ids = tok.encode(text, add_special_tokens=False) + [0]
    chunks = tokenize_documents([text], tok, max_length=16)
    assert all(1 < len(c.tokens) <= 16 for c in chunks)
    assert len(chunks) == -(-(len(ids) - 1) // 15)
    joined = chunks[0].tokens.tolist() + [t for c in chunks[1:] for t in c.tokens[1:].tolist()]
    assert joined == ids


# --- packing ---------------------------------------------------------------------------------

def _examples(n=60, low=3, high=30, seed=0):
    """Distinct examples of random lengths, loss on a random suffix."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        length = int(rng.integers(low, high + 1))
        tokens = rng.integers(1, 500, size=length).astype(np.int32)
        tokens[0] = 1000 + i  # makes each example unique
        mask = np.arange(length) >= int(rng.integers(0, length))
        out.append(Example(tokens, mask))
    return out


def _key(tokens, mask):
    return tuple(int(t) for t in tokens), tuple(bool(m) for m in mask)


def _rows(batches):
    for b in batches:
        for r in range(b["input_ids"].shape[0]):
            yield {k: v[r] for k, v in b.items()}


def _unpack(row, seq_len):
    """Examples of one row as (tokens, loss_mask) keys, checking the row's invariants."""
    seg, ids, tgt = row["segment_ids"], row["input_ids"], row["targets"]
    loss, pos = row["loss_mask"], row["positions"]
    assert all(v.shape == (seq_len,) for v in row.values())
    assert (ids.dtype, tgt.dtype, seg.dtype, pos.dtype, loss.dtype) == (
        np.int32, np.int32, np.int32, np.int32, np.float32)
    used = int((seg != 0).sum())
    # examples first, padding after; padding is all zeros with no loss
    assert (seg[used:] == 0).all() and (seg[:used] != 0).all()
    for v in (ids, tgt, loss, pos):
        assert (v[used:] == 0).all()
    out = []
    ids_seen = sorted(set(seg[:used].tolist()))
    assert ids_seen == list(range(1, len(ids_seen) + 1))
    for s in ids_seen:
        where = np.flatnonzero(seg == s)
        assert (np.diff(where) == 1).all()  # contiguous
        assert pos[where].tolist() == list(range(len(where)))
        tokens = ids[where]
        # targets are the next token of the same example; the last one predicts nothing
        assert tgt[where].tolist() == tokens[1:].tolist() + [0]
        assert loss[where][-1] == 0.0
        mask = np.concatenate([[True], loss[where][:-1] == 1.0])  # mask[0] is not encoded
        out.append((tuple(tokens.tolist()), mask))
    return out


def _epoch_keys(examples, seq_len):
    """Multiset of kept examples, loss_mask[0] (never used) normalised to True."""
    return collections.Counter(_key(e.tokens, np.concatenate([[True], e.loss_mask[1:]]))
                               for e in examples if len(e.tokens) <= seq_len)


def _unpacked(rows, seq_len):
    return [(t, tuple(bool(m) for m in mask)) for r in rows for t, mask in _unpack(r, seq_len)]


def test_one_epoch_packs_every_kept_example_once_with_exact_stats():
    seq_len = 32
    examples = _examples() + [Example(np.arange(1, 41, dtype=np.int32), np.ones(40, bool)),
                              Example(np.arange(2, 35, dtype=np.int32), np.ones(33, bool)),
                              Example(np.arange(3, 35, dtype=np.int32), np.ones(32, bool))]
    ds, stats = packed_batches(examples, seq_len=seq_len, batch_size=4, seed=3, num_epochs=1,
                               num_packing_bins=4)
    rows = list(_rows(ds))
    unpacked = _unpacked(rows, seq_len)
    assert collections.Counter(unpacked) == _epoch_keys(examples, seq_len)
    kept = [e for e in examples if len(e.tokens) <= seq_len]
    assert stats.examples == len(kept) == 61 and stats.dropped_too_long == 2
    assert stats.tokens == sum(len(e.tokens) for e in kept)
    assert stats.loss_tokens == sum(int(e.loss_mask[1:].sum()) for e in kept)
    assert stats.loss_tokens == int(sum(r["loss_mask"].sum() for r in rows))
    used_rows = [r for r in rows if r["segment_ids"].any()]
    assert stats.rows_per_epoch == len(used_rows)
    assert len(rows) == -(-len(used_rows) // 4) * 4  # the last batch is filled with padding rows
    padding = sum(int((r["segment_ids"] == 0).sum()) for r in used_rows)
    assert stats.padding_fraction == pytest.approx(padding / (len(used_rows) * seq_len))


def test_seeded_epochs_are_deterministic_distinct_and_complete():
    examples, seq_len = _examples(), 32

    def run(seed):
        ds, stats = packed_batches(examples, seq_len=seq_len, batch_size=4, seed=seed,
                                   num_epochs=2, num_packing_bins=4)
        one, _ = packed_batches(examples, seq_len=seq_len, batch_size=4, seed=seed,
                                num_epochs=1, num_packing_bins=4)
        epoch0 = [r for r in _rows(one) if r["segment_ids"].any()]
        return list(ds), epoch0

    batches, epoch0 = run(5)
    again, _ = run(5)
    for a, b in zip(batches, again, strict=True):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    rows = [r for r in _rows(batches) if r["segment_ids"].any()]
    first, second = rows[:len(epoch0)], rows[len(epoch0):]
    for a, b in zip(first, epoch0):
        np.testing.assert_array_equal(a["input_ids"], b["input_ids"])
    order1, order2 = _unpacked(first, seq_len), _unpacked(second, seq_len)
    # each epoch on its own holds every example once, in a different order
    assert collections.Counter(order1) == collections.Counter(order2) == _epoch_keys(
        examples, seq_len)
    assert order1 != order2
    other, _ = run(6)
    assert not np.array_equal(other[0]["input_ids"], batches[0]["input_ids"])


@pytest.mark.parametrize("bins", [4, None])
def test_state_round_trip_resumes_exactly_across_epochs(bins):
    examples, seq_len, batch = _examples(n=40), 32, 3

    def make():
        return packed_batches(examples, seq_len=seq_len, batch_size=batch, seed=11,
                              num_packing_bins=bins)[0]

    _, stats = packed_batches(examples, seq_len=seq_len, batch_size=batch, seed=11,
                              num_packing_bins=bins)
    per_epoch = stats.rows_per_epoch / batch
    total = int(3 * per_epoch) + 2
    reference = list(_take(iter(make()), total))
    boundary = int(per_epoch)  # the batch holding the first epoch's last rows
    for cut in (1, boundary - 1, boundary, boundary + 1, int(2 * per_epoch)):
        it = iter(make())
        for _ in range(cut):
            next(it)
        state = json.loads(json.dumps(it.get_state()))  # stored as JSON in a checkpoint
        resumed = iter(make())
        resumed.set_state(state)
        for want, got in zip(reference[cut:], _take(resumed, total - cut), strict=True):
            for k in want:
                np.testing.assert_array_equal(want[k], got[k])
    # the stream really crossed epochs: 3 epochs' worth of examples, 3 of each
    counts = collections.Counter(_unpacked(_rows(reference), seq_len))
    assert min(counts.values()) >= 2 and len(counts) == len(examples)


def _take(it, n):
    for _ in range(n):
        yield next(it)


def test_state_from_other_data_is_refused():
    a, _ = packed_batches(_examples(seed=1), seq_len=32, batch_size=2, seed=0)
    b, _ = packed_batches(_examples(seed=2), seq_len=32, batch_size=2, seed=0)
    it = iter(a)
    next(it)
    with pytest.raises(ValueError, match="state\\['data'\\]"):
        iter(b).set_state(it.get_state())


def test_packing_argument_errors():
    with pytest.raises(ValueError, match="seq_len"):
        packed_batches(_examples(), seq_len=0, batch_size=2, seed=0)
    with pytest.raises(ValueError, match="no example fits seq_len=2"):
        packed_batches(_examples(low=3), seq_len=2, batch_size=2, seed=0)
    with pytest.raises(ValueError, match="num_epochs"):
        packed_batches(_examples(), seq_len=32, batch_size=2, seed=0, num_epochs=0)


# --- mixture ---------------------------------------------------------------------------------

def test_mixture_counts_repeats_and_seeded_nested_choice(built):
    jsonl_dir, tfds_dir = built
    atoms, comp_a = _records(jsonl_dir, "atom"), _records(jsonl_dir, "composite_A")
    got = load_mixture(tfds_dir, {"atom": -1, "composite_A": 5, "composite_B": 0},
                       {"atom": 2, "composite_A": 3}, seed=0)
    assert got[:200] == atoms + atoms  # -1: all, stored order, records identical to the JSONL
    chosen = got[200:]
    assert len(chosen) == 15
    ids = collections.Counter(r["task_id"] for r in chosen)
    assert len(ids) == 5 and set(ids.values()) == {3}
    by_id = {r["task_id"]: r for r in comp_a}
    assert all(r == by_id[r["task_id"]] for r in chosen)
    assert chosen[:5] == chosen[5:10] == chosen[10:]

    def pick(count, seed):
        return [r["task_id"] for r in load_mixture(tfds_dir, {"composite_A": count}, {}, seed)]

    assert pick(5, 0) == [r["task_id"] for r in chosen[:5]]
    assert pick(3, 0) == pick(5, 0)[:3]  # ablations with more composites extend fewer
    assert pick(5, 1) != pick(5, 0)
    assert sorted(pick(16, 4)) == sorted(by_id)  # a count equal to the split: all of it


def test_mixture_errors_name_the_config_field(built):
    tfds_dir = built[1]
    with pytest.raises(ValueError, match=r"config\.data\.mixture\.composite_Z.*composite_A"):
        load_mixture(tfds_dir, {"atom": -1, "composite_Z": 3}, {}, 0)
    with pytest.raises(ValueError, match=r"config\.data\.mixture\.composite_A=20 .*only 16"):
        load_mixture(tfds_dir, {"composite_A": 20}, {}, 0)
    with pytest.raises(ValueError, match=r"config\.data\.mixture\.atom=-2"):
        load_mixture(tfds_dir, {"atom": -2}, {}, 0)
    with pytest.raises(ValueError, match=r"config\.data\.repeats\.atom=-1"):
        load_mixture(tfds_dir, {"atom": -1}, {"atom": -1}, 0)
    with pytest.raises(ValueError, match=r"config\.data\.repeats\.composite_Q"):
        load_mixture(tfds_dir, {"atom": -1}, {"composite_Q": 1}, 0)
    with pytest.raises(ValueError, match=r"config\.data\.mixture selects no tasks"):
        load_mixture(tfds_dir, {"atom": 0, "composite_A": 0}, {}, 0)


def _run_entry_point(record, args):
    namespace = {}
    exec(compile(record["solution"], record["task_id"], "exec"), namespace)
    return namespace[record["entry_point"]](*args)


def test_atom_steps_show_each_mixture_atom_description_before_its_name(built):
    jsonl_dir, tfds_dir = built
    records = load_mixture(tfds_dir, {"atom": -1, "composite_A": 3}, {"atom": 2}, 0)
    steps = atom_steps(records, 3)
    ids = collections.Counter(r["task_id"] for r in steps)
    stored = {r["entry_point"]: r for r in _records(jsonl_dir, "atom")}
    assert ids == {f"atom_step/{name}": 3 for name in stored}  # each atom, not the composites
    for record in steps[:len(stored)]:
        name = record["task_id"].removeprefix("atom_step/")
        atom, source = atoms_lib.get(name), stored[name]
        prompt = " ".join(record["prompt"].split())
        params = ", ".join(p for p, _ in atom.params)
        assert ("Return the result of 1 step applied in order." in prompt
                and f"Step 1 (on the function's arguments {params}): {atom.description}"
                in prompt)
        assert name not in record["prompt"]  # the model must name the atom itself
        body = render.completion(record).splitlines(keepends=True)
        assert body[0] == f"    return {name}({params})\n"
        assert atom.source in record["solution"]
        # It computes the atom: the atom's own tests pass on the rendered program.
        assert record["tests"] == source["tests"] and record["fingerprint"] == source["fingerprint"]
        for case in source["tests"]:
            got = json.loads(json.dumps(_run_entry_point(record, case["args"])))
            assert got == case["expected"], (name, case)
    no_atoms = load_mixture(tfds_dir, {"atom": 0, "composite_A": 3}, {}, 0)
    assert atom_steps(no_atoms, 3) == []  # an ablation without atoms stays without them
    assert atom_steps(records, 0) == []
    with pytest.raises(ValueError, match=r"config\.data\.atom_step_repeats=-1"):
        atom_steps(records, -1)


# --- end to end ------------------------------------------------------------------------------

def _data_section(composite_a_repeats: int, atom_step_repeats: int) -> ml_collections.ConfigDict:
    """`config.data` for the small build: every atom and 4 Composite_A tasks."""
    return ml_collections.ConfigDict(dict(
        prompt_style="docstring", max_length=1024,
        mixture=dict(atom=-1, composite_A=4, composite_B=0, composite_C=0),
        repeats=dict(atom=1, composite_A=composite_a_repeats, composite_B=1, composite_C=1),
        atom_step_repeats=atom_step_repeats))


def test_sft_dataset_trains_on_exactly_the_mixture_completions(built, tok):
    jsonl_dir, tfds_dir = built
    data = _data_section(composite_a_repeats=2, atom_step_repeats=1)
    ds, stats = sft_dataset(tfds_dir, data, tok, batch_size=8, seed=0, num_epochs=1)
    chosen = load_mixture(tfds_dir, data.mixture, data.repeats, 0)
    chosen += atom_steps(chosen, 1)
    want = collections.Counter(render.completion(r) + EOS for r in chosen)
    got = collections.Counter()
    for batch in ds:
        assert batch["input_ids"].shape == (8, 1024)
        for row in _rows([batch]):
            for s in set(row["segment_ids"].tolist()) - {0}:
                seg = row["segment_ids"] == s
                trained = row["targets"][seg][row["loss_mask"][seg] == 1.0]
                got[tok.decode(trained)] += 1
    assert got == want
    assert stats.examples == sum(want.values()) == 208 and stats.dropped_too_long == 0


def test_shuffle_seed_reorders_the_same_tasks(built, tok):
    """`config.seed` (through `order_seed`) reshuffles SFT data; `data.seed` alone picks tasks."""
    from codecorr_jax.data.mixture import order_seed

    _, tfds_dir = built
    data = _data_section(composite_a_repeats=1, atom_step_repeats=0)

    def epoch(shuffle_seed):
        ds, _ = sft_dataset(tfds_dir, data, tok, batch_size=8, seed=0, num_epochs=1,
                            shuffle_seed=shuffle_seed)
        return [row["input_ids"].tolist() for row in _rows(list(ds))]

    assert order_seed(0, 0) != order_seed(0, 1) and order_seed(0, 1) != order_seed(1, 1)
    first, again, other = epoch(order_seed(0, 0)), epoch(order_seed(0, 0)), epoch(order_seed(0, 1))
    assert first == again and first != other

    def tokens(rows):
        return collections.Counter(t for row in rows for t in row)

    assert tokens(first) == tokens(other)  # the same tasks, packed in another order


def test_an_unknown_mixture_family_is_named_with_the_closest_one():
    from codecorr_jax.data.mixture import check_mixture

    with pytest.raises(ValueError, match=r"data.mixture.composite_a: unknown family \(did you "
                                         r"mean 'composite_A'\?\); families are \['atom'"):
        check_mixture({"atom": -1, "composite_a": 5}, {})
