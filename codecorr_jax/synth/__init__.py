"""The synthesizing pipeline: composites of atoms, validated in the sandbox, rendered as tasks,
split into disjoint families and train/test sets, and built deterministically (README.md).

Modules: compose (shapes and the sampler), validate (sandbox runs, rejections, fingerprints),
render (prompts, solutions, records), splits (families, train/test, contamination report),
build (everything, to JSONL). `python -m codecorr_jax.synth --out DIR` runs the build.
"""
