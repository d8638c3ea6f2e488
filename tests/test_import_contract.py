"""The layering as an import contract: a module may import only the packages its layer allows.

Every ``import`` counts, also those inside functions and under ``TYPE_CHECKING``, so a lazy import
cannot hide a wrong dependency. Runs in ``make test`` with the rest of the suite.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# module prefix -> project packages it may import (its own prefix is always allowed)
ALLOWED: dict[str, tuple[str, ...]] = {
    "indicators": (),
    "scenarios": ("indicators",),
    "db": ("indicators", "scenarios"),
    "monitor.config": ("indicators", "scenarios", "monitor.feeds.fetch_settings"),
    "monitor.feeds.fetch_settings": (),  # a leaf: the config model takes its defaults from it
    "monitor.feeds": (
        "indicators",
        "db",
        "monitor.process_identity",
        "monitor.redaction",
        "monitor.storage_retry",
    ),
    "monitor.analysis": (
        "indicators",
        "scenarios",
        "db",
        "monitor.config",
        "monitor.feeds",
        "monitor.analysis_worker",
    ),
    # what an analysis worker process imports: the pure layers only (no db, no HTTP client)
    "monitor.analysis_worker": ("indicators", "scenarios"),
    "monitor.pipeline": (
        "indicators",
        "scenarios",
        "db",
        "monitor.config",
        "monitor.feeds",
        "monitor.analysis",
        "monitor.process_identity",
    ),
    "monitor.process_identity": (),
    "monitor.redaction": (),  # a leaf: every display of a URL may use it
    "monitor.feed_health": ("indicators", "db", "monitor.redaction"),
    "monitor.item_refs": ("indicators", "db", "monitor.redaction"),
    "monitor.storage_retry": ("indicators",),  # a leaf over the error hierarchy: any layer may retry
    "monitor.digest": (
        "indicators",
        "scenarios",
        "db",
        "monitor.config",
        "monitor.analysis",
        "monitor.pipeline",
        "monitor.process_identity",
        "monitor.feed_health",
        "monitor.redaction",
        "monitor.item_refs",
    ),
    # Alerts mail through the digest's SMTP sender and read the trend the pipeline keeps.
    "monitor.alerts": (
        "indicators",
        "scenarios",
        "db",
        "monitor.config",
        "monitor.analysis",
        "monitor.pipeline",
        "monitor.digest.send",
        "monitor.redaction",
    ),
    "monitor.daemon": (
        "monitor.alerts",
        "indicators",
        "scenarios",
        "db",
        "monitor.config",
        "monitor.feeds",
        "monitor.analysis",
        "monitor.pipeline",
        "monitor.digest",
        "monitor.process_identity",
        "monitor.feed_health",
        "monitor.redaction",
        "monitor.logs",  # to stamp log lines in a reloaded time zone
        "monitor.storage_retry",
    ),
}
PROJECT = ("indicators", "scenarios", "db", "monitor")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # ``from monitor import x`` imports the sub-module monitor.x when there is one
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _rule(module: str) -> tuple[str, tuple[str, ...]] | None:
    matching = [prefix for prefix in ALLOWED if _within(module, prefix)]
    if not matching:
        return None
    prefix = max(matching, key=len)
    return prefix, ALLOWED[prefix]


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def violations() -> list[str]:
    found: list[str] = []
    for package in PROJECT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(path)
            rule = _rule(module)
            for line, imported in _imports(path):
                if not imported.startswith(PROJECT) or not _is_module(imported):
                    continue
                if imported.split(".")[0] not in PROJECT:
                    continue
                if (
                    _within(imported, "monitor.cli")
                    and module not in ("monitor.__main__",)
                    and not _within(module, "monitor.cli")
                ):
                    found.append(
                        f"{path.relative_to(ROOT)}:{line}: {module} imports {imported} (only the CLI's own)"
                    )
                if rule is None:
                    continue
                prefix, allowed = rule
                if _within(imported, prefix) or imported == "monitor":
                    continue
                if not any(_within(imported, ok) for ok in allowed):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {module} may not import {imported}")
    return found


def test_every_import_respects_the_layers() -> None:
    assert violations() == []


@pytest.mark.parametrize(
    ("module", "imported", "allowed"),
    [
        ("indicators._matcher", "db", False),
        ("scenarios._score", "monitor.config", False),
        ("db._store", "monitor.feeds.poll", False),
        ("monitor.feeds.poll", "monitor.pipeline.trend_refresh", False),
        ("monitor.pipeline.rescore", "monitor.digest.build", False),
        ("monitor.digest.build", "monitor.pipeline.trend_refresh", True),
        ("db._store", "indicators.errors", True),
    ],
)
def test_the_contract_tells_right_from_wrong(module: str, imported: str, allowed: bool) -> None:
    rule = _rule(module)
    assert rule is not None
    prefix, ok = rule
    assert (_within(imported, prefix) or any(_within(imported, p) for p in ok)) is allowed
