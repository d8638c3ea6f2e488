"""``monitor digest`` and the daemon's daily job: write ``DIR/D.html`` and ``DIR/D.md``, mail them.

Files are written first and atomically (a reader never sees half a digest; re-running for the same
date rewrites them). Mailing comes after: a failure is logged, the date is remembered as unsent, and
the next run (CLI with ``--send`` or the daemon's job) sends the unsent digests again from their files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import db
from indicators.errors import MonitorError
from monitor.analysis import Definitions
from monitor.config.model import Config
from monitor.digest.build import build_digest, remember_config
from monitor.digest.content import Digest
from monitor.digest.render import render_html, render_text
from monitor.digest.send import DigestSendError, send_digest
from monitor.process_identity import worker_identity

log = logging.getLogger(__name__)

UNSENT_SETTING = "digest_unsent"


@dataclass(frozen=True)
class DigestFiles:
    day: date
    html: Path
    text: Path
    digest: Digest


def _write_atomic(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


def write_digest(
    database: db.Database,
    config: Config,
    definitions: Definitions,
    day: date,
    *,
    now: datetime,
    out_dir: Path | None = None,
) -> DigestFiles:
    folder = out_dir or config.digest.output_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MonitorError(f"cannot create the digest folder {folder}: {exc.strerror or exc}") from exc
    run_id = db.start_run(database, db.RunKind.DIGEST, now, worker=worker_identity())
    try:
        digest = build_digest(database, config, definitions, day, now=now)
        html, text = render_html(digest), render_text(digest)
        files = DigestFiles(day, folder / f"{day.isoformat()}.html", folder / f"{day.isoformat()}.md", digest)
        _write_atomic(files.html, html)
        _write_atomic(files.text, text)
    except BaseException as exc:
        db.finish_run(database, run_id, now, db.RunOutcome.FAILED, detail=str(exc) or type(exc).__name__)
        raise
    remember_config(database, config, definitions)
    db.finish_run(
        database,
        run_id,
        now,
        db.RunOutcome.OK,
        detail=f"{files.html} ({'data' if digest.has_data else 'no data for this date'})",
    )
    log.info("digest day=%s html=%s text=%s has_data=%s", day, files.html, files.text, digest.has_data)
    return files


def subject(day: date, digest: Digest | None = None) -> str:
    if digest is None or not digest.scenarios:
        return f"Scenario digest {day.isoformat()}"
    top = digest.scenarios[0]
    return f"Scenario digest {day.isoformat()}: {top.title} at {top.level} ({top.index:.1f})"


def _unsent(database: db.Database) -> list[str]:
    stored = db.get_setting(database, UNSENT_SETTING)
    return list(json.loads(stored)) if stored else []


def send_pending(
    database: db.Database,
    config: Config,
    files: DigestFiles | None,
    *,
    env: Mapping[str, str],
    out_dir: Path | None = None,
) -> list[str]:
    """Mail the unsent digests of earlier runs, then this one; returns the dates that failed again."""
    smtp = config.digest.smtp
    if smtp is None:
        raise MonitorError(
            "cannot send: the config has no digest.smtp section (see `monitor init` for an example)"
        )
    folder = out_dir or config.digest.output_dir
    pending = _unsent(database)
    if files is not None and files.day.isoformat() not in pending:
        pending.append(files.day.isoformat())
    failed: list[str] = []
    for day_text in sorted(set(pending)):
        html_path, text_path = folder / f"{day_text}.html", folder / f"{day_text}.md"
        if not (html_path.is_file() and text_path.is_file()):
            log.warning(
                "digest %s was never mailed and its files are gone from %s; dropping it", day_text, folder
            )
            continue
        html = html_path.read_text(encoding="utf-8")
        try:
            title = files.digest if files and files.day.isoformat() == day_text else None
            send_digest(
                smtp,
                subject=subject(date.fromisoformat(day_text), title),
                html=html,
                text=text_path.read_text(encoding="utf-8"),
                env=env,
            )
            log.info("digest day=%s mailed to=%s", day_text, ",".join(smtp.to))
        except DigestSendError as exc:
            log.error("%s", exc)
            failed.append(day_text)
    db.set_setting(database, UNSENT_SETTING, json.dumps(failed))
    return failed
