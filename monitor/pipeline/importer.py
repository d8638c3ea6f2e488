"""``monitor import FILE``: backfill history from JSON Lines or an RSS/Atom file.

Items keep their original publication dates, are matched and grouped into stories like polled
items, and re-importing the same file stores nothing new: an item is known by (source, id), and a
link the source already has is not stored again under another id.

Every line is read and checked before anything is written, and the undated items are dealt with
then, by the ``undated`` policy: an undated item has no day of its own, and counted on the day of
the import a backfill of old news would put that day at the top of every scale.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from pathlib import Path

import db
from indicators import plural
from indicators.errors import ImportFileError, UsageError
from monitor.analysis import Definitions
from monitor.config.model import Config
from monitor.feeds.parse import MAX_GUID_LENGTH, OLDEST_DATE, ParsedItem, parse_feed
from monitor.pipeline import trend_refresh as trend
from monitor.pipeline.story_assigner import StoryAssigner

Progress = Callable[[int, int], None]
JSONL_KEYS = ("id", "title", "summary", "url", "source", "lang", "published")
# The labelled sets (../shared/eval/*.jsonl) write the date as "date" and carry their labels; the
# labels are stored as labels (source "import", `monitor labels`), the rationale as their note.
DATE_ALIAS = "date"
LABEL_KEYS = ("scenario", "polarity", "rationale")
# ISO 8601 reduced precision: a year ("2022") or a month ("2022-10"); a day has fromisoformat.
_YEAR_OR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
BATCH = 1000
MAX_REPORTED = 10
MAX_LINE_CHARS = 1_000_000  # a line is one item: a longer one is an error, not 1 GB of parsing


class Undated(StrEnum):
    """What an import does with an item that has no publication date."""

    SKIP = "skip"  # leave it out, and say how many were left out
    TODAY = "today"  # count it on the day of the import, as a poll does
    FAIL = "fail"  # refuse the whole file, naming the first undated line


@dataclass(frozen=True)
class ImportLabel:
    """A record's label keys, with its line: its scenario is checked against the definitions."""

    scenario: str
    polarity: str
    rationale: str | None
    line: int


@dataclass(frozen=True)
class ImportRecord:
    source: str
    language: str | None
    item: ParsedItem
    label: ImportLabel | None = None
    where: str = ""  # "file:line" of a JSON line, "file: item N (guid …)" of a feed entry


@dataclass(frozen=True)
class ImportReport:
    read: int
    new: int
    updated: int
    already_stored: int
    undated: int  # counted on the day of the import (--undated today)
    sources: tuple[str, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    skipped_undated: int = 0  # left out (--undated skip)
    labels: int = 0  # labels stored from the file's label keys
    labels_kept: int = 0  # items whose label the analyst gave: theirs stands


def _parse_published(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("expected a date string such as 2026-06-28T14:30:00Z or 2026-06-28")
    text = value.strip()
    reduced = _YEAR_OR_MONTH.match(text)
    if reduced:
        # An ISO 8601 year or month: its first day, at noon UTC so that no time zone moves it into
        # the day (and month, and year) before.
        year, number = int(reduced.group(1)), int(reduced.group(2) or 1)
        if not 1 <= number <= 12:
            raise ValueError(f"{value!r} is not a date: month {number} does not exist")
        return datetime(year, number, 1, 12, tzinfo=UTC)
    if _DAY.match(text):
        try:
            day = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a date: {exc}") from None
        return day.replace(hour=12, tzinfo=UTC)  # noon, for the same reason
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a date (expected ISO 8601 or RFC 2822)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # a date without zone is taken as UTC, and said so in the README
    return parsed.astimezone(UTC)


def read_jsonl(path: Path, now: datetime, *, feed: str | None = None) -> list[ImportRecord]:
    """Every line as a record, or ImportFileError listing the bad lines; with ``feed``, every item
    is that configured feed's and the ``source`` key may be left out."""
    from hashlib import sha256

    records: list[ImportRecord] = []
    problems: list[str] = []
    try:
        # utf-8-sig: a byte-order mark at the start (as some editors write) is not part of the data.
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            if len(line) > MAX_LINE_CHARS:
                raise ValueError(f"line of {len(line):,} characters; at most {MAX_LINE_CHARS:,} are read")
            try:
                data = json.loads(line)
            except RecursionError:
                raise ValueError("nested too deeply to be an item") from None
            if not isinstance(data, dict):
                raise ValueError("expected one JSON object per line")
            for key in (*JSONL_KEYS, DATE_ALIAS, *LABEL_KEYS):
                value = data.get(key)
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"{key!r} must be text, not {type(value).__name__} {str(value)[:40]}")
            unknown = sorted(set(data) - set(JSONL_KEYS) - {DATE_ALIAS, *LABEL_KEYS})
            if unknown:
                raise ValueError(f"unknown keys {unknown}; expected {', '.join(JSONL_KEYS)}")
            if DATE_ALIAS in data:
                if data.get("published") not in (None, "", data[DATE_ALIAS]):
                    raise ValueError("has both 'published' and 'date', with different values")
                data["published"] = data[DATE_ALIAS]
            title, summary = str(data.get("title") or ""), str(data.get("summary") or "")
            if not (title or summary):
                raise ValueError("needs a title or a summary")
            source = feed or str(data.get("source") or "").strip()
            if not source:
                raise ValueError("needs a source (the outlet's name)")
            url = data.get("url") or None
            published = _parse_published(data.get("published"))
            if published is not None and not OLDEST_DATE <= published <= now + timedelta(days=1):
                raise ValueError(
                    f"date {published.date().isoformat()} is before {OLDEST_DATE.year} or in the future"
                )
            guid = str(data.get("id") or url or "")
            if not guid:
                guid = "sha256:" + sha256(f"{title}\n{published}".encode()).hexdigest()
            elif len(guid) > MAX_GUID_LENGTH:
                guid = "sha256:" + sha256(guid.encode()).hexdigest()
            content_hash = sha256("\n".join([title, summary, str(url or "")]).encode()).hexdigest()
            item = ParsedItem(
                guid=guid,
                link=str(url) if url else None,
                title=title,
                summary=summary,
                published=published,
                content_hash=content_hash,
                language=str(data.get("lang") or "") or None,
            )
            records.append(
                ImportRecord(source, item.language, item, _label(data, number), f"{path}:{number}")
            )
        except (json.JSONDecodeError, ValueError, OverflowError) as exc:
            problems.append(f"{path}:{number}: {exc}")
    if problems:
        shown = "\n  ".join(problems[:MAX_REPORTED])
        more = f"\n  … and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
        raise ImportFileError(f"{plural(len(problems), 'bad line')}, nothing was imported:\n  {shown}{more}")
    return records


def _label(data: dict[str, object], line: int) -> ImportLabel | None:
    from scenarios import LABEL_POLARITIES, NO_SCENARIO

    scenario = str(data.get("scenario") or "").strip()
    polarity = str(data.get("polarity") or "").strip()
    if not scenario:
        if polarity:
            raise ValueError("has a 'polarity' but no 'scenario' to label")
        return None
    if not polarity and scenario == NO_SCENARIO:
        polarity = "neutral"
    if polarity not in LABEL_POLARITIES:
        raise ValueError(f"polarity {polarity!r} is not one of {', '.join(LABEL_POLARITIES)}")
    return ImportLabel(scenario, polarity, str(data.get("rationale") or "").strip() or None, line)


def _check_labels(path: Path, records: list[ImportRecord], scenario_ids: list[str]) -> None:
    from scenarios import NO_SCENARIO

    known = {*scenario_ids, NO_SCENARIO}
    bad = [r.label for r in records if r.label is not None and r.label.scenario not in known]
    if bad:
        shown = "\n  ".join(f"{path}:{b.line}: no scenario {b.scenario!r}" for b in bad[:MAX_REPORTED])
        more = f"\n  … and {len(bad) - MAX_REPORTED} more" if len(bad) > MAX_REPORTED else ""
        raise ImportFileError(
            f"{plural(len(bad), 'label')} {'names' if len(bad) == 1 else 'name'} an unknown scenario "
            f"(use one of: {', '.join(sorted(known))}), "
            f"nothing was imported:\n  {shown}{more}"
        )


def _store_labels(
    database: db.Database, records: list[ImportRecord], feed_ids: dict[str, int], now: datetime
) -> tuple[int, int]:
    """The file's labels on the items they came with: (stored, left as the analyst gave them)."""
    writes = []
    for record in records:
        if record.label is None:
            continue
        feed_id = feed_ids[record.source]
        item_id = db.item_for_guid_or_url(database, feed_id, record.item.guid, record.item.link)
        if item_id is None:
            continue
        label = record.label
        writes.append(
            db.LabelWrite(
                item_id, label.scenario, label.polarity, label.rationale, now, db.LabelSource.IMPORT
            )
        )
    stored = db.put_labels(database, writes, keep=db.LabelSource.ANALYST)
    return stored, len(writes) - stored


def read_feed_file(path: Path, now: datetime, *, feed: str | None = None) -> list[ImportRecord]:
    """The entries of an RSS/Atom file; they are the source named by its channel title unless
    ``feed`` names the configured feed they belong to."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    parsed = parse_feed(body, url=path.resolve().as_uri(), content_type=None, fetched_at=now)
    if parsed.problem:
        raise ImportFileError(f"{path}: {parsed.problem}; nothing was imported")
    source = feed or (parsed.title or path.stem).strip()
    return [
        ImportRecord(source, p.language, p, where=f"{path}: entry {n} (guid {p.guid[:80]!r})")
        for n, p in enumerate(parsed.items, start=1)
    ]


def read_file(path: Path, now: datetime, *, feed: str | None = None) -> list[ImportRecord]:
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist or is not a file")
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return read_feed_file(path, now, feed=feed)
    return read_jsonl(path, now, feed=feed)


def apply_undated(records: list[ImportRecord], policy: Undated) -> tuple[list[ImportRecord], int]:
    """The records to store under ``policy`` and how many undated ones were left out."""
    if policy is Undated.TODAY:
        return records, 0
    dated = [r for r in records if r.item.published is not None]
    if policy is Undated.FAIL and len(dated) < len(records):
        first = next(r for r in records if r.item.published is None)
        raise ImportFileError(
            f"{first.where}: no publication date ({plural(len(records) - len(dated), 'undated item')} in all); "
            "nothing was imported. Add the dates, or use --undated skip or --undated today"
        )
    return dated, len(records) - len(dated)


def import_file(
    database: db.Database,
    config: Config,
    definitions: Definitions,
    path: Path,
    *,
    now: datetime,
    progress: Progress | None = None,
    feed: str | None = None,
    undated_policy: Undated = Undated.SKIP,
) -> ImportReport:
    """Store the file's items (all checked first) and continue the trend. ``feed`` names the
    configured feed the file's items belong to: they then corroborate nothing that feed's own
    items do not, where a new source named after the file's channel would count as a second outlet."""
    from monitor.pipeline.poll_settings import feed_specs

    configured = {spec.name: spec for spec in feed_specs(config)}
    if feed is not None and feed not in configured:
        names = ", ".join(sorted(configured)) or "none"
        raise UsageError(f"--feed {feed!r} is not a configured feed; configured feeds: {names}")
    everything = read_file(path, now, feed=feed)
    _check_labels(path, everything, list(definitions.scenarios.scenarios))
    records, skipped = apply_undated(everything, undated_policy)
    tz = config.schedule.tzinfo
    trend.ensure_days(database, tz)
    db.sync_feeds(database, list(configured.values()), now)
    sources = sorted({r.source for r in records})
    feed_ids: dict[str, int] = {}
    for source in sources:
        language = next((r.language for r in records if r.source == source), None)
        spec = configured.get(source) or db.FeedSpec(
            config_url=f"import:{source}",
            name=source,
            language=language,
            reliability=1.0,
            poll_interval_seconds=86400,
            enabled=False,
        )
        feed_ids[source] = db.ensure_feed(database, spec, now)
    stories = StoryAssigner.load(database, now)
    analyser = definitions.analyser(tz=tz)
    new = updated = already = undated = done = 0
    # In publication order across sources, so a story is founded by its earliest report and every
    # reprint finds it in the index, whichever outlet it came from.
    ordered = sorted(records, key=lambda r: (r.item.published or now, r.source, r.item.guid))
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        # Stories older than the window can take no new item: forget them, so a long backfill
        # keeps the index (and its memory) to the items of the last few days.
        oldest = chunk[0].item.published
        if oldest is not None:
            stories.index.prune(oldest - 2 * stories.policy.window)
        by_source: dict[str, list[ImportRecord]] = {}
        for record in chunk:
            by_source.setdefault(record.source, []).append(record)
        for source, group in by_source.items():
            feed_id = feed_ids[source]
            links = [r.item.link for r in group if r.item.link]
            known_links = db.items_by_url(database, feed_id, links) if links else set()
            fresh = [r.item for r in group if not (r.item.link and r.item.link in known_links)]
            known = db.known_items(database, feed_id, (p.guid for p in fresh))
            # Each record's language is its item's own (read_file sets both), so no fallback.
            writes = analyser.writes(fresh, known, None, now)
            undated += sum(1 for r in group if r.item.published is None)
            staged = stories.stage(feed_id, now, writes)
            try:
                summary = db.store_items(
                    database, feed_id, staged.writes, fetched_at=now, patterns_hash=analyser.patterns_hash
                )
            except BaseException:
                stories.discard(staged)
                raise
            stories.commit(staged, summary)
            new += summary.items_new
            updated += summary.items_updated
            already += len(group) - summary.items_new - summary.items_updated
        done += len(chunk)
        if progress:
            progress(done, len(records))
    if new or updated:
        trend.refresh(database, definitions, tz=tz, now=now)
    labels, labels_kept = _store_labels(database, records, feed_ids, now)
    warnings: list[str] = []
    if undated:
        counts = "counts" if undated == 1 else "count"
        warnings.append(
            f"{plural(undated, 'item')} had no publication date and {counts} on the day of the import"
        )
    if skipped:
        warnings.append(
            f"{plural(skipped, 'item')} had no publication date and {'was' if skipped == 1 else 'were'} "
            "skipped (--undated today counts them "
            "on the day of the import)"
        )
    return ImportReport(
        read=len(everything),
        new=new,
        updated=updated,
        already_stored=already,
        undated=undated,
        sources=tuple(sources),
        warnings=tuple(warnings),
        skipped_undated=skipped,
        labels=labels,
        labels_kept=labels_kept,
    )
