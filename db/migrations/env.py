"""Alembic environment: migrations run on the engine handed in by ``db.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from db._models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run `monitor db upgrade`")
run_migrations_online()
