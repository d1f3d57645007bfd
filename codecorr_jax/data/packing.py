"""Packing tokenized examples into fixed (batch, seq_len) rows, epoch by epoch, resumably.

Fixed shapes mean one jit compile for the whole run; packing several examples per row (instead of
padding each to seq_len) keeps the padding small. Rows carry `segment_ids` (0 = padding, 1, 2,
... per example) and `positions` (restarting at 0 per example), so the decoder's attention never
crosses examples, and targets never do either: an example's last token has target 0 (padding)
and loss 0.

The packing is grain's own first-fit (`grain.experimental.FirstFitPackIterDataset`): it fills
`num_packing_bins` rows in arrival order, emits them when an example fits in none, and starts
again with that example. Each epoch is packed separately from a fresh shuffle seeded by (seed,
epoch), so a row never mixes two epochs and every kept example appears exactly once per epoch.
Batches are cut from the stream of rows, so a batch may hold the last rows of one epoch and the
first rows of the next; only the very last batch of a finite run is short, and it is filled up
with padding rows (segment 0, loss 0) to keep the shape.

Resuming: the iterator's `get_state()` is a small dict of ints and strings (JSON as it is, for a
checkpoint's metadata); a new iterator over a dataset built with the same arguments, given it by
`set_state()`, continues with exactly the batches the first one would have produced. The state
records a digest of the data and packing arguments, and a state from other data is refused.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from typing import Any, NamedTuple, Sequence

import grain
import numpy as np

from codecorr_jax.data.mixture import derive_seed

PAD_ID = 0
FEATURES = ("input_ids", "targets", "loss_mask")
BATCH_KEYS = ("input_ids", "targets", "loss_mask", "segment_ids", "positions")


class Example(NamedTuple):
    """One tokenized sequence. `loss_mask[i]` says whether token i is trained, i.e. predicted
    from tokens[:i] (so loss_mask[0] is never used: the first token has no context)."""

    tokens: np.ndarray  # int32 (length,)
    loss_mask: np.ndarray  # bool (length,)


@dataclasses.dataclass(frozen=True)
class PackStats:
    """What packing made of the examples (the trainer reports it).

    Counts are per epoch. `rows_per_epoch` and `padding_fraction` are exact for epoch 0; other
    epochs pack a different order and differ by a few rows.
    """

    examples: int  # kept, i.e. packed once per epoch
    dropped_too_long: int  # longer than seq_len, never packed
    tokens: int  # tokens of the kept examples
    loss_tokens: int  # target positions with loss on
    rows_per_epoch: int
    padding_fraction: float  # padding slots / (rows_per_epoch * seq_len)


def _features(example: Example) -> dict[str, np.ndarray]:
    """Next-token inputs, targets and loss of one example, before packing (same length)."""
    tokens = np.asarray(example.tokens, dtype=np.int32)
    mask = np.asarray(example.loss_mask, dtype=bool)
    if tokens.ndim != 1 or mask.shape != tokens.shape:
        raise ValueError(f"Example.tokens {tokens.shape} and Example.loss_mask {mask.shape} must "
                         "be 1-D of the same length")
    targets = np.append(tokens[1:], np.int32(PAD_ID))
    loss = np.append(mask[1:], False).astype(np.float32)
    return {"input_ids": tokens, "targets": targets, "loss_mask": loss}


def first_fit_rows(lengths: Sequence[int], seq_len: int, num_bins: int) -> int:
    """Rows grain's first-fit packer emits for examples of these lengths, in this order."""
    rows, used = 0, [0] * num_bins
    for length in lengths:
        for i, u in enumerate(used):
            if u + length <= seq_len:
                used[i] += length
                break
        else:
            rows += num_bins
            used = [length] + [0] * (num_bins - 1)
    return rows + sum(1 for u in used if u)


def _digest(features: Sequence[dict[str, np.ndarray]], *args: Any) -> str:
    h = hashlib.sha256(repr(args).encode())
    for f in features:
        h.update(len(f["input_ids"]).to_bytes(4, "little"))
        h.update(f["input_ids"].tobytes())
        h.update(f["loss_mask"].tobytes())
    return h.hexdigest()[:16]


class _EpochsIterator(grain.DatasetIterator):
    """Rows of epoch 0, then of epoch 1, ...; each epoch its own shuffle and packing."""

    def __init__(self, dataset: _PackedEpochs) -> None:
        super().__init__()
        self._ds = dataset
        self._epoch = 0
        self._inner = dataset.epoch_rows(0).__iter__()

    def __next__(self) -> dict[str, np.ndarray]:
        while True:
            if self._ds.num_epochs is not None and self._epoch >= self._ds.num_epochs:
                raise StopIteration
            try:
                return next(self._inner)
            except StopIteration:
                self._epoch += 1
                self._inner = self._ds.epoch_rows(self._epoch).__iter__()

    def get_state(self) -> dict[str, Any]:
        return {"data": self._ds.digest, "epoch": self._epoch,
                "epoch_state": self._inner.get_state()}

    def set_state(self, state: dict[str, Any]) -> None:
        if state.get("data") != self._ds.digest:
            raise ValueError(f"iterator state['data']={state.get('data')!r} was saved from "
                             f"other data or packing arguments (this dataset: {self._ds.digest!r})")
        self._epoch = int(state["epoch"])
        self._inner = self._ds.epoch_rows(self._epoch).__iter__()
        self._inner.set_state(state["epoch_state"])


class _PackedEpochs(grain.IterDataset):
    """The stream of packed rows over `num_epochs` epochs (None: forever)."""

    def __init__(self, features: list[dict[str, np.ndarray]], *, seq_len: int, seed: int,
                 num_bins: int, num_epochs: int | None) -> None:
        super().__init__()
        self._features = features
        self._seq_len = seq_len
        self._seed = seed
        self._num_bins = num_bins
        self.num_epochs = num_epochs
        self.digest = _digest(features, seq_len, seed, num_bins)

    def epoch_rows(self, epoch: int) -> grain.IterDataset:
        """Epoch `epoch`'s examples, shuffled by (seed, epoch), packed into rows."""
        shuffled = (grain.MapDataset.source(self._features)
                    .shuffle(seed=derive_seed(self._seed, "epoch", epoch))
                    .to_iter_dataset(grain.ReadOptions(num_threads=0, prefetch_buffer_size=0)))
        lengths = {k: self._seq_len for k in FEATURES}
        packed = grain.experimental.FirstFitPackIterDataset(
            shuffled, length_struct=lengths, num_packing_bins=self._num_bins,
            shuffle_bins=False)
        return packed.map(_row)

    def __iter__(self) -> _EpochsIterator:
        return _EpochsIterator(self)


def _row(packed: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """grain's packed element (per-feature segment ids / positions) as the decoder's row."""
    row = {k: packed[k] for k in FEATURES}
    row["segment_ids"] = packed["input_ids_segment_ids"].astype(np.int32)
    row["positions"] = packed["input_ids_positions"].astype(np.int32)
    return row


def _pad_batch(batch: dict[str, np.ndarray], batch_size: int) -> dict[str, np.ndarray]:
    """The last batch of a finite run, filled up with padding rows (zeros everywhere)."""
    short = batch_size - batch["input_ids"].shape[0]
    if short == 0:
        return batch
    return {k: np.concatenate([v, np.zeros((short, *v.shape[1:]), v.dtype)])
            for k, v in batch.items()}


def packed_batches(examples: Sequence[Example], *, seq_len: int, batch_size: int, seed: int,
                   num_epochs: int | None = None, num_packing_bins: int | None = None
                   ) -> tuple[grain.IterDataset, PackStats]:
    """Batches of packed rows: dicts of (batch_size, seq_len) numpy arrays `BATCH_KEYS`.

    input_ids / targets / segment_ids / positions are int32, loss_mask float32 (1.0 where the
    target is a trained token). Examples longer than seq_len are dropped and counted.
    `num_packing_bins` rows are filled at a time (default: batch_size, at least 64); more bins
    pack tighter. `num_epochs` None repeats forever.
    """
    for name, value in (("seq_len", seq_len), ("batch_size", batch_size)):
        if not (isinstance(value, int) and value > 0):
            raise ValueError(f"{name}={value!r} must be a positive int")
    if num_epochs is not None and not (isinstance(num_epochs, int) and num_epochs > 0):
        raise ValueError(f"num_epochs={num_epochs!r} must be a positive int or None")
    num_bins = num_packing_bins or max(batch_size, 64)
    features = [_features(e) for e in examples]
    kept = [f for f in features if len(f["input_ids"]) <= seq_len]
    if not kept:
        raise ValueError(f"no example fits seq_len={seq_len} ({len(features)} examples, "
                         f"shortest {min((len(f['input_ids']) for f in features), default=0)})")
    epochs = _PackedEpochs(kept, seq_len=seq_len, seed=seed, num_bins=num_bins,
                           num_epochs=num_epochs)
    order = grain.MapDataset.source(kept).shuffle(seed=derive_seed(seed, "epoch", 0))
    rows = first_fit_rows([len(f["input_ids"]) for f in order], seq_len, num_bins)
    tokens = sum(len(f["input_ids"]) for f in kept)
    stats = PackStats(
        examples=len(kept), dropped_too_long=len(features) - len(kept), tokens=tokens,
        loss_tokens=int(sum(f["loss_mask"].sum() for f in kept)), rows_per_epoch=rows,
        padding_fraction=1.0 - tokens / (rows * seq_len))
    dataset = epochs.batch(batch_size, drop_remainder=False).map(
        functools.partial(_pad_batch, batch_size=batch_size))
    return dataset, stats
