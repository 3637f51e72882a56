"""Tables of the portal: editorial articles and their history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rarecare.i18n import N_
from rarecare.storage.base import Base, utcnow


class ArticleKind(StrEnum):
    SUMMARY = "summary"  # a plain-language summary of a disease (one per disease and language)
    HOWTO = "howto"  # how to get a diagnosis, a referral, insurance cover, support
    POST = "post"  # news


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"


ARTICLE_LABELS: dict[str, str] = {
    ArticleKind.SUMMARY: N_("Disease summary"),
    ArticleKind.HOWTO: N_("How-to page"),
    ArticleKind.POST: N_("News post"),
    ArticleStatus.DRAFT: N_("Draft"),
    ArticleStatus.REVIEW: N_("In review"),
    ArticleStatus.PUBLISHED: N_("Published"),
    # the steps of an article's history
    "created": N_("Created"),
    "edited": N_("Edited"),
    "submitted": N_("Sent for review"),
    "returned": N_("Returned to the author"),
}


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Article(Base):
    """An editor's page in one language, Markdown source (rendered and sanitised on output)."""

    __tablename__ = "portal_articles"
    __table_args__ = (UniqueConstraint("slug", "lang", name="uq_portal_articles_slug_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ArticleKind] = mapped_column(_enum(ArticleKind))
    slug: Mapped[str] = mapped_column(String(120), index=True)
    lang: Mapped[str] = mapped_column(String(2), default="vi")
    orpha_code: Mapped[str | None] = mapped_column(String(16), default=None, index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")  # the page's description
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ArticleStatus] = mapped_column(_enum(ArticleStatus), default=ArticleStatus.DRAFT)
    author: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str | None] = mapped_column(String(64), default=None)
    reviewed_on: Mapped[date | None] = mapped_column(Date, default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # illustrative demo text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012 - SQLAlchemy's mapper options


class Revision(Base):
    """Every saved state of an article: what it said, its status, who and when."""

    __tablename__ = "portal_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("portal_articles.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ArticleStatus] = mapped_column(_enum(ArticleStatus))
    action: Mapped[str] = mapped_column(String(16))  # created, edited, submitted, published, ...
    note: Mapped[str] = mapped_column(String(500), default="")
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
