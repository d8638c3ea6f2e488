"""Terminal and JSON output of ``monitor eval``."""

from __future__ import annotations

from typing import Any, Literal, overload

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from indicators import Matcher, plural
from monitor.diagnostics import describe_near_miss, fired_terms, near_miss_json, near_misses
from scenarios import EvalReport, Misclassification


def render_report(report: EvalReport, items: int) -> RenderableType:
    table = Table(
        "scenario", "precision", "recall", "F1", "TP", "FP", "FN", title=f"eval on {plural(items, 'item')}"
    )
    for scenario_id, m in report.scenarios.items():
        table.add_row(
            scenario_id,
            f"{m.precision:.3f}",
            f"{m.recall:.3f}",
            f"{m.f1:.3f}",
            str(m.tp),
            str(m.fp),
            str(m.fn),
        )
    summary = Text.assemble(
        ("macro-F1 ", "bold"),
        f"{report.macro_f1:.3f}   ",
        ("none false-positive rate ", "bold"),
        f"{report.none_false_positive_rate:.3f} (of {report.none_items})   ",
        ("polarity accuracy ", "bold"),
        f"{report.polarity_accuracy:.3f} (of {report.polarity_items})",
    )
    return Group(table, summary)


def _error_json(error: Misclassification, matcher: Matcher) -> dict[str, Any]:
    return {
        "lang": error.item.lang,
        "id": error.item.id,
        "kind": error.kind,
        "label": {"scenario": error.item.scenario, "polarity": error.item.polarity},
        "predicted": error.predicted,
        "contributions": {sid: round(c.value, 6) for sid, c in error.contributions.items() if c.parts},
        "matches": [
            {
                "indicator": m.indicator_id,
                "via_negation": m.via_negation,
                "texts": [e.text for e in m.evidence],
            }
            for m in error.result.matches
        ],
        "suppressed": [
            {
                "indicator": s.indicator_id,
                "cue": s.cue.text,
                "kind": s.kind.value,
                "texts": [e.text for e in s.evidence],
            }
            for s in error.result.suppressed
        ],
        "nearest": [near_miss_json(n) for n in near_misses(matcher, error)] if error.kind == "miss" else [],
        "fired_terms": fired_terms(error) if error.kind == "false_positive" else "",
    }


@overload
def render_errors(
    report: EvalReport, matcher: Matcher, *, as_json: Literal[True]
) -> list[dict[str, Any]]: ...
@overload
def render_errors(
    report: EvalReport, matcher: Matcher, *, as_json: Literal[False]
) -> list[RenderableType]: ...
def render_errors(
    report: EvalReport, matcher: Matcher, *, as_json: bool
) -> list[dict[str, Any]] | list[RenderableType]:
    """Each error with its evidence; a miss also with the indicators that came closest, a false
    positive with the terms that fired."""
    if as_json:
        return [_error_json(e, matcher) for e in report.errors]
    out: list[RenderableType] = [
        Text(plural(len(report.errors), "error"), style="bold" if report.errors else "green")
    ]
    for error in report.errors:
        lines = [error.describe()]
        if error.kind == "miss":
            lines += [describe_near_miss(n) for n in near_misses(matcher, error)]
        elif error.kind == "false_positive":
            lines.append(f"    fired terms: {fired_terms(error)}")
        out.append(Text("\n".join(lines) + "\n", style="red" if error.kind == "false_positive" else ""))
    return out
