"""Words for people: counts with the right plural, and YAML syntax errors in plain language.

In the lowest layer because every layer writes messages: a definition file and the config are both
YAML, and "1 bad lines" reads as carelessly in a warning from ``scenarios`` as in the CLI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

__all__ = ["YamlProblem", "explain_yaml_problem", "plural"]

# Nouns whose plural is not noun + "s"; the rest follow the rule.
_IRREGULAR = {"entry": "entries", "day": "days", "match": "matches", "story": "stories", "is": "are"}


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``plural(1, "line")`` → "1 line", ``plural(3, "entry")`` → "3 entries"; thousands grouped."""
    if count == 1:
        return f"1 {noun}"
    many = plural_form or _IRREGULAR.get(noun)
    if many is None:
        many = noun[:-1] + "ies" if re.search(r"[^aeiou]y$", noun) else noun + "s"
        if noun.endswith(("s", "x", "ch", "sh")):
            many = noun + "es"
    return f"{count:,} {many}"


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """A YAML syntax error for people: what is wrong, where (1-based), and the line with a caret."""

    explanation: str
    line: int | None
    column: int | None
    excerpt: str  # "  7 | feeds: [a\n    |        ^" or "" when the position is unknown

    def render(self) -> str:
        return f"{self.explanation}\n{self.excerpt}" if self.excerpt else self.explanation


# PyYAML's problem texts (libyaml's wording first, the pure-Python parser's after it) and what they
# mean to someone editing the file. First match wins; the pattern sees "context: problem".
# {char} is the character at the error; use_context says the place to show is where the construct
# opened (an unclosed quote or bracket is found only at the end of the file).
_PLAIN: tuple[tuple[str, str, bool], ...] = (
    (
        r"scanning an alias|scanning an anchor|undefined alias",
        "a value starting with '*' or '&' is read as a YAML alias or anchor; put it in quotes, "
        'e.g. "*drohn*"',
        True,
    ),
    (
        r"cannot start any token",
        "{char} cannot start a value; put the value in quotes",
        False,
    ),
    (
        r"mapping values are not allowed",
        "a ':' where no key can start: put a value containing ': ' in quotes, or check that this "
        "line is indented like the keys above it",
        False,
    ),
    (
        r"quoted scalar",
        "a quote opened here is never closed; close it on the same line",
        True,
    ),
    (
        r"flow sequence|expected ',' or '\]'",
        "a [ … ] list opened here is not closed, or an item in it holds ':' or '#' unquoted; "
        "close it with ']' and quote such items",
        True,
    ),
    (
        r"flow mapping|expected ',' or '\}'",
        "a { … } mapping opened here is not closed, or a value in it holds ',' or ':' unquoted; "
        "close it with '}' and quote such values",
        True,
    ),
    (
        r"simple key|could not find expected ':'",
        "a line without the ':' after its key (or a text continuing on a new line); add ': ' after "
        "the key, or put the text in quotes",
        True,
    ),
    (
        r"block collection|expected '-' indicator|found '<block sequence start>'",
        "this line is not lined up with the list items above it; indent every '- ' of one list "
        "alike, and a key inside an item further right than its '- '",
        False,
    ),
    (
        r"block mapping|expected key|expected <block end>",
        "this line is indented differently from the keys around it; keys of one mapping start in "
        "the same column, and a nested one further right than its parent",
        False,
    ),
    (
        r"single document|document start",
        "the file holds more than one YAML document ('---'); keep one",
        False,
    ),
)


class _Mark(Protocol):
    line: int
    column: int


def explain_yaml_problem(
    context: str | None,
    problem: str | None,
    text: str,
    problem_mark: _Mark | None,
    context_mark: _Mark | None = None,
) -> YamlProblem:
    """Turn a PyYAML error (its context, problem and 0-based marks) into plain words and an excerpt
    of ``text`` with a caret under the column; a problem not known here keeps PyYAML's words.

    Callers say "not valid YAML: " before the explanation."""
    said = ": ".join(part for part in (context, problem) if part) or "invalid YAML"
    explanation, mark = said, problem_mark or context_mark
    lines = text.splitlines()
    for pattern, words, use_context in _PLAIN:
        if re.search(pattern, said):
            if use_context and context_mark is not None:
                mark = context_mark
            char = _char_at(lines, mark)
            explanation = words.replace("{char}", char)
            if "{char}" in words and char == "a tab":
                explanation = "a tab character: YAML indents with spaces only; replace the tab with spaces"
            break
    if mark is None:
        return YamlProblem(explanation, None, None, "")
    line, column = mark.line, mark.column
    # An unexpected end is reported one line past the last: point at the end of the last line.
    if line >= len(lines) and lines:
        line, column = len(lines) - 1, len(lines[-1])
    source = lines[line] if 0 <= line < len(lines) else ""
    column = min(column, len(source))
    number = str(line + 1)
    # Tabs before the caret are kept, so the caret stays under its character whatever the tab width.
    pad = "".join("\t" if ch == "\t" else " " for ch in source[:column])
    excerpt = f"  {number} | {source}\n  {' ' * len(number)} | {pad}^"
    return YamlProblem(explanation, line + 1, column + 1, excerpt)


def _char_at(lines: list[str], mark: _Mark | None) -> str:
    if mark is None or not 0 <= mark.line < len(lines) or mark.column >= len(lines[mark.line]):
        return "this character"
    char = lines[mark.line][mark.column]
    return "a tab" if char == "\t" else repr(char)
