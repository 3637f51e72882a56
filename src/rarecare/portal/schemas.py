"""Input and output shapes of the portal."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from rarecare.portal.models import ArticleKind, ArticleStatus


class ArticleIn(BaseModel):
    kind: ArticleKind
    slug: str = Field(min_length=2, max_length=120, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    lang: str = Field(default="vi", pattern=r"^(vi|en)$")
    orpha_code: str | None = Field(default=None, max_length=16)
    title: str = Field(min_length=2, max_length=200)
    summary: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=100_000)
    demo: bool = False


class ArticleUpdate(BaseModel):
    title: str = Field(min_length=2, max_length=200)
    summary: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=100_000)
    version: int = Field(ge=1, description="The row version read (optimistic locking)")
    note: str = Field(default="", max_length=500)


class ReviewIn(BaseModel):
    note: str = Field(default="", max_length=500)
    version: int | None = Field(default=None, ge=1)


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ArticleKind
    slug: str
    lang: str
    orpha_code: str | None
    title: str
    summary: str
    body: str
    status: ArticleStatus
    author: str
    reviewer: str | None
    reviewed_on: date | None
    published_at: datetime | None
    demo: bool
    row_version: int


class RevisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    title: str
    status: ArticleStatus
    action: str
    note: str
    by: str
    at: datetime


class PublishedOut(BaseModel):
    """What the public sees of an article: its last published revision."""

    slug: str
    lang: str
    kind: ArticleKind
    orpha_code: str | None
    title: str
    summary: str
    body_html: str
    author: str
    reviewer: str | None
    reviewed_on: date | None
    published_at: datetime | None
    demo: bool
