"""Atomic file writes: a reader (or a resumed run) never sees half a file or directory."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Any


def replace_dir(src: str, dst: str) -> None:
    """Move the finished directory `src` to `dst`; an existing `dst` is moved aside first (into
    a uniquely named sibling), then removed, so `dst` is always either the old or the new one."""
    if os.path.isdir(dst):
        old = tempfile.mkdtemp(prefix=f".{os.path.basename(dst)}.old-", dir=os.path.dirname(dst))
        os.replace(dst, os.path.join(old, "dir"))
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dst)


def read_json(path: str) -> Any | None:
    """The JSON value in `path`, or None where there is no such file (a cache not made yet)."""
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_text_atomic(path: str, text: str) -> None:
    """Write `text` to a temporary sibling, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp_")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_json_atomic(path: str, payload: Any, **dump_args: Any) -> None:
    """Write `payload` as JSON (indent 1 unless told otherwise), atomically."""
    write_text_atomic(path, json.dumps(payload, **({"indent": 1} | dump_args)) + "\n")
