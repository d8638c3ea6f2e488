"""YAML that remembers line numbers, so every definition error can point at the line to edit.

PyYAML silently keeps the last of two equal keys; here a repeated key is an error (two scenarios
with one id in one file would otherwise lose one without a word).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from indicators._wording import explain_yaml_problem
from indicators.errors import DefinitionError


class LineMap(dict[Any, Any]):
    """A YAML mapping with the line of itself (``line``) and of each key (``lines``)."""

    line: int
    lines: dict[Any, int]


class LineList(list[Any]):
    """A YAML sequence with the line of itself and of each item."""

    line: int
    lines: list[int]


# libyaml's parser when PyYAML was built with it (the wheels are): the shipped definitions are
# 6,000 terms, and the pure-Python parser took most of the 1.2 s every command spent loading them.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineMap]:
    data = LineMap()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            repeated = key in data
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if repeated:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} appears twice in the same mapping (first on line {data.lines[key]})",
                key_node.start_mark,
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = key_node.start_mark.line + 1


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def read_yaml(path: Path) -> Any:
    """Parse ``path``; unreadable files and YAML syntax errors become DefinitionError with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"cannot read the definition file: {exc}", file=path) from exc
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        said = explain_yaml_problem(exc.context, exc.problem, text, exc.problem_mark, exc.context_mark)
        where = f"line {said.line}: " if said.line is not None else ""
        raise DefinitionError(f"{where}invalid YAML: {said.render()}", file=path) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(f"invalid YAML: {exc}", file=path) from exc


def line_of(container: Any, key: Any) -> int | None:
    """The line of ``key`` in a mapping (or of item ``key`` in a list), else of the container."""
    if isinstance(container, LineMap):
        return container.lines.get(key, container.line)
    if isinstance(container, LineList) and isinstance(key, int) and 0 <= key < len(container.lines):
        return container.lines[key]
    return None


def describe_value(value: Any) -> str:
    """How an error message names a value of the wrong kind ("a list", "str 'x'"...)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
