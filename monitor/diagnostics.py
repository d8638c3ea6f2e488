"""What a definition author reads: the per-language eval table, the nearest partial match of each
miss, and the vocabulary × language coverage table of ``monitor scenarios --check``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from indicators import SUPPORTED_LANGUAGES, CoverageRow, Matcher, NearMiss, plural
from scenarios import EvalReport, Misclassification


def language_table(reports: Mapping[str, EvalReport]) -> RenderableType:
    table = Table(
        "lang",
        "items",
        "macro-F1",
        "none FP",
        "polarity",
        "errors",
        title="by language (macro-F1 over the scenarios present in each language)",
        title_justify="left",
    )
    for lang, report in reports.items():
        table.add_row(
            lang,
            str(report.items),
            f"{report.macro_f1:.3f}",
            f"{report.none_false_positive_rate:.3f} (of {report.none_items})",
            f"{report.polarity_accuracy:.3f} (of {report.polarity_items})",
            str(len(report.errors)),
        )
    return table


def language_json(reports: Mapping[str, EvalReport]) -> dict[str, Any]:
    return {
        lang: {**report.to_json(), "items": report.items, "errors": len(report.errors)}
        for lang, report in reports.items()
    }


def near_misses(matcher: Matcher, error: Misclassification, limit: int = 3) -> tuple[NearMiss, ...]:
    """For a miss, the indicators that came closest on the item (scored on the same fields as eval)."""
    return matcher.near_misses({"title": error.item.title, "summary": error.item.summary}, limit)


def near_miss_json(near: NearMiss) -> dict[str, Any]:
    return {
        "indicator": near.indicator_id,
        "matched": {group: evidence.text for group, evidence in near.matched},
        "missing": list(near.missing),
        "span_words": near.span,
        "scope": near.scope,
        "vetoed_by": list(near.vetoed_by),
        "cue": near.cue.text if near.cue is not None else None,
    }


def describe_near_miss(near: NearMiss) -> str:
    matched = ", ".join(f"{group}={evidence.text!r}" for group, evidence in near.matched)
    parts = [f"    nearest: {near.indicator_id}: {matched}"]
    if near.missing:
        parts.append(f"missing {', '.join(near.missing)}")
    if near.span is not None:
        parts.append(f"{plural(near.span, 'word')} apart (scope {near.scope})")
    if near.vetoed_by:
        parts.append(f"vetoed by {', '.join(near.vetoed_by)}")
    if near.cue is not None:
        parts.append(f"cancelled by {near.cue.text!r}")
    return "; ".join(parts)


def fired_terms(error: Misclassification) -> str:
    """For a false positive: the terms as written that fired, per indicator."""
    return "; ".join(
        f"{match.indicator_id}: " + ", ".join(sorted({e.term for e in match.evidence}))
        for match in error.result.matches
    )


def coverage_table(rows: Sequence[CoverageRow]) -> RenderableType:
    table = Table(
        "vocabulary",
        *SUPPORTED_LANGUAGES,
        title="terms per vocabulary and language (· empty, - left empty on purpose)",
        title_justify="left",
    )
    table.columns[0].overflow = "fold"  # a long local vocabulary name wraps rather than loses its end
    for row in rows:
        exempt = dict(row.exempt)
        cells = [
            str(count) if count else ("-" if lang in exempt else Text("·", style="bold red"))
            for lang, count in zip(SUPPORTED_LANGUAGES, row.counts, strict=True)
        ]
        table.add_row(row.vocabulary, *cells)
    return table
