"""Test-wide set-up: 8 virtual CPU devices, set before anything imports jax."""

import os

os.environ["XLA_FLAGS"] = (
    os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"
).strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")


def pytest_collection_modifyitems(items):
    """Longest files first (they are marked `whole_runs(minutes=...)`), the rest in file
    order: a long file that starts last would leave one worker idle while it runs."""

    def minutes(item):
        marker = item.get_closest_marker("whole_runs")
        return marker.kwargs["minutes"] if marker else 0.0

    items.sort(key=lambda item: -minutes(item))  # stable: a file's tests stay in order
