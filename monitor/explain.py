"""``monitor explain``: why an item (or a piece of text) moves each scenario, down to the phrases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from indicators import Evidence, MatchResult, Polarity, clean_text
from monitor.analysis import Definitions
from monitor.item_refs import item_ref
from scenarios import Contribution, score_item

HIT_STYLE = "bold black on yellow"
CUE_STYLE = "bold white on red"
SUPPRESSED_STYLE = "strike yellow"


@dataclass(frozen=True)
class Explanation:
    fields: Mapping[str, str]  # cleaned text per field: the texts every span points into
    result: MatchResult
    contributions: Mapping[str, Contribution]
    reliability: float
    source: Mapping[str, Any]


def explain(
    definitions: Definitions, fields: Mapping[str, str], *, reliability: float, source: Mapping[str, Any]
) -> Explanation:
    cleaned = {name: clean_text(value) for name, value in fields.items()}
    result = definitions.matcher.match(cleaned)
    return Explanation(
        cleaned, result, score_item(result, definitions.scenarios, reliability), reliability, source
    )


def _evidence_json(ev: Evidence) -> dict[str, Any]:
    return {"field": ev.field, "start": ev.start, "end": ev.end, "term": ev.term, "text": ev.text}


def to_json(exp: Explanation, definitions: Definitions) -> dict[str, Any]:
    indicators = definitions.indicators.indicators
    return {
        "source": dict(exp.source),
        "fields": dict(exp.fields),
        "reliability": exp.reliability,
        "matches": [
            {
                "indicator": m.indicator_id,
                "label": indicators[m.indicator_id].label if m.indicator_id in indicators else None,
                "polarity": Polarity(m.polarity).name.lower(),
                "via_negation": m.via_negation,
                "modality": m.modality.value if m.modality is not None else None,
                "cue": _evidence_json(m.cue) if m.cue is not None else None,
                "factor": m.factor,
                "evidence": [_evidence_json(e) for e in m.evidence],
            }
            for m in exp.result.matches
        ],
        "suppressed": [
            {
                "indicator": s.indicator_id,
                "cue": _evidence_json(s.cue),
                "evidence": [_evidence_json(e) for e in s.evidence],
                "counted_as": s.counted_as,
                "kind": s.kind.value,
            }
            for s in exp.result.suppressed
        ],
        "scenarios": {
            scenario_id: {
                "contribution": round(c.value, 6),
                "unstacked": round(c.plain_sum, 6),
                "stacking_share": definitions.scenarios.scenarios[scenario_id].stacking_share,
                "relevant": c.relevant,
                "parts": [
                    {
                        "indicator": p.indicator_id,
                        "weight": p.weight,
                        "polarity": int(p.polarity),
                        "reliability": p.reliability,
                        "value": round(p.value, 6),
                        "stacking": p.stacking,
                        "counted": round(p.counted, 6),
                    }
                    for p in c.parts
                ],
            }
            for scenario_id, c in exp.contributions.items()
        },
    }


def _highlight(text: str, hits: Sequence[tuple[int, int, str]]) -> Text:
    out = Text(text)
    for start, end, style in hits:
        out.stylize(style, start, end)
    return out


def render(exp: Explanation, definitions: Definitions) -> RenderableType:
    parts: list[RenderableType] = []
    header = ", ".join(
        item_ref(v) if k == "item" else f"{k}={v}" for k, v in exp.source.items() if v not in (None, "")
    )
    parts.append(Text(header or "text", style="bold"))
    for name, text in exp.fields.items():
        if not text:
            continue
        hits = [
            (e.start, e.end, HIT_STYLE) for m in exp.result.matches for e in m.evidence if e.field == name
        ]
        hits += [
            (e.start, e.end, SUPPRESSED_STYLE)
            for s in exp.result.suppressed
            for e in s.evidence
            if e.field == name
        ]
        hits += [(s.cue.start, s.cue.end, CUE_STYLE) for s in exp.result.suppressed if s.cue.field == name]
        parts.append(Text.assemble((f"{name}: ", "dim"), _highlight(text, hits)))

    indicators = definitions.indicators.indicators
    if exp.result.matches:
        table = Table("indicator", "polarity", "matched", title="fired indicators", title_justify="left")
        for m in exp.result.matches:
            label = indicators[m.indicator_id].label if m.indicator_id in indicators else ""
            polarity = Polarity(m.polarity).name.lower()
            if m.via_negation:
                polarity += f" (negated {m.via_negation})"
            if m.modality is not None and m.cue is not None:
                factor = f", weight ×{m.factor:g}" if m.factor != 1 else ""
                polarity += f"\n[dim]{m.modality.value} cue {escape(repr(m.cue.text))}{factor}[/]"
            table.add_row(
                f"{m.indicator_id}\n[dim]{label}[/]",
                polarity,
                escape(", ".join(sorted({e.text for e in m.evidence}))),
            )
        parts.append(table)
    else:
        parts.append(Text("no indicator fired", style="dim"))
    if exp.result.suppressed:
        table = Table(
            "indicator",
            "cue",
            "kind",
            "trigger",
            "counted as",
            title="suppressed by a negation, denial, conditional or look back",
            title_justify="left",
        )
        for s in exp.result.suppressed:
            table.add_row(
                s.indicator_id,
                escape(s.cue.text),
                s.kind.value,
                escape(", ".join(e.text for e in s.evidence)),
                s.counted_as or "-",
            )
        parts.append(table)

    table = Table(
        "scenario",
        "contribution",
        "relevant",
        "from",
        title=f"contribution per scenario (feed reliability {exp.reliability:g})",
        title_justify="left",
    )
    stacked: list[str] = []
    for scenario_id, c in sorted(exp.contributions.items(), key=lambda kv: -abs(kv[1].value)):
        # strongest first, so the stacking shares read 1, ½, ¼ … down the column
        ranked = sorted(c.parts, key=lambda p: (-p.stacking, p.indicator_id))
        detail = "\n".join(
            f"{p.indicator_id}: {p.weight:g}×{int(p.polarity):+d}×{p.reliability:g}"
            + (f"×{p.factor:g}" if p.factor != 1 else "")
            + (f" · ×{p.stacking:g}" if p.stacking != 1 else "")
            for p in ranked
        )
        value = f"{c.value:+.2f}"
        if abs(c.plain_sum - c.value) > 1e-9:
            value += f"\n[dim](sum {c.plain_sum:+.2f})[/]"
            share = definitions.scenarios.scenarios[scenario_id].stacking_share
            stacked.append(f"{scenario_id}: {c.plain_sum:+.2f} → {c.value:+.2f} (stacking_share {share:g})")
        table.add_row(scenario_id, value, "yes" if c.relevant else "no", detail or "-")
    if stacked:
        # why the sum is smaller than the weights add up to: overlapping wording of one signal
        table.caption = (
            "stacking: per sign, the strongest indicator counts in full and each next one × the "
            "scenario's share, then × its square …; " + "; ".join(stacked)
        )
        table.caption_justify = "left"
    parts.append(table)
    return Group(*parts)
