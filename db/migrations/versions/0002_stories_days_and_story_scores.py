"""Stories, local days and story scores: what the trend needs.

Items get the local day they count on, their story (the id of the story's first item) and the
token signature used to group reprints; scenario_daily keeps which indicators fired and which
were new; story_scores keeps the strongest stories per scenario and day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "story_scores",
        sa.Column("scenario_id", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("story_key", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("indicator_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_story_scores_item_id_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("scenario_id", "day", "rank", name=op.f("pk_story_scores")),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("day", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_items_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_feed_id_url"), ["feed_id", "url"], unique=False)
        batch_op.create_index(batch_op.f("ix_items_story_id"), ["story_id"], unique=False)

    with op.batch_alter_table("scenario_daily", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("indicator_ids", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("novel", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("scenario_daily", schema=None) as batch_op:
        batch_op.drop_column("novel")
        batch_op.drop_column("indicator_ids")

    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_story_id"))
        batch_op.drop_index(batch_op.f("ix_items_feed_id_url"))
        batch_op.drop_index(batch_op.f("ix_items_day"))
        batch_op.drop_column("day")
        batch_op.drop_column("signature")

    op.drop_table("story_scores")
    op.drop_table("settings")
