"""The tiny model's byte-level BPE and its corpora, checked against independent references."""

from __future__ import annotations

import collections
import hashlib
import json
import os
import random
import subprocess
import sys
import sysconfig

import pytest
import regex
import transformers
from tokenizers import Tokenizer

from codecorr_jax.data import corpus, tokenizer
from codecorr_jax.synth import render

# --- an independent byte-level BPE encoder (GPT-2's scheme), the reference for encoding -------

# GPT-2's pre-tokenizer pattern, which a ByteLevel pre-tokenizer with use_regex applies.
_PRETOKEN = regex.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def _byte_symbols() -> dict[int, str]:
    """GPT-2's reversible map of the 256 bytes to printable characters."""
    printable = ([*range(ord("!"), ord("~") + 1)] + [*range(ord("¡"), ord("¬") + 1)]
                 + [*range(ord("®"), ord("ÿ") + 1)])
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


class ReferenceBPE:
    """Encodes with the vocab and ranked merges read from tokenizer.json, nothing else."""

    def __init__(self, tokenizer_json: str):
        with open(tokenizer_json, encoding="utf-8") as f:
            model = json.load(f)["model"]
        assert model["type"] == "BPE"
        self.vocab = model["vocab"]
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
                  for m in model["merges"]]
        self.rank = {pair: i for i, pair in enumerate(merges)}
        self.symbols = _byte_symbols()

    def _word(self, piece: str) -> list[str]:
        word = [self.symbols[b] for b in piece.encode("utf-8")]
        while len(word) > 1:
            pairs = [(self.rank.get(p, len(self.rank)), p) for p in zip(word, word[1:])]
            best_rank, best = min(pairs)
            if best_rank == len(self.rank):
                break
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        return word

    def encode(self, text: str) -> list[int]:
        return [self.vocab[s] for piece in _PRETOKEN.findall(text) for s in self._word(piece)]


# --- fixtures ------------------------------------------------------------------------------

def _write_jsonl(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def _record(task_id, family, split, prompt, solution, entry_point="f"):
    return {"task_id": task_id, "family": family, "split": split, "entry_point": entry_point,
            "prompt": prompt, "solution": solution, "tests": [{"args": [1], "expected": 2}],
            "atoms": ["double"], "fingerprint": "x"}


ATOM_PROMPT = 'def double(x: int) -> int:\n    """Return twice x."""\n'
ATOM_SOLUTION = "def double(x: int) -> int:\n    return 2 * x\n"
COMP_PROMPT = ('import math\n\ndef composed_1(xs: list[int]) -> int:\n'
               '    """Step 1: gcd of xs. Step 2: twice it."""\n')
COMP_SOLUTION = ('import math\n\ndef composed_1(xs: list[int]) -> int:\n'
                 '    step1 = gcd_all(xs)\n    return double(step1)\n\n\n'
                 'def gcd_all(xs: list[int]) -> int:\n    return math.gcd(*xs)\n')
TEST_PROMPT = 'def held_out_marker(s: str) -> str:\n    """EVALUATION ONLY."""\n'
TEST_SOLUTION = "def held_out_marker(s: str) -> str:\n    return s[::-1]\n"


@pytest.fixture(scope="module")
def task_dir(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("tasks"))
    _write_jsonl(os.path.join(d, "atom", "train.jsonl"),
                 [_record("atom/double", "atom", "train", ATOM_PROMPT, ATOM_SOLUTION, "double")])
    _write_jsonl(os.path.join(d, "composite_A", "train.jsonl"),
                 [_record("composite_A/000000", "composite_A", "train", COMP_PROMPT,
                          COMP_SOLUTION, "composed_1")])
    _write_jsonl(os.path.join(d, "composite_A", "test.jsonl"),
                 [_record("composite_A/000001", "composite_A", "test", TEST_PROMPT,
                          TEST_SOLUTION, "held_out_marker")])
    return d


@pytest.fixture(scope="module")
def texts(task_dir):
    """Big enough to fill a 1024 vocabulary."""
    return corpus.tokenizer_corpus(task_dir, "docstring", source_bytes=400_000, seed=3)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, texts):
    out = str(tmp_path_factory.mktemp("tok") / "tokenizer")
    return out, tokenizer.train_tokenizer(texts, 1024, out)


def _random_text(rng: random.Random, n: int) -> str:
    pools = ["abcXYZ019_ ", "\t\n\r  \n\n    ", "(){}[]:;,.'\"#@!?=+-*/\\%",
             "😀🚀🐍👍🏽", "漢字中文代码函数", "éßøñ€ü", "\u0301\u200b\u00a0\x00\x7f"]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(n))


# --- tokenizer -------------------------------------------------------------------------------

def test_saved_dir_loads_with_autotokenizer_and_encodes_like_raw_and_reference(trained, texts):
    out, tok = trained
    auto = transformers.AutoTokenizer.from_pretrained(out, local_files_only=True)
    raw = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    ref = ReferenceBPE(os.path.join(out, "tokenizer.json"))
    rng = random.Random(0)
    samples = [texts[0], texts[1], texts[5][:3000], texts[-1][:3000], "x = 1\n",
               "  def f(a,b):\n\treturn a+b  \n", *(_random_text(rng, 200) for _ in range(20))]
    for text in samples:
        ids = raw.encode(text).ids
        assert auto(text)["input_ids"] == ids
        assert auto.encode(text, add_special_tokens=False) == ids
        assert tok(text)["input_ids"] == ids
        assert ref.encode(text) == ids
        assert tok.decode(ids) == auto.decode(ids)
    assert sum(map(len, (ref.encode(t) for t in samples[:2]))) < len(samples[0] + samples[1])
    # the project reads its own tokenizers by their class (tokenizer.load_tokenizer), not
    # through AutoTokenizer: the same object, padded batches alike
    assert type(tok) is type(auto)
    assert (tok.eos_token_id, tok.pad_token_id, tok.padding_side, len(tok)) == \
        (auto.eos_token_id, auto.pad_token_id, auto.padding_side, len(auto))
    assert tok(samples[4:8], padding=True)["input_ids"] == \
        auto(samples[4:8], padding=True)["input_ids"]


def test_loading_the_shipped_tokenizer_leaves_torch_unimported():
    """AutoTokenizer imports torch (~3 s a process, paid by every run); the project's own
    tokenizer is read without it."""
    code = ("import sys; from codecorr_jax.data.tokenizer import load_tokenizer; "
            "from codecorr_jax.regimes.workspace import SHIPPED_BASE_DIR; "
            "t = load_tokenizer(SHIPPED_BASE_DIR); "
            "print(t.eos_token_id, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "False"]


def test_byte_alphabet_and_eos(trained):
    out, tok = trained
    vocab = tok.get_vocab()
    assert set(_byte_symbols().values()) <= set(vocab)
    assert tok.eos_token == tokenizer.EOS_TOKEN and tok.pad_token == tokenizer.EOS_TOKEN
    assert tok.eos_token_id == 0 and tok.pad_token_id == 0 and vocab[tokenizer.EOS_TOKEN] == 0
    assert tok.encode(tokenizer.EOS_TOKEN, add_special_tokens=False) == [0]
    ids = tok.encode("x" + tokenizer.EOS_TOKEN + "y", add_special_tokens=False)
    assert ids == [vocab["x"], 0, vocab["y"]]
    assert tok.decode([vocab["x"], 0]) == "x" + tokenizer.EOS_TOKEN


def test_roundtrip_random_unicode_and_python_source(trained):
    _, tok = trained
    raw = Tokenizer.from_file(os.path.join(trained[0], "tokenizer.json"))
    rng = random.Random(1)
    samples = [_random_text(rng, rng.randrange(1, 400)) for _ in range(60)]
    samples += [" leading space", "trailing  \n\n", "\t\tindented\r\n", "", "🐍" * 7]
    samples += corpus.python_source_texts(60_000, seed=11)
    for text in samples:
        ids = tok.encode(text, add_special_tokens=False)
        assert tok.decode(ids) == text
        assert raw.decode(ids) == text


def test_size_and_manifest(trained, texts):
    out, tok = trained
    assert len(tok) == 1024
    with open(os.path.join(out, "tokenizer.json"), encoding="utf-8") as f:
        assert len(json.load(f)["model"]["vocab"]) == 1024
    h = hashlib.sha256()
    for t in texts:
        data = t.encode("utf-8")
        h.update(len(data).to_bytes(8, "little") + data)
    assert tokenizer.read_manifest(out) == {
        "format_version": tokenizer.FORMAT_VERSION, "vocab_size_requested": 1024,
        "vocab_size_actual": 1024, "corpus_sha256": h.hexdigest(), "num_texts": len(texts)}
    assert tokenizer.corpus_hash(["ab", "c"]) != tokenizer.corpus_hash(["a", "bc"])
    assert sorted(os.listdir(os.path.dirname(out))) == ["tokenizer"]  # no temporary leftovers


def test_small_corpus_saturates_below_vocab_size(tmp_path):
    text = "def f(x):\n    return x + 1\n"
    tok = tokenizer.train_tokenizer([text], 2000, str(tmp_path / "t"))
    # 256 bytes + EOS + one token per merge; this text has far fewer than 1743 possible merges.
    assert 257 < len(tok) < 2000
    assert tokenizer.read_manifest(str(tmp_path / "t"))["vocab_size_actual"] == len(tok)
    assert tok.decode(tok.encode(text, add_special_tokens=False)) == text
    # merging went on until no pair was left: every pre-tokenized piece is one token
    pieces = _PRETOKEN.findall(text)
    assert len(pieces) == 11
    assert tok.encode(text, add_special_tokens=False) == [tok.get_vocab()[
        "".join(_byte_symbols()[b] for b in p.encode("utf-8"))] for p in pieces]
    with pytest.raises(ValueError, match="vocab_size"):
        tokenizer.train_tokenizer([text], 100, str(tmp_path / "u"))


def test_training_is_deterministic_in_process_and_across_processes(tmp_path, trained, texts):
    with open(os.path.join(trained[0], "tokenizer.json"), "rb") as f:
        first = f.read()
    tokenizer.train_tokenizer(texts, 1024, str(tmp_path / "again"))
    with open(tmp_path / "again" / "tokenizer.json", "rb") as f:
        assert f.read() == first
    corpus_file = tmp_path / "texts.json"
    corpus_file.write_text(json.dumps(texts), encoding="utf-8")
    code = ("import json, sys\nfrom codecorr_jax.data import tokenizer\n"
            "tokenizer.train_tokenizer(json.load(open(sys.argv[1])), 1024, sys.argv[2])\n")
    env = {**os.environ, "RAYON_RS_NUM_CPUS": "1", "PYTHONHASHSEED": "123"}
    subprocess.run([sys.executable, "-c", code, str(corpus_file), str(tmp_path / "other")],
                   check=True, env=env, timeout=120)
    with open(tmp_path / "other" / "tokenizer.json", "rb") as f:
        assert f.read() == first


def test_build_or_load_reuses_and_retrains(tmp_path, texts):
    out = str(tmp_path / "tok")
    small = texts[:3]
    tok = tokenizer.build_or_load_tokenizer(out, lambda: iter(small), 600)
    path = os.path.join(out, "tokenizer.json")
    stamp = os.stat(path).st_mtime_ns, os.stat(path).st_ino
    again = tokenizer.build_or_load_tokenizer(out, small, 600)
    assert (os.stat(path).st_mtime_ns, os.stat(path).st_ino) == stamp
    assert again.get_vocab() == tok.get_vocab() and len(again) == 600
    bigger = tokenizer.build_or_load_tokenizer(out, lambda: small, 700)
    assert len(bigger) == 700 and tokenizer.read_manifest(out)["vocab_size_requested"] == 700
    other = texts[3:6]
    tokenizer.build_or_load_tokenizer(out, other, 700)
    assert tokenizer.read_manifest(out)["corpus_sha256"] == tokenizer.corpus_hash(other)
    assert tokenizer.read_manifest(out)["corpus_sha256"] != tokenizer.corpus_hash(small)


# --- corpus ----------------------------------------------------------------------------------

def test_python_source_files_real_stdlib():
    root = sysconfig.get_paths()["stdlib"]
    files = corpus.python_source_files()
    rels = [os.path.relpath(p, root).replace(os.sep, "/") for p in files]
    assert rels == sorted(rels) and len(set(rels)) == len(rels)
    assert files == corpus.python_source_files()
    assert {"os.py", "json/__init__.py", "collections/__init__.py"} <= set(rels)
    for rel in rels:
        parts = rel.split("/")
        assert rel.endswith(".py") and not rel.startswith("..")
        assert not any(p.startswith("test") or p in ("idle_test", "site-packages")
                       for p in parts[:-1]), rel
    if os.path.isdir(os.path.join(root, "test")):  # the suite exists on disk but is left out
        assert not any(r.startswith("test/") for r in rels)


def test_python_source_files_rules_on_a_fake_stdlib(tmp_path, monkeypatch):
    files = {"a.py": "x = 1\n", "a/b.py": "y = 2\n", "a_b.py": "z = 3\n",
             "pkg/__init__.py": "", "pkg/mod.py": "w = 'é'\n",
             "test/test_os.py": "t\n", "pkg/tests/t.py": "t\n", "ctypes/test/t.py": "t\n",
             "idlelib/idle_test/t.py": "t\n", "idlelib/run.py": "r = 0\n",
             "pkg/testing_util/q.py": "t\n", "site-packages/m/m.py": "t\n",
             "notes.txt": "not python\n"}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "latin1.py").write_bytes(b"s = '\xe9'\n")  # not valid UTF-8
    monkeypatch.setattr(corpus.sysconfig, "get_paths", lambda: {"stdlib": str(tmp_path)})
    listed = [os.path.relpath(p, tmp_path) for p in corpus.python_source_files()]
    assert listed == ["a.py", "a/b.py", "a_b.py", "idlelib/run.py", "pkg/__init__.py",
                      "pkg/mod.py"]
    # a budget of 13 bytes: files are 6 bytes each except pkg/mod.py (9) and the empty one
    for seed in range(5):
        order = ["a.py", "a/b.py", "a_b.py", "idlelib/run.py", "pkg/__init__.py",
                 "pkg/mod.py"]
        random.Random(seed).shuffle(order)
        expected, left = [], 13
        for rel in order:
            data = (tmp_path / rel).read_bytes()
            if data and len(data) <= left:
                expected.append(data.decode("utf-8"))
                left -= len(data)
        assert corpus.python_source_texts(13, seed=seed) == expected


def test_python_source_texts_budget_and_seed():
    available = collections.Counter()
    for path in corpus.python_source_files():
        with open(path, encoding="utf-8", newline="") as f:
            available[f.read()] += 1
    a = corpus.python_source_texts(300_000, seed=0)
    size = sum(len(t.encode("utf-8")) for t in a)
    assert 299_000 <= size <= 300_000
    assert all(n <= available[t] for t, n in collections.Counter(a).items())  # whole files
    assert all(0 < len(t.encode("utf-8")) <= corpus.MAX_FILE_BYTES for t in a)
    assert corpus.python_source_texts(300_000, seed=0) == a
    b = corpus.python_source_texts(300_000, seed=1)
    assert b != a and sum(len(t.encode("utf-8")) for t in b) <= 300_000
    for bad in (0, -5):
        with pytest.raises(ValueError, match="max_bytes"):
            corpus.python_source_texts(bad)


def test_task_texts_train_only(task_dir):
    got = corpus.task_texts(task_dir)
    assert got == [
        'def double(x: int) -> int:\n    """Return twice x."""\n    return 2 * x\n',
        'import math\n\ndef composed_1(xs: list[int]) -> int:\n'
        '    """Step 1: gcd of xs. Step 2: twice it."""\n'
        '    step1 = gcd_all(xs)\n    return double(step1)\n\n\n'
        'def gcd_all(xs: list[int]) -> int:\n    return math.gcd(*xs)\n']
    records = [_record("", "", "", ATOM_PROMPT, ATOM_SOLUTION, "double"),
               _record("", "", "", COMP_PROMPT, COMP_SOLUTION, "composed_1")]
    assert got == [r["prompt"] + render.completion(r, "docstring") for r in records]
    assert not any("EVALUATION ONLY" in t or "held_out_marker" in t for t in got)
    # instruction style: the completion is the whole solution
    assert corpus.task_texts(task_dir, "instruction")[0] == ATOM_PROMPT + ATOM_SOLUTION
    both = corpus.tokenizer_corpus(task_dir, "docstring", 50_000, seed=2)
    assert both == got + corpus.python_source_texts(50_000, seed=2)


def test_task_texts_checks_the_builds_style(tmp_path, task_dir):
    with open(os.path.join(task_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump({"prompt_style": "docstring"}, f)
    try:
        assert len(corpus.task_texts(task_dir, "docstring")) == 2
        with pytest.raises(ValueError, match="prompt_style"):
            corpus.task_texts(task_dir, "instruction")
    finally:
        os.remove(os.path.join(task_dir, "manifest.json"))
    with pytest.raises(FileNotFoundError, match="train split"):
        corpus.task_texts(str(tmp_path))
