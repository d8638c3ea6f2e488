"""Builds the definitions in force (shipped + the user's files and overrides) and the ingest analyser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from indicators import IndicatorSet, Matcher, MatchResult, clean_text, load_indicators
from indicators.errors import ConfigError, OverrideError
from scenarios import ScenarioSet, load_scenarios, signature

if TYPE_CHECKING:
    # Imported where used: commands that only read definitions (scenarios, eval, explain) start
    # without SQLAlchemy and httpx.
    import db
    from monitor.config.model import Config
    from monitor.feeds.poll import Analyser


@dataclass(frozen=True)
class Definitions:
    """The effective indicators and scenarios for one config, and the matcher built from them.

    The matcher is built when first used: loading the files checks them, and a poll that brings
    nothing new (a re-poll answered with 304s) never matches, so it need not build the automaton."""

    indicators: IndicatorSet
    scenarios: ScenarioSet
    # The user's definition files the indicators were loaded from (with the shipped ones), when
    # known: an analysis worker process loads the same. None: built otherwise, never offloaded.
    definition_files: tuple[Path, ...] | None = None

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self.indicators)

    @classmethod
    def from_config(cls, config: Config) -> Definitions:
        indicators = load_indicators(config.definitions)
        try:
            scenarios = load_scenarios(indicators, config.definitions, config.to_overrides())
        except OverrideError as exc:
            raise override_config_error(config, exc) from exc
        return cls(indicators, scenarios, tuple(config.definitions))

    def match_item(self, title: str, summary: str) -> MatchResult:
        return self.matcher.match({"title": title, "summary": summary})

    def analyser(self, *, tz: ZoneInfo) -> Analyser:
        """The ingest analyser: matches, the local day in ``tz`` and the story signature."""
        from monitor import analysis_worker
        from monitor.feeds.poll import Analyser, AnalysisOffload

        def match(title: str, summary: str) -> Sequence[db.MatchRecord]:
            return match_records(self.match_item(title, summary))

        return Analyser(
            clean=clean_text,
            match=match,
            patterns_hash=self.indicators.fingerprint,
            day_of=lambda at: at.astimezone(tz).date(),
            signature_of=lambda title, summary: signature(title, summary).to_text(),
            offload=AnalysisOffload(
                setup=analysis_worker.setup,
                setup_args=(tuple(str(p) for p in self.definition_files), self.indicators.fingerprint),
                analyse=analysis_worker.analyse,
            )
            if self.definition_files is not None
            else None,
        )


def match_records(result: MatchResult) -> list[db.MatchRecord]:
    import db

    return [db.MatchRecord.from_match(m) for m in result.matches]


def override_config_error(config: Config, exc: OverrideError) -> ConfigError:
    """The override's problem as a config error naming the config file and the line of the key: the
    scenario layer that found it knows no file, and the user must edit the config, not a definition."""
    from monitor.config.yaml_document import YamlSyntaxError, parse_yaml

    if config.source is None:
        return ConfigError(f"built-in config: scenarios.{'.'.join(exc.key)}: {exc.reason}", key="scenarios")
    label = str(config.source)
    line: int | None = None
    try:
        doc = parse_yaml(config.source.read_text(encoding="utf-8"))
        line = doc.line_of(("scenarios", *exc.key))
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        pass  # the file changed since it was loaded: the key path still says where to look
    where = f"{label}, line {line}" if line is not None else label
    key = "scenarios." + ".".join(exc.key)
    return ConfigError(f"{where}: {key}: {exc.reason}", path=label, key=key)
