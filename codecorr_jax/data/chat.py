"""The chat prompt style: instruct checkpoints are asked through their own chat template.

`data.prompt_style = "chat"` renders every task as the instruction style does (a request in
English naming the function; the answer is the whole program), then, where text meets the
model, wraps it in the checkpoint's chat template: the request as the user's turn, followed by
the template's opening of the assistant's turn. The answer SFT trains on is the program in a
```python fence (how instruct models answer), and a completion becomes a program by taking the
first fenced block (or the whole text when there is none).
"""

from __future__ import annotations

import re
from typing import Any

CHAT = "chat"
_FENCE = re.compile(r"```[ \t]*[\w+-]*[ \t]*\n(.*?)(?:```|\Z)", re.S)


def rendered_style(prompt_style: str) -> str:
    """The style the datasets render prompts in: chat asks the instruction-style request."""
    return "instruction" if prompt_style == CHAT else prompt_style


def chat_prompt(tokenizer: Any, request: str) -> str:
    """`request` as the user's turn, then the opening of the assistant's, in the tokenizer's own
    chat template."""
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError("data.prompt_style='chat' needs a tokenizer with a chat template (an "
                         "instruct checkpoint's); this one has none: use 'instruction'")
    return tokenizer.apply_chat_template([{"role": "user", "content": request}], tokenize=False,
                                         add_generation_prompt=True)


def chat_answer(program: str) -> str:
    """The assistant's answer SFT trains on: the program in a python fence."""
    return f"```python\n{program.rstrip()}\n```"


def extract_code(text: str) -> str:
    """The program in a chat completion: its first fenced block (an unclosed fence runs to the
    end), or the whole text when it has no fence."""
    found = _FENCE.search(text)
    return found.group(1) if found else text
