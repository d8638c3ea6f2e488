"""Counts with the right plural, and YAML syntax errors in plain words with the line and a caret,
from either of PyYAML's parsers (libyaml's and the pure-Python one word their errors differently)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from indicators import DefinitionError, explain_yaml_problem, plural, read_yaml


def test_plural() -> None:
    assert plural(1, "line") == "1 line"
    assert plural(0, "line") == "0 lines"
    assert plural(2, "entry") == "2 entries"
    assert plural(3, "source") == "3 sources"
    assert plural(2, "day") == "2 days"
    assert plural(1, "match") == "1 match" and plural(2, "match") == "2 matches"
    assert plural(2115, "row") == "2,115 rows"
    assert plural(2, "criterion", "criteria") == "2 criteria"


PARSERS: list[Any] = [yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]

# text, 1-based line, 1-based column of the caret, words the explanation contains
CASES = [
    ("schedule:\n  poll_interval: 15m\n digest_time: x\n", 3, 2, "indented differently"),
    ("a:\n\tb: 1\n", 2, 1, "tab"),
    ('a: "abc\nb: 2\n', 1, 4, "quote opened here is never closed"),
    ("a: [x, y\nb: 2\n", 1, 4, "[ … ] list opened here is not closed"),
    ("a: {x: 1\nb: 2\n", 1, 4, "{ … } mapping opened here is not closed"),
    ("terms: [*drohn*]\n", 1, 9, 'put it in quotes, e.g. "*drohn*"'),
    ("a: @x\n", 1, 4, "'@' cannot start a value"),
    ("a: 1\nb\nc: 2\n", 2, 1, "without the ':' after its key"),
    ("feeds:\n  - {name: a}\n  name: c\n", 3, 3, "list items"),
    ("a:\n  - x\n - y\n", 3, 2, ""),
]


@pytest.mark.parametrize("loader", PARSERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize(("text", "line", "column", "words"), CASES)
def test_yaml_errors_in_plain_words_with_a_caret(
    loader: Any, text: str, line: int, column: int, words: str
) -> None:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.load(text, Loader=loader)
    exc = caught.value
    said = explain_yaml_problem(exc.context, exc.problem, text, exc.problem_mark, exc.context_mark)
    assert words in said.explanation
    assert "<block" not in said.explanation and "token" not in said.explanation
    assert (said.line, said.column) == (line, column)
    source, caret = said.excerpt.splitlines()
    assert source == f"  {line} | {text.splitlines()[line - 1]}"
    assert caret.index("^") == source.index("|") + 2 + column - 1


def test_unknown_problems_keep_pyyaml_words() -> None:
    mark = yaml.Mark("x", 0, 0, 0, "a: 1\n", 0)
    said = explain_yaml_problem(None, "something new", "a: 1\n", mark)
    assert said.explanation == "something new" and said.line == 1


def test_definition_file_syntax_error_has_line_and_caret(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("vocabularies:\n  drones:\n    terms: {de: [*drohn*]}\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        read_yaml(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line 3: invalid YAML: a value starting with '*'")
    assert message.splitlines()[1:] == ["  3 |     terms: {de: [*drohn*]}", "    |                  ^"]
