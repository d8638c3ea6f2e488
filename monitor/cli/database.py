"""``monitor db``: database maintenance (schema migrations)."""

from __future__ import annotations

import click

from monitor.cli.app import AppContext, ErrorHandlingGroup, console, pass_ctx


@click.group(cls=ErrorHandlingGroup)
def database() -> None:
    """Database maintenance: schema migrations."""


@database.command()
@pass_ctx
def upgrade(obj: AppContext) -> None:
    """Apply pending schema migrations to the configured database."""
    import db

    engine = db.create_db_engine(obj.config.database_url)
    try:
        before = db.current_revision(engine)
        db.upgrade(engine)
        after = db.current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        console.print(f"database at revision {after}: already up to date")
    else:
        console.print(f"database upgraded from {before or 'empty'} to {after}")


# `monitor database upgrade` worked in the first releases: still accepted, no longer listed.
database_alias = ErrorHandlingGroup(
    name="database", commands=database.commands, help=database.help, hidden=True
)
