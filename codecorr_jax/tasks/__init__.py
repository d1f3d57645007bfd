"""Tasks: the one task type, the file formats researchers hold benchmarks in, and their sources."""

from codecorr_jax.tasks.task import Task, program

__all__ = ["Task", "program"]
