"""The built-in tiny model's tokenizer: a byte-level BPE trained on the project's own corpus.

At the tiny scale the tokenizer is the first-order lever (a character-level model learns almost
nothing in the same budget), and no pretrained tokenizer can be downloaded, so one is trained
here with `tokenizers` and saved as a Hugging Face tokenizer directory that every consumer loads
like any other; `load_tokenizer` reads it by its class (what AutoTokenizer returns for it,
without AutoTokenizer's import of torch: ~3 s a process).

- Byte level: the initial alphabet is all 256 byte symbols, so any text encodes and decodes
  back exactly; no normalizer, no prefix space.
- `EOS_TOKEN` has id 0 and is both end-of-sequence and padding.
- The vocabulary is at most `vocab_size`: a small corpus runs out of pairs to merge and
  saturates below it. That is fine; the model's embedding may be larger than the tokenizer.
- Training is deterministic: the same texts and vocab_size give a byte-identical
  tokenizer.json, whatever the thread count. (`tokenizers` sorts the alphabet, breaks ties
  between equally frequent pairs by their ids, which then depend only on the merge order, and
  sums pair counts, so parallel counting does not change the result; checked across processes
  in tests/test_tokenizer.py.)
- `codecorr_tokenizer.json` in the directory records what it was trained from (requested and
  actual size, sha256 of the texts) so `build_or_load_tokenizer` can reuse it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from typing import Callable, Iterable, Iterator, Sequence

import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from codecorr_jax.fileio import read_json, replace_dir

EOS_TOKEN = "<|endoftext|>"
EOS_ID = 0
MANIFEST = "codecorr_tokenizer.json"
# Bumped when the recipe changes, so old directories are retrained instead of reused.
FORMAT_VERSION = 1
# The alphabet plus the special token: no smaller vocabulary can encode every text.
MIN_VOCAB_SIZE = len(pre_tokenizers.ByteLevel.alphabet()) + 1


def _check_vocab_size(vocab_size: int) -> None:
    if not isinstance(vocab_size, int) or vocab_size < MIN_VOCAB_SIZE:
        raise ValueError(f"vocab_size must be an int >= {MIN_VOCAB_SIZE} (256 byte symbols + "
                         f"{EOS_TOKEN}), got {vocab_size!r}")


class _Hasher:
    """sha256 of a sequence of texts, each length-prefixed so that boundaries count."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.count = 0

    def feed(self, texts: Iterable[str]) -> Iterator[str]:
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"training text #{self.count} is {type(text).__name__}, not str")
            data = text.encode("utf-8")
            self._h.update(len(data).to_bytes(8, "little"))
            self._h.update(data)
            self.count += 1
            yield text

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def corpus_hash(texts: Iterable[str]) -> str:
    """sha256 of the training texts (order and boundaries included): the manifest's key."""
    hasher = _Hasher()
    for _ in hasher.feed(texts):
        pass
    return hasher.hexdigest()


def _raw_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return tok


def _manifest(vocab_size: int, actual: int, digest: str, n_texts: int) -> dict[str, object]:
    return {"format_version": FORMAT_VERSION, "vocab_size_requested": vocab_size,
            "vocab_size_actual": actual, "corpus_sha256": digest, "num_texts": n_texts}


def read_manifest(out_dir: str) -> dict[str, object] | None:
    """The directory's `codecorr_tokenizer.json`, or None where there is none."""
    return read_json(os.path.join(out_dir, MANIFEST))


def train_tokenizer(texts: Iterable[str], vocab_size: int, out_dir: str
                    ) -> transformers.PreTrainedTokenizerFast:
    """Train the byte-level BPE on `texts` and save it to `out_dir`, atomically.

    The directory is written as a temporary sibling and renamed over `out_dir`, so a reader
    never sees a half-written tokenizer. Returns the tokenizer as loaded back from `out_dir`.
    """
    _check_vocab_size(vocab_size)
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tok = _raw_tokenizer()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS_TOKEN],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    hasher = _Hasher()
    tok.train_from_iterator(hasher.feed(texts), trainer=trainer)
    if tok.token_to_id(EOS_TOKEN) != EOS_ID:  # guaranteed by the trainer; guard the contract
        raise RuntimeError(f"{EOS_TOKEN} got id {tok.token_to_id(EOS_TOKEN)}, expected {EOS_ID}")
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token=EOS_TOKEN, pad_token=EOS_TOKEN,
        clean_up_tokenization_spaces=False)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir)}.tmp-", dir=parent)
    try:
        fast.save_pretrained(tmp)
        meta = _manifest(vocab_size, tok.get_vocab_size(), hasher.hexdigest(), hasher.count)
        with open(os.path.join(tmp, MANIFEST), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")
        replace_dir(tmp, out_dir)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return load_tokenizer(out_dir)


def load_tokenizer(out_dir: str) -> transformers.PreTrainedTokenizerFast:
    """The project's own tokenizer in `out_dir` (one `train_tokenizer` saved, or the shipped
    base's): a bare byte-level BPE, read by its class. A checkpoint's tokenizer goes through
    AutoTokenizer (`hf_checkpoint.load_tokenizer`), which picks its class from the model."""
    from transformers.tokenization_utils_tokenizers import TokenizersBackend

    return TokenizersBackend.from_pretrained(out_dir, local_files_only=True)


def build_or_load_tokenizer(out_dir: str, texts: Callable[[], Iterable[str]] | Sequence[str],
                            vocab_size: int) -> transformers.PreTrainedTokenizerFast:
    """The tokenizer in `out_dir` if its manifest matches `texts` and `vocab_size`, else a new one.

    `texts` may be a callable so that callers can pass the corpus builder itself; it is called
    once and its texts are held in memory (hashing and training both need them).
    """
    _check_vocab_size(vocab_size)
    corpus = list(texts() if callable(texts) else texts)
    digest = corpus_hash(corpus)
    meta = read_manifest(out_dir)
    if (meta is not None and meta.get("format_version") == FORMAT_VERSION
            and meta.get("vocab_size_requested") == vocab_size
            and meta.get("corpus_sha256") == digest
            and os.path.isfile(os.path.join(out_dir, "tokenizer.json"))):
        return load_tokenizer(out_dir)
    return train_tokenizer(corpus, vocab_size, out_dir)
