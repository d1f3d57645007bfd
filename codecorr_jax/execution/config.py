"""ExecutorConfig: every knob of the sandboxed executor, with the defaults we chose and why."""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from typing import Any

from codecorr_jax.execution.rewards import get_reward_fn

ISOLATION_BACKENDS = ("none", "unshare")


@dataclasses.dataclass(frozen=True)
class ExecutorConfig:
    """Configuration of `Executor`. Field names are the ones to use in ml_collections configs.

    Timeouts are wall-clock seconds. Defaults fit RL rewards on short generated functions: a test
    that takes over 2 s is almost always an infinite loop, and the whole program is capped so one
    runaway sample cannot stall a PPO batch.
    """

    num_workers: int = 0
    """Programs scored in parallel; 0 means one per CPU core available to this process."""
    test_timeout_s: float = 2.0
    """Per test, and once more for the program's module code (imports, definitions)."""
    program_timeout_s: float = 10.0
    """Hard cap for a whole program, all tests included; the process group is then killed."""
    kill_grace_s: float = 0.5
    """How long past a test's timeout the worker waits for the child's own timer before killing."""
    memory_limit_mb: int = 1024
    """RLIMIT_AS of each sandboxed process (address space, so a bit above real memory use)."""
    cpu_seconds: int = 0
    """RLIMIT_CPU of each sandboxed process; 0 means ceil(program_timeout_s) + 1."""
    max_processes: int = 16
    """RLIMIT_NPROC (processes + threads) of the program; enforced through a per-worker uid."""
    max_file_size_mb: int = 16
    """RLIMIT_FSIZE: the largest file a program may write."""
    max_open_files: int = 64
    """RLIMIT_NOFILE of the program."""
    max_output_bytes: int = 16 << 10
    """Captured stdout+stderr kept per program; the rest is read and discarded."""
    max_result_bytes: int = 1 << 20
    """Largest JSON return value accepted per test; larger ones fail the test."""
    isolation: str = "none"
    """"none" (resource limits + unprivileged uid) or "unshare" (also no network and a read-only
    file system except the working directory; needs root). See execution/README.md."""
    sandbox_uid_base: int = 100000
    """When running as root, each worker runs programs as a private uid from
    [sandbox_uid_base, sandbox_uid_base + sandbox_uid_count), claimed with a lock file."""
    sandbox_uid_count: int = 1000
    drop_privileges: bool = True
    """As root, run programs as the private sandbox uid. Turn off only where setuid is not
    allowed (programs then run as the caller: see the threat model in execution/README.md)."""
    work_root: str = ""
    """Where workers keep their working directories; "" means the system temp directory."""
    cleanup_dirs: tuple[str, ...] = ("/tmp", "/var/tmp", "/dev/shm")
    """World-writable directories swept after each program for entries its uid left (root)."""
    site_packages: bool = False
    """Let programs import third-party packages of this interpreter (default: stdlib only)."""
    reward: str = "binary"
    """Reward function name for RL: "binary", "fraction" or "graded" (see rewards.py)."""

    def __post_init__(self) -> None:
        positive = ("test_timeout_s", "program_timeout_s", "memory_limit_mb", "max_processes",
                    "max_file_size_mb", "max_open_files", "max_output_bytes", "max_result_bytes",
                    "sandbox_uid_count")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"ExecutorConfig.{name} must be positive, got "
                                 f"{getattr(self, name)!r}")
        for name in ("num_workers", "cpu_seconds", "kill_grace_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"ExecutorConfig.{name} must be >= 0, got "
                                 f"{getattr(self, name)!r}")
        if self.isolation not in ISOLATION_BACKENDS:
            raise ValueError(f"ExecutorConfig.isolation must be one of {ISOLATION_BACKENDS}, got "
                             f"{self.isolation!r}")
        if self.max_open_files < 8:
            raise ValueError("ExecutorConfig.max_open_files must be at least 8 (the harness "
                             f"needs a few), got {self.max_open_files}")
        if not 0 < self.sandbox_uid_base < 2**31 - self.sandbox_uid_count:
            raise ValueError("ExecutorConfig.sandbox_uid_base out of range: "
                             f"{self.sandbox_uid_base}")
        get_reward_fn(self.reward)  # raises ValueError naming the allowed rewards

    @property
    def workers(self) -> int:
        """The number of workers actually started."""
        if self.num_workers:
            return self.num_workers
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return os.cpu_count() or 1

    def worker_settings(self, work_root: str, lock_dir: str) -> dict[str, Any]:
        """What each worker process needs, as plain JSON."""
        settings = dataclasses.asdict(self)
        settings.update(
            cpu_seconds=self.cpu_seconds or math.ceil(self.program_timeout_s) + 1,
            cleanup_dirs=list(self.cleanup_dirs),
            work_root=work_root,
            lock_dir=lock_dir,
        )
        return settings

    def resolved_work_root(self) -> str:
        return self.work_root or tempfile.gettempdir()
