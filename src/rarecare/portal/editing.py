"""The editors' pages: articles, a new article, editing with a preview, the workflow buttons
(to review, publish, return to the author) and the history of every state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from rarecare.access import Principal
from rarecare.errors import RareCareError
from rarecare.portal import markdown, media
from rarecare.portal import service as articles
from rarecare.portal.models import ArticleKind
from rarecare.portal.schemas import ArticleIn, ArticleUpdate, ReviewIn
from rarecare.web.deps import AppSettings, CurrentUser, DbSession
from rarecare.web.forms import attempt, error_lines, form_fields
from rarecare.web.templating import render
from rarecare.web.uploads import read_upload

pages = APIRouter(include_in_schema=False)
Fields = Annotated[dict[str, str], Depends(form_fields)]


def _list(
    request: Request,
    user: Principal,
    session: Session,
    error: RareCareError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "portal_articles.html",
        {
            "articles": articles.articles(session=session, principal=user),
            "kinds": list(ArticleKind),
            "errors": error_lines(error) if error else [],
            "form": form or {},
        },
        status_code=error.status_code if error else 200,
    )


@pages.get("/portal/articles", response_class=HTMLResponse)
def article_list(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    return _list(request, user, session)


@pages.post("/portal/articles", response_model=None)
def article_create(
    request: Request, user: CurrentUser, session: DbSession, fields: Fields
) -> Response:
    created: list[int] = []

    def save() -> None:
        data = ArticleIn.model_validate(
            {
                **fields,
                "orpha_code": fields.get("orpha_code") or None,
                "demo": fields.get("demo") == "on",
            }
        )
        created.append(articles.create(session=session, principal=user, data=data).id)

    error = attempt(save)
    if error:
        return _list(request, user, session, error, fields)
    return RedirectResponse(f"/portal/articles/{created[0]}", status_code=303)


def _edit(
    request: Request,
    user: Principal,
    session: Session,
    article_id: int,
    error: RareCareError | None = None,
    image: str = "",
) -> HTMLResponse:
    article = articles.get(session=session, principal=user, article_id=article_id)
    return render(
        request,
        "portal_article.html",
        {
            "a": article,
            "preview": markdown.to_html(article.body),
            "history": articles.history(session=session, principal=user, article_id=article_id),
            "errors": error_lines(error) if error else [],
            "image": image,
        },
        status_code=error.status_code if error else 200,
    )


@pages.get("/portal/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    article_id: int, request: Request, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    return _edit(request, user, session, article_id)


@pages.post("/portal/articles/{article_id}", response_model=None)
def article_save(
    article_id: int, request: Request, user: CurrentUser, session: DbSession, fields: Fields
) -> Response:
    error = attempt(
        lambda: articles.update(
            session=session,
            principal=user,
            article_id=article_id,
            data=ArticleUpdate.model_validate(fields),
        )
    )
    if error:
        return _edit(request, user, session, article_id, error)
    return RedirectResponse(f"/portal/articles/{article_id}", status_code=303)


@pages.post("/portal/articles/{article_id}/image", response_model=None)
def article_image(
    article_id: int,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    image: Annotated[UploadFile, File()],
) -> Response:
    """Upload an image; the page comes back with the Markdown to paste."""
    stored: list[str] = []
    error = attempt(
        lambda: stored.append(
            media.store_image(
                session=session,
                principal=user,
                content=read_upload(image, limit=media.MAX_IMAGE_BYTES),
                content_type=image.content_type or "",
                storage_dir=settings.uploads_dir / "portal",
            )
        )
    )
    return _edit(request, user, session, article_id, error, image=stored[0] if stored else "")


STEPS = {
    "submit": articles.submit,
    "publish": articles.publish,
    "return": articles.return_to_author,
}


@pages.post("/portal/articles/{article_id}/{step}", response_model=None)
def article_step(
    article_id: int,
    step: str,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    fields: Fields,
) -> Response:
    action = STEPS.get(step)
    if action is None:
        return _edit(request, user, session, article_id)
    review = {"note": fields.get("note", ""), "version": fields.get("version") or None}
    error = attempt(
        lambda: action(
            session=session,
            principal=user,
            article_id=article_id,
            review=ReviewIn.model_validate(review),
        )
    )
    if error:
        return _edit(request, user, session, article_id, error)
    return RedirectResponse(f"/portal/articles/{article_id}", status_code=303)
