"""YAML reading for the config: data plus the line of every key, so errors can point at the line to edit.

The loader follows YAML 1.2's core schema rather than PyYAML's YAML 1.1 defaults, because 1.1 silently
changes values a config user types every day: ``digest_time: 7:30`` becomes the integer 450 (base 60),
``language: no`` becomes ``False`` and ``on``/``off``/``yes`` become booleans. Here only ``true``/``false``
are booleans, integers are decimal (or ``0x``/``0o``), and dates stay strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from indicators import explain_yaml_problem

__all__ = ["KeyPath", "YamlDocument", "YamlSyntaxError", "format_key_path", "parse_yaml"]

KeyPath = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; ``line`` is 1-based (None if PyYAML gave no position).

    ``problem`` says what is wrong in plain words; ``excerpt`` is the line with a caret under the
    place ("" when the position is unknown)."""

    def __init__(self, problem: str, line: int | None, excerpt: str = "") -> None:
        self.problem = problem
        self.line = line
        self.excerpt = excerpt
        super().__init__(problem)


@dataclass(frozen=True)
class YamlDocument:
    """Plain data (dicts, lists, scalars) and the 1-based line of each key path in it."""

    data: Any
    lines: Mapping[KeyPath, int]
    # Keys written twice in one mapping: (path, line of the repeat, line of the first).
    duplicates: tuple[tuple[KeyPath, int, int], ...] = field(default=())

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest written ancestor (e.g. for a key that is missing)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


# libyaml's parser when available: a config listing a thousand feeds took a second to read.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """SafeLoader with YAML 1.2 core-schema scalars (see the module docstring for why)."""


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    # A leading zero is decimal here ("010" is 10), unlike YAML 1.1's octal.
    if text.startswith(("0x", "0o")):
        return int(text, 0)
    return int(text, 10)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document into plain data and a key-path → line map.

    Raises YamlSyntaxError for malformed YAML, for more than one document, and for anchors/tags
    that the config does not need (only plain data is accepted).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(data=None, lines={})
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        said = explain_yaml_problem(exc.context, exc.problem, text, exc.problem_mark, exc.context_mark)
        raise YamlSyntaxError(said.explanation, said.line, said.excerpt) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), None) from exc
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {(): node.start_mark.line + 1}
    duplicates: list[tuple[KeyPath, int, int]] = []
    _walk(node, (), lines, duplicates)
    return YamlDocument(data=data, lines=lines, duplicates=tuple(duplicates))


def _walk(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    duplicates: list[tuple[KeyPath, int, int]],
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key: str | int = key_node.value
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:int":
                key = (
                    int(key_node.value, 0) if key_node.value.startswith(("0x", "0o")) else int(key_node.value)
                )
            child = (*path, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                duplicates.append((child, line, seen[key]))
                continue
            seen[key] = line
            lines[child] = line
            _walk(value_node, child, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines, duplicates)


def format_key_path(path: KeyPath) -> str:
    """``("feeds", 3, "reliability")`` → ``feeds[3].reliability``; non-identifier keys are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(top level)"
