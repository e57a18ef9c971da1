"""The README's examples run: the "Use as a library" block and the surrogate of "Write your own
surrogate" (which must satisfy the protocol)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def first_python_block(text: str) -> str:
    match = re.search(r"```python\n(.*?)```", text, re.S)
    assert match is not None, "no python block"
    return match.group(1)


def test_the_library_example_runs() -> None:
    namespace: dict[str, object] = {}
    exec(compile(first_python_block(section("Use as a library")), "README", "exec"), namespace)
    assert namespace["frames"].shape[:2] == (1, 5)  # type: ignore[attr-defined]


def test_the_surrogate_example_follows_the_protocol() -> None:
    import torch

    from physcheck.models.protocol import check_surrogate

    namespace: dict[str, object] = {}
    exec(
        compile(first_python_block(section("Write your own surrogate")), "README", "exec"),
        namespace,
    )
    model = check_surrogate(namespace["MySurrogate"]())
    history = torch.zeros(2, model.n_history, 4, 4, 4, 7)
    assert model.step(history).shape == (2, 4, 4, 4, 7)


@pytest.mark.parametrize("option", ["--physcheck-fallback-model", "--physcheck-manifest"])
def test_options_are_in_the_readme_table(option: str) -> None:
    assert f"`{option}" in README
