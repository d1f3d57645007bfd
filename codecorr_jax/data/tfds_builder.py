"""The task datasets as a tensorflow-datasets builder writing array_record (no TensorFlow).

One builder, `codecorr_tasks`, with one config per family (atom, composite_A, composite_B,
composite_C) and the splits the synthesis build wrote (atom: train; composites: train, test).
It reads the JSONL files of a synthesis build (`codecorr_jax.synth.build`), so the TFDS copy holds
exactly the same records in the same order (`disable_shuffling`). Text fields come back as bytes;
`tests` and `atoms` are stored as canonical JSON text (see `codecorr_jax.data.sources.decode`).

Prepare with `prepare(jsonl_dir, data_dir)`; `python -m codecorr_jax.data --out DIR` builds the
JSONL and the TFDS copy in one go.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from typing import Any, Iterator

import tensorflow_datasets as tfds
from etils import epath

from codecorr_jax.canonical import canonical_json
from codecorr_jax.synth import build as synth_build
from codecorr_jax.synth.splits import SPLITS
from codecorr_jax.tasks.registry import FAMILIES

NAME = "codecorr_tasks"
TEXT_FIELDS: tuple[str, ...] = ("task_id", "family", "split", "entry_point", "prompt",
                                "solution", "fingerprint")
JSON_FIELDS: tuple[str, ...] = ("tests", "heldback_tests", "atoms")


class CodecorrTasks(tfds.core.GeneratorBasedBuilder):
    """Task records (DESIGN.md) of one family, read from a synthesis build's JSONL files."""

    VERSION = tfds.core.Version("1.1.0")
    RELEASE_NOTES = {"1.0.0": "Task records of the synthesis build.",
                     "1.1.0": "Each record's held-back tests (synthesis build version 4)."}
    BUILDER_CONFIGS = [tfds.core.BuilderConfig(name=f.lower(), description=f)
                       for f in FAMILIES]
    disable_shuffling = True

    @tfds.core.utils.classproperty
    @classmethod
    def code_path(cls) -> epath.Path:
        """This file. tfds derives it through importlib_resources, which is not installed
        without TensorFlow's dependencies; it only locates the (absent) checksums file."""
        return epath.Path(__file__)

    def __init__(self, *, jsonl_dir: str | None = None, **kwargs: Any) -> None:
        self._jsonl_dir = jsonl_dir
        kwargs.setdefault("file_format", "array_record")
        super().__init__(**kwargs)

    @property
    def family(self) -> str:
        return self.builder_config.description

    def _info(self) -> tfds.core.DatasetInfo:
        features = {f: tfds.features.Text() for f in (*TEXT_FIELDS, *JSON_FIELDS)}
        return self.dataset_info_from_configs(
            description="codecorr_jax task records (docs: codecorr_jax/synth/README.md)",
            features=tfds.features.FeaturesDict(features),
            disable_shuffling=True,  # the record order of the JSONL build
        )

    def _split_generators(self, dl_manager: Any) -> dict[str, Iterator]:
        if not self._jsonl_dir:
            raise ValueError(f"{NAME}/{self.builder_config.name}: pass jsonl_dir=<synthesis "
                             "build directory> to prepare the dataset")
        paths = {split: synth_build.jsonl_path(self._jsonl_dir, self.family, split)
                 for split in SPLITS}
        paths = {s: p for s, p in paths.items() if os.path.exists(p)}
        if not paths:
            raise FileNotFoundError(f"no JSONL for family {self.family!r} under "
                                    f"{self._jsonl_dir!r}; run python -m codecorr_jax.synth")
        return {split: self._generate_examples(path) for split, path in paths.items()}

    def _generate_examples(self, path: str) -> Iterator[tuple[int, dict[str, str]]]:
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                yield i, encode(json.loads(line))


def encode(record: dict[str, Any]) -> dict[str, str]:
    """A task record as the builder's features (JSON fields as canonical JSON text)."""
    out = {f: record[f] for f in TEXT_FIELDS}
    out.update({f: canonical_json(record[f]) for f in JSON_FIELDS})
    return out


@contextlib.contextmanager
def _without_tfds_progress_bars() -> Iterator[None]:
    tfds.display_progress_bar(False)
    try:
        yield
    finally:
        tfds.display_progress_bar(True)  # TFDS's default


@contextlib.contextmanager
def _scratch_tempdir() -> Iterator[None]:
    """Collect the system temp directories made inside in one scratch directory, removed after.

    A tfds builder constructed before its dataset exists looks for precomputed metadata in a
    fresh `mkdtemp("tfds")` directory that it never removes (offline it stays empty), so every
    build used to leave one empty directory per family in the system temp directory. The
    process-wide `tempfile.tempdir` is redirected only around that construction in `prepare`;
    builders of existing datasets (every read) make no such directory.
    """
    with tempfile.TemporaryDirectory(prefix="codecorr_tfds_") as scratch:
        previous, tempfile.tempdir = tempfile.tempdir, scratch
        try:
            yield
        finally:
            tempfile.tempdir = previous


def builder(family: str, data_dir: str, jsonl_dir: str | None = None) -> CodecorrTasks:
    """The builder of `family` ("atom", "composite_A", ...) storing under `data_dir`."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; families are {FAMILIES}")
    return CodecorrTasks(config=family.lower(), data_dir=data_dir, jsonl_dir=jsonl_dir)


def prepare(jsonl_dir: str, data_dir: str, families: tuple[str, ...] = FAMILIES) -> None:
    """Write every family of the synthesis build in `jsonl_dir` as array_record under data_dir.

    The synthesis build's config hash names the TFDS version directory's contents: a data_dir
    prepared from another build is refused rather than silently mixed."""
    digest = synth_build.manifest(jsonl_dir)["config_hash"]
    stamp = os.path.join(data_dir, f"{NAME}.build")
    if os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as f:
            if f.read().strip() != digest:
                raise ValueError(f"data_dir {data_dir!r} holds a TFDS copy of another synthesis "
                                 "build; use an empty data_dir")
    os.makedirs(data_dir, exist_ok=True)
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(digest + "\n")
    for family in families:
        with _scratch_tempdir():  # only a builder whose dataset does not exist yet leaks one
            family_builder = builder(family, data_dir, jsonl_dir)
        # TFDS prints a "Downloading and preparing" banner and progress bars per split; the
        # build is a few seconds of local copying, so the console stays quiet.
        with contextlib.redirect_stdout(io.StringIO()), _without_tfds_progress_bars():
            family_builder.download_and_prepare()
