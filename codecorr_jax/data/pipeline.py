"""The language-model input pipeline: task records or documents -> tokens + loss masks -> packed,
resumable grain batches (codecorr_jax/data/packing.py) for SFT and next-token pretraining.

A task becomes prompt tokens (loss off) + completion tokens + EOS (loss on). Prompt and
completion are tokenized separately, without special tokens, and concatenated: the sampler
feeds exactly the prompt's tokens and the model generates the completion's tokens, so the
token boundary is the same at train and test time (tokenizing prompt + completion as one text
could merge tokens across the boundary, which the model would then never see at test time).

The tokenizer is any Hugging Face tokenizer (`encode(text, add_special_tokens=False)`,
`eos_token_id`), e.g. the project's own (codecorr_jax/data/tokenizer.py) or a checkpoint's.
"""

from __future__ import annotations

from typing import Any, Sequence

import grain
import numpy as np

from codecorr_jax.data.chat import CHAT, chat_answer, chat_prompt, rendered_style
from codecorr_jax.data.mixture import atom_steps, load_mixture
from codecorr_jax.data.packing import Example, PackStats, packed_batches
from codecorr_jax.synth import render


def _encode(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer.encode(text, add_special_tokens=False))


def _eos_id(tokenizer: Any) -> int:
    eos = tokenizer.eos_token_id
    if eos is None:
        raise ValueError("the tokenizer has no eos_token_id; examples must end with EOS so the "
                         "model learns to stop")
    return int(eos)


def tokenize_task(record: dict[str, Any], tokenizer: Any, style: str = "docstring") -> Example:
    """Prompt (loss off) + completion + EOS (loss on) of one task record in prompt `style`
    (chat: the request in the tokenizer's chat template, the program fenced; data/chat.py)."""
    try:
        completion = render.completion(record, rendered_style(style))
    except StopIteration:
        raise ValueError(f"task {record.get('task_id')!r}: its solution has no line "
                         f"'def {record.get('entry_point')}(' to complete") from None
    return tokenize_pair(record["prompt"], completion, tokenizer, style)


def tokenize_pair(prompt_text: str, completion: str, tokenizer: Any,
                  style: str = "docstring") -> Example:
    """Prompt (loss off) + completion + EOS (loss on); under chat, the prompt in the chat
    template and the completion fenced as the assistant's answer."""
    if style == CHAT:
        prompt_text, completion = chat_prompt(tokenizer, prompt_text), chat_answer(completion)
    prompt = _encode(tokenizer, prompt_text)
    answer = _encode(tokenizer, completion) + [_eos_id(tokenizer)]
    tokens = np.asarray(prompt + answer, dtype=np.int32)
    mask = np.concatenate([np.zeros(len(prompt), bool), np.ones(len(answer), bool)])
    return Example(tokens, mask)


def tokenize_documents(texts: Sequence[str | tuple[str, ...]], tokenizer: Any,
                       max_length: int) -> list[Example]:
    """Pretraining examples: each text + EOS, every token trained, cut into chunks of at most
    `max_length` tokens.

    A text given as a tuple of segments is tokenized segment by segment: a generated function
    as (signature + docstring, body) gets the token boundary a task prompt has when a model
    completes it (the prompt ends with its own "\n" token, where the whole text would merge
    the newline with the body's indentation, a sequence the model would never have seen).

    Consecutive chunks of one document overlap by one token, so each token after the
    document's first is predicted exactly once, with the previous token as context; the shared
    token has loss off in the later chunk (it was trained in the earlier one).
    """
    if not (isinstance(max_length, int) and max_length >= 2):
        raise ValueError(f"max_length={max_length!r} must be an int >= 2 (a chunk needs a "
                         "context token and a target)")
    eos = _eos_id(tokenizer)
    examples = []
    for text in texts:
        segments = (text,) if isinstance(text, str) else text
        tokens = np.asarray([t for part in segments for t in _encode(tokenizer, part)] + [eos],
                            dtype=np.int32)
        for start in range(0, max(len(tokens) - 1, 1), max_length - 1):
            chunk = tokens[start:start + max_length]
            mask = np.ones(len(chunk), bool)
            mask[0] = start == 0
            examples.append(Example(chunk, mask))
    return examples


def sft_dataset(tfds_dir: str, data_section: Any, tokenizer: Any, *, batch_size: int,
                seed: int, num_epochs: int | None = None, shuffle_seed: int | None = None,
                extra: Sequence[tuple[str, str, str]] = ()
                ) -> tuple[grain.IterDataset, PackStats]:
    """The SFT batches of `config.data` (mixture, repeats, atom_step_repeats, prompt_style,
    max_length = seq_len).

    `seed` fixes the mixture's choice of tasks, `shuffle_seed` (default: `seed`) the packing
    and per-epoch shuffles, so runs of different seeds can train on the same tasks. `extra`:
    (task id, prompt, completion) of tasks from other sources (task files), each once an epoch.
    """
    records = load_mixture(tfds_dir, data_section.mixture, data_section.repeats, seed)
    records += atom_steps(records, data_section.atom_step_repeats,
                          rendered_style(data_section.prompt_style))
    cache: dict[str, Example] = {}  # repeats tokenize once
    examples = []
    for record in records:
        if record["task_id"] not in cache:
            cache[record["task_id"]] = tokenize_task(record, tokenizer,
                                                     data_section.prompt_style)
        examples.append(cache[record["task_id"]])
    for task_id, prompt, completion in extra:
        if task_id in cache:
            raise ValueError(f"task {task_id!r} of a task file is also in the mixture")
        examples.append(tokenize_pair(prompt, completion, tokenizer, data_section.prompt_style))
    return packed_batches(examples, seq_len=data_section.max_length, batch_size=batch_size,
                          seed=seed if shuffle_seed is None else shuffle_seed,
                          num_epochs=num_epochs)
