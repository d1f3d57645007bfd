"""Test-wide set-up, before anything imports jax: 8 virtual CPU devices compiled at LLVM's
lowest optimisation level, and one compilation cache for the session's processes."""

import atexit
import os
import shutil
import tempfile

from xla_flags import session_flags

os.environ["XLA_FLAGS"] = session_flags(os.environ.get("XLA_FLAGS", ""), devices=8)
os.environ.setdefault("JAX_PLATFORMS", "cpu")

# The whole-run tests start dozens of processes that compile the same steps at the same shapes;
# with a cache shared by every process of the session (the xdist workers inherit the
# controller's), each program compiles once. Removed when the process that made it exits.
# Programs that compile in 0.2 s or more are kept (JAX's default keeps those of 1 s or more;
# a whole run's many small steps compile in between).
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    _COMPILED = tempfile.mkdtemp(prefix="codecorr_jax_tests_compiled_")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _COMPILED
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.2")
    atexit.register(shutil.rmtree, _COMPILED, True)


def pytest_collection_modifyitems(items):
    """Longest files first (they are marked `whole_runs(minutes=...)`), the rest in file
    order: a long file that starts last would leave one worker idle while it runs."""

    def minutes(item):
        marker = item.get_closest_marker("whole_runs")
        return marker.kwargs["minutes"] if marker else 0.0

    items.sort(key=lambda item: -minutes(item))  # stable: a file's tests stay in order
