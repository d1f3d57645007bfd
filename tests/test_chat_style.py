"""The chat prompt style (instruct checkpoints): the request in the tokenizer's own chat
template, the program fenced in the answer, and code taken back out of a completion."""

import pytest
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from codecorr_jax.data.chat import chat_answer, chat_prompt, extract_code, rendered_style
from codecorr_jax.data.pipeline import tokenize_task
from codecorr_jax.eval.completion import SamplerCompleter
from codecorr_jax.eval.suites import Task, program, record_task

END = "<|im_end|>"
# Qwen's template, in miniature
TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
            "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
RECORD = {"task_id": "composite_A/0001", "entry_point": "f",
          "prompt": "Write a Python function `f(x)` that doubles x.",
          "solution": "def f(x):\n    return 2 * x\n", "tests": [{"args": [2], "expected": 4}]}


@pytest.fixture(scope="module")
def tokenizer():
    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    raw.train_from_iterator(["def f(x):\n    return 2 * x\n```python\n"] * 10,
                            trainer=trainers.BpeTrainer(
                                vocab_size=300, special_tokens=[END, "<|im_start|>"],
                                initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return transformers.PreTrainedTokenizerFast(tokenizer_object=raw, eos_token=END,
                                                chat_template=TEMPLATE)


def test_chat_prompt_and_sft_example(tokenizer):
    prompt = chat_prompt(tokenizer, RECORD["prompt"])
    assert prompt == f"<|im_start|>user\n{RECORD['prompt']}{END}\n<|im_start|>assistant\n"
    example = tokenize_task(RECORD, tokenizer, "chat")
    n = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    assert not example.loss_mask[:n].any() and example.loss_mask[n:].all()
    answer = tokenizer.decode(example.tokens[n:])
    assert answer == "```python\ndef f(x):\n    return 2 * x\n```" + END
    assert rendered_style("chat") == "instruction" and rendered_style("docstring") == "docstring"


def test_a_tokenizer_without_a_template_is_refused(tokenizer):
    bare = transformers.PreTrainedTokenizerFast(tokenizer_object=tokenizer.backend_tokenizer,
                                                eos_token=END)
    with pytest.raises(ValueError, match="needs a tokenizer with a chat template"):
        chat_prompt(bare, "anything")


@pytest.mark.parametrize("completion, code", [
    ("Here it is:\n```python\ndef f(x):\n    return 2 * x\n```\nDone.",
     "def f(x):\n    return 2 * x\n"),
    ("```\ndef f(x): return x\n```", "def f(x): return x\n"),
    ("```py\ndef f(x):\n    return x", "def f(x):\n    return x"),  # cut before the fence closed
    ("def f(x):\n    return x\n", "def f(x):\n    return x\n"),  # no fence: the whole text
])
def test_extract_code(completion, code):
    assert extract_code(completion) == code


def test_programs_of_chat_answers():
    task = record_task(RECORD, "chat")
    assert task.chat and task.full_program
    answered = program(task, chat_answer(RECORD["solution"]))
    assert answered.source == RECORD["solution"].rstrip() + "\n"
    # a docstring task (HumanEval) answered with the whole function: the code stands alone;
    # answered with a body only, it continues the prompt
    humaneval = Task("HumanEval/0", "def g(a):\n    \"\"\"Id.\"\"\"\n", "g", (),
                         "def check(c): 0", chat=True)
    whole = "```python\ndef g(a):\n    return a\n```"
    assert program(humaneval, whole).source == "def g(a):\n    return a\n"
    body = "```python\n    return a\n```"
    assert program(humaneval, body).source == humaneval.prompt + "    return a\n"


def test_the_completer_asks_through_the_template(tokenizer):
    class Model:  # _encode reads only the position limit
        class config:
            max_position_embeddings = 512

    completer = SamplerCompleter.__new__(SamplerCompleter)
    completer.model, completer.tokenizer, completer.chat = Model(), tokenizer, True
    completer.truncated_prompts = 0
    ids = completer._encode([RECORD["prompt"]], max_new_tokens=16)
    want = tokenizer(chat_prompt(tokenizer, RECORD["prompt"]), add_special_tokens=False)
    assert ids == [want["input_ids"]]
