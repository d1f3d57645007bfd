"""Prompt texts in, completion texts out: the one interface evaluation needs from a model.

Evaluation suites talk to a `Completer`, so they can be tested with oracles (reference
completions, wrong code, a chosen number of correct samples) and run any model that can turn
text into text. `SamplerCompleter` is the project's own: it tokenizes, batches prompts of
similar length together, generates with the jitted KV-cache sampler and decodes.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

import jax
import numpy as np
from tqdm import tqdm

from codecorr_jax.data.chat import chat_prompt
from codecorr_jax.models.decoder import Decoder
from codecorr_jax.sampling import Sampler, SamplingConfig


def decode_completion(tokenizer: Any, tokens: Sequence[int] | np.ndarray) -> str:
    """Generated token ids as text, without the EOS that ended them; special tokens and
    spacing kept exactly (the program is prompt + this text)."""
    row = list(np.asarray(tokens).tolist())
    if row and row[-1] == tokenizer.eos_token_id:
        row = row[:-1]
    return tokenizer.decode(row, skip_special_tokens=False, clean_up_tokenization_spaces=False)


class Completer(Protocol):
    """Anything that writes `num_samples` completions for each prompt."""

    def complete(self, prompts: Sequence[str], *, num_samples: int, temperature: float,
                 max_new_tokens: int, seed: int) -> list[list[str]]:
        """For each prompt, `num_samples` completion texts (temperature 0 = greedy)."""
        ...


class SamplerCompleter:
    """A `Completer` over a Decoder, a Hugging Face tokenizer and the jitted sampler.

    Prompts are sorted by token length and generated in chunks of `batch_size`, so a chunk pads
    little; results come back in the caller's order. A prompt that leaves no room for
    `max_new_tokens` within the model's positions keeps its last tokens (left truncation, the
    end of a prompt is what the completion continues) and is counted in `truncated_prompts`.
    With `progress`, a bar counts the prompts done (a sampled suite takes minutes on a CPU) and
    goes away when they are.
    """

    def __init__(self, model: Decoder, tokenizer: Any, mesh: jax.sharding.Mesh | None = None,
                 batch_size: int = 64, chat: bool = False, progress: bool = False) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size} must be >= 1")
        if tokenizer.eos_token_id is None:
            raise ValueError("the tokenizer has no eos_token_id: generation could never stop")
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.chat = chat  # prompts are asked through the tokenizer's chat template
        self.sampler = Sampler(model, mesh)
        self.truncated_prompts = 0  # over every call so far
        self.progress = progress and jax.process_index() == 0

    def _encode(self, prompts: Sequence[str], max_new_tokens: int) -> list[list[int]]:
        limit = self.model.config.max_position_embeddings
        room = limit - max_new_tokens
        if room < 1:
            raise ValueError(f"max_new_tokens={max_new_tokens} leaves no room for a prompt: "
                             f"the model has max_position_embeddings={limit}")
        texts = [chat_prompt(self.tokenizer, p) for p in prompts] if self.chat else list(prompts)
        ids = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        encoded = []
        for i, row in enumerate(ids):
            if not row:
                raise ValueError(f"prompt {i} is empty after tokenization: {prompts[i]!r}")
            if len(row) > room:
                self.truncated_prompts += 1
                row = row[-room:]
            encoded.append(list(row))
        return encoded

    def complete(self, prompts: Sequence[str], *, num_samples: int, temperature: float,
                 max_new_tokens: int, seed: int) -> list[list[str]]:
        """For each prompt, `num_samples` completions; chunk i samples with key (seed, i)."""
        if not prompts:
            return []
        encoded = self._encode(prompts, max_new_tokens)
        pad = self.tokenizer.pad_token_id
        config = SamplingConfig(max_new_tokens=max_new_tokens, temperature=temperature,
                                num_samples=num_samples,
                                eos_token_id=self.tokenizer.eos_token_id,
                                pad_token_id=self.tokenizer.eos_token_id if pad is None else pad)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))  # stable
        results: list[list[str]] = [[] for _ in prompts]
        what = "greedy" if temperature == 0 else f"{num_samples} samples"
        with tqdm(total=len(prompts), desc=f"sampling ({what})", unit="prompt", leave=False,
                  disable=not self.progress) as bar:
            for chunk_index, start in enumerate(range(0, len(order), self.batch_size)):
                chunk = order[start:start + self.batch_size]
                key = jax.random.fold_in(jax.random.key(seed), chunk_index)
                out = self.sampler.generate([encoded[i] for i in chunk], config, key)
                for j, prompt_index in enumerate(chunk):
                    rows = range(j * num_samples, (j + 1) * num_samples)
                    results[prompt_index] = [
                        decode_completion(self.tokenizer, out.tokens[r, :out.lengths[r]])
                        for r in rows]
                bar.update(len(chunk))
        return results
