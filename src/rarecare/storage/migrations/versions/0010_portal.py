"""portal: editorial articles (disease summaries, how-to pages, news) and their revisions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import rarecare.storage.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STATUS = sa.Enum("draft", "review", "published", name="articlestatus", native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "portal_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("summary", "howto", "post", name="articlekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("orpha_code", sa.String(length=16), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("published_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_articles")),
        sa.UniqueConstraint("slug", "lang", name="uq_portal_articles_slug_lang"),
    )
    with op.batch_alter_table("portal_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_articles_slug"), ["slug"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_portal_articles_orpha_code"), ["orpha_code"], unique=False
        )
    op.create_table(
        "portal_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["portal_articles.id"],
            name=op.f("fk_portal_revisions_article_id_portal_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_revisions")),
    )
    with op.batch_alter_table("portal_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_revisions_article_id"), ["article_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("portal_revisions")
    op.drop_table("portal_articles")
