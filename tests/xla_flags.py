"""The XLA flags the test session compiles with, imported before jax by conftest.py and by the
workers of the multi-process tests (which need one device each but must compile like the
one-process reference they are compared with)."""

from __future__ import annotations

DEVICE_COUNT = "--xla_force_host_platform_device_count"
# LLVM's optimisation level 0: the tests' programs are tiny, their compile time is most of the
# suite's, and level 0 compiles them ~10% faster; every comparison runs under the same flags.
SESSION_FLAGS = ("--xla_backend_optimization_level=0",)


def with_devices(flags: str, count: int) -> str:
    """`flags` (an XLA_FLAGS value) with `count` host devices instead of any count it names."""
    kept = [f for f in flags.split() if not f.startswith(DEVICE_COUNT)]
    return " ".join(kept + [f"{DEVICE_COUNT}={count}"])


def session_flags(flags: str, devices: int) -> str:
    """What the test session runs with: `flags` plus SESSION_FLAGS, on `devices` devices."""
    extra = [f for f in SESSION_FLAGS if f not in flags.split()]
    return with_devices(" ".join([flags, *extra]), devices)
