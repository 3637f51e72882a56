"""The portal's JSON API: the editorial workflow (editors) and the public reads (anyone)."""

from __future__ import annotations

from fastapi import APIRouter

from rarecare import i18n
from rarecare.catalogue.schemas import DiseaseHitOut
from rarecare.portal import public
from rarecare.portal import service as articles
from rarecare.portal.schemas import (
    ArticleIn,
    ArticleOut,
    ArticleUpdate,
    PublishedOut,
    ReviewIn,
    RevisionOut,
)
from rarecare.web.deps import DbSession, Knowledge, MaybePrincipal

api = APIRouter(prefix="/api", tags=["portal"])


@api.get("/portal/articles", response_model=list[ArticleOut])
def list_articles(session: DbSession, principal: MaybePrincipal) -> list[ArticleOut]:
    rows = articles.articles(session=session, principal=principal)
    return [ArticleOut.model_validate(a) for a in rows]


@api.post("/portal/articles", response_model=ArticleOut, status_code=201)
def create_article(data: ArticleIn, session: DbSession, principal: MaybePrincipal) -> ArticleOut:
    return ArticleOut.model_validate(
        articles.create(session=session, principal=principal, data=data)
    )


@api.get("/portal/articles/{article_id}", response_model=ArticleOut)
def get_article(article_id: int, session: DbSession, principal: MaybePrincipal) -> ArticleOut:
    return ArticleOut.model_validate(
        articles.get(session=session, principal=principal, article_id=article_id)
    )


@api.put("/portal/articles/{article_id}", response_model=ArticleOut)
def update_article(
    article_id: int, data: ArticleUpdate, session: DbSession, principal: MaybePrincipal
) -> ArticleOut:
    return ArticleOut.model_validate(
        articles.update(session=session, principal=principal, article_id=article_id, data=data)
    )


@api.get("/portal/articles/{article_id}/history", response_model=list[RevisionOut])
def article_history(
    article_id: int, session: DbSession, principal: MaybePrincipal
) -> list[RevisionOut]:
    rows = articles.history(session=session, principal=principal, article_id=article_id)
    return [RevisionOut.model_validate(r) for r in rows]


@api.post("/portal/articles/{article_id}/submit", response_model=ArticleOut)
def submit_article(
    article_id: int, review: ReviewIn, session: DbSession, principal: MaybePrincipal
) -> ArticleOut:
    return ArticleOut.model_validate(
        articles.submit(session=session, principal=principal, article_id=article_id, review=review)
    )


@api.post("/portal/articles/{article_id}/publish", response_model=ArticleOut)
def publish_article(
    article_id: int, review: ReviewIn, session: DbSession, principal: MaybePrincipal
) -> ArticleOut:
    return ArticleOut.model_validate(
        articles.publish(session=session, principal=principal, article_id=article_id, review=review)
    )


@api.post("/portal/articles/{article_id}/return", response_model=ArticleOut)
def return_article(
    article_id: int, review: ReviewIn, session: DbSession, principal: MaybePrincipal
) -> ArticleOut:
    return ArticleOut.model_validate(
        articles.return_to_author(
            session=session, principal=principal, article_id=article_id, review=review
        )
    )


@api.get("/public/search", response_model=list[DiseaseHitOut])
def public_search(q: str, session: DbSession, kb: Knowledge) -> list[DiseaseHitOut]:
    """Rare diseases by Vietnamese or English name, with or without diacritics, or by code."""
    return public.search(session=session, kb=kb, query=q)


@api.get("/public/pages/{slug}", response_model=PublishedOut)
def public_page(slug: str, session: DbSession) -> PublishedOut:
    return articles.published_page(session=session, slug=slug, lang=i18n.current_locale.get())
