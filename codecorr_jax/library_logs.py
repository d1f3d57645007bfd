"""Where the libraries' logs go during a run: a file in the workdir, not the console.

Orbax, jax and absl log thousands of INFO lines a run, and transformers prints its own notices
(e.g. "PyTorch was not found...", harmless here: the regimes never need torch) through a
handler of its own. The console keeps the stages, progress bars and results; warnings and
errors of the libraries still reach it.
"""

from __future__ import annotations

import logging
import os
import time

from absl import logging as absl_logging

_QUIET_ADVICE = "TRANSFORMERS_NO_ADVISORY_WARNINGS"


def route(workdir: str) -> str:
    """Send the libraries' INFO logs to `<workdir>/logs/main.<time>.<pid>.log` (one a process
    start), warnings and errors to the console too. Returns the file's path."""
    directory = os.path.join(workdir, "logs")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"main.{time.strftime('%Y%m%d-%H%M%S')}.{os.getpid()}.log")
    root = logging.getLogger()
    root.removeHandler(absl_logging.get_absl_handler())
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(absl_logging.PythonFormatter())
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(absl_logging.PythonFormatter())
    root.addHandler(to_file)
    root.addHandler(console)
    root.setLevel(logging.INFO)
    _route_transformers()
    return path


def _route_transformers() -> None:
    """transformers through the root logger like every other library. Its import prints an
    advisory notice through its own handler before it can be configured: import it with
    advisory notices held back, then hand its logger to the root and say it in the file."""
    held = os.environ.get(_QUIET_ADVICE)
    os.environ[_QUIET_ADVICE] = "1"
    try:
        from transformers.utils import import_utils
        from transformers.utils import logging as hf_logging
    finally:
        if held is None:
            del os.environ[_QUIET_ADVICE]
        else:
            os.environ[_QUIET_ADVICE] = held
    hf_logging.disable_default_handler()
    hf_logging.enable_propagation()
    if not import_utils.is_torch_available():
        logging.getLogger(__name__).info(
            "PyTorch is not installed: transformers reads tokenizers and configurations only, "
            "which is all the regimes need (the parity tests use torch)")
