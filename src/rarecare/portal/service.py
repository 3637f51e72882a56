"""Editorial workflow of the portal: draft → review → published, with every state kept.

Editors (the ministry's users and administrators) write; an article goes to review, and
another editor publishes it or returns it to its author with a note (four eyes: nobody
publishes their own text). The public reads an article's **last published revision**, so
editing a live page never changes what visitors see until the new text is published."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from rarecare.i18n import N_, _, gettext
from rarecare.knowledge import normalise_orpha
from rarecare.portal import markdown
from rarecare.portal.models import ARTICLE_LABELS, Article, ArticleKind, ArticleStatus, Revision
from rarecare.portal.schemas import ArticleIn, ArticleUpdate, PublishedOut, ReviewIn
from rarecare.storage import utcnow
from rarecare.storage.versioning import check_version

EDITORS = (Role.MINISTRY, Role.ADMIN)


def _record(session: Session, article: Article, actor: Principal, action: str, note: str) -> None:
    number = (
        session.scalar(select(func.max(Revision.number)).where(Revision.article_id == article.id))
        or 0
    ) + 1
    session.add(
        Revision(
            article_id=article.id,
            number=number,
            title=article.title,
            summary=article.summary,
            body=article.body,
            status=article.status,
            action=action,
            note=note,
            by=actor.username,
        )
    )
    audit.record(
        session=session,
        actor=actor,
        action=f"article_{action}",
        object_type="portal_article",
        object_id=article.id,
    )


def create(*, session: Session, principal: Principal | None, data: ArticleIn) -> Article:
    actor = require_role(principal, *EDITORS)
    errors: list[FieldError] = []
    code = None
    if data.kind == ArticleKind.SUMMARY:
        code = normalise_orpha(data.orpha_code or "")
        if code is None:
            errors.append(
                FieldError("orpha_code", N_("a disease summary needs the disease's ORPHAcode"))
            )
    existing = session.scalar(
        select(Article.id).where(Article.slug == data.slug, Article.lang == data.lang)
    )
    if existing is not None:
        errors.append(
            FieldError("slug", N_("%(slug)s is taken in this language"), params={"slug": data.slug})
        )
    if errors:
        raise ValidationFailed(_("The article cannot be saved."), errors)
    article = Article(
        **data.model_dump(exclude={"orpha_code"}), orpha_code=code, author=actor.username
    )
    session.add(article)
    session.flush()
    _record(session, article, actor, "created", "")
    return article


def get(*, session: Session, principal: Principal | None, article_id: int) -> Article:
    require_role(principal, *EDITORS)
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(_("No such article."))
    return article


def articles(*, session: Session, principal: Principal | None) -> list[Article]:
    require_role(principal, *EDITORS)
    return list(session.scalars(select(Article).order_by(Article.updated_at.desc())))


def history(*, session: Session, principal: Principal | None, article_id: int) -> list[Revision]:
    get(session=session, principal=principal, article_id=article_id)
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.article_id == article_id)
            .order_by(Revision.number.desc())
        )
    )


def update(
    *, session: Session, principal: Principal | None, article_id: int, data: ArticleUpdate
) -> Article:
    """A new text; an article in review or published goes back to draft (its published
    revision stays live)."""
    article = get(session=session, principal=principal, article_id=article_id)
    actor = require_role(principal, *EDITORS)
    changes = {"title": data.title, "summary": data.summary, "body": data.body}
    check_version(article, data.version, changes, attribute="row_version")
    article.title, article.summary, article.body = data.title, data.summary, data.body
    article.status = ArticleStatus.DRAFT
    session.flush()
    _record(session, article, actor, "edited", data.note)
    return article


def _move(
    session: Session,
    principal: Principal | None,
    article_id: int,
    review: ReviewIn,
    *,
    expected: ArticleStatus,
    to: ArticleStatus,
    action: str,
    today: date | None = None,
) -> Article:
    """One step of the workflow, from ``expected`` to ``to``, kept as a revision."""
    article = get(session=session, principal=principal, article_id=article_id)
    actor = require_role(principal, *EDITORS)
    check_version(article, review.version, {}, attribute="row_version")
    if article.status != expected:
        raise Conflict(
            _("The article is not in the right state for this step."),
            [
                FieldError(
                    "status",
                    N_("is %(status)s, expected %(expected)s"),
                    params={"status": _state(article.status), "expected": _state(expected)},
                )
            ],
        )
    if to == ArticleStatus.PUBLISHED:
        if actor.username == article.author:
            raise PermissionDenied(_("Another editor reviews and publishes what you wrote."))
        article.reviewer = actor.username
        article.reviewed_on = today or date.today()
        article.published_at = utcnow()
    article.status = to
    session.flush()
    _record(session, article, actor, action, review.note)
    return article


def submit(
    *, session: Session, principal: Principal | None, article_id: int, review: ReviewIn
) -> Article:
    return _move(
        session,
        principal,
        article_id,
        review,
        expected=ArticleStatus.DRAFT,
        to=ArticleStatus.REVIEW,
        action="submitted",
    )


def publish(
    *,
    session: Session,
    principal: Principal | None,
    article_id: int,
    review: ReviewIn,
    today: date | None = None,
) -> Article:
    """Another editor than the author publishes (four eyes)."""
    return _move(
        session,
        principal,
        article_id,
        review,
        expected=ArticleStatus.REVIEW,
        to=ArticleStatus.PUBLISHED,
        action="published",
        today=today,
    )


def return_to_author(
    *, session: Session, principal: Principal | None, article_id: int, review: ReviewIn
) -> Article:
    if not review.note.strip():
        raise ValidationFailed(
            _("Say what should change."), [FieldError("note", N_("a note for the author"))]
        )
    return _move(
        session,
        principal,
        article_id,
        review,
        expected=ArticleStatus.REVIEW,
        to=ArticleStatus.DRAFT,
        action="returned",
    )


# ------------------------------------------------------------------------------ public reads
def _published(article: Article, revision: Revision) -> PublishedOut:
    return PublishedOut(
        slug=article.slug,
        lang=article.lang,
        kind=article.kind,
        orpha_code=article.orpha_code,
        title=revision.title,
        summary=revision.summary or markdown.plain_text(revision.body, 200),
        body_html=str(markdown.to_html(revision.body)),
        author=article.author,
        reviewer=article.reviewer,
        reviewed_on=article.reviewed_on,
        published_at=article.published_at,
        demo=article.demo,
    )


def _live(session: Session, *where: object) -> list[tuple[Article, Revision]]:
    """(article, its last published revision) for the published articles matching ``where``."""
    last = (
        select(Revision.article_id, func.max(Revision.number).label("number"))
        .where(Revision.action == "published")
        .group_by(Revision.article_id)
        .subquery()
    )
    query = (
        select(Article, Revision)
        .join(last, last.c.article_id == Article.id)
        .join(
            Revision,
            (Revision.article_id == last.c.article_id) & (Revision.number == last.c.number),
        )
        .where(*where)  # type: ignore[arg-type]
        .order_by(Article.published_at.desc())
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def published(
    *, session: Session, kind: ArticleKind | None = None, lang: str | None = None
) -> list[PublishedOut]:
    where = [Article.kind == kind] if kind else []
    rows = _live(session, *where)
    if lang:  # one per slug: the reader's language first
        chosen: dict[str, tuple[Article, Revision]] = {}
        for article, revision in rows:
            if article.slug not in chosen or article.lang == lang:
                chosen[article.slug] = (article, revision)
        rows = list(chosen.values())
    return [_published(a, r) for a, r in rows]


def published_page(*, session: Session, slug: str, lang: str) -> PublishedOut:
    rows = _live(session, Article.slug == slug)
    if not rows:
        raise NotFound(_("No such page."))
    return _published(*_in_language(rows, lang))


def _in_language(rows: list[tuple[Article, Revision]], lang: str) -> tuple[Article, Revision]:
    """The reader's language if there is a version in it, else the first."""
    return next(((a, r) for a, r in rows if a.lang == lang), rows[0])


def disease_summary(*, session: Session, orpha_code: str, lang: str) -> PublishedOut | None:
    """The published plain-language summary of a disease, in the reader's language if there
    is one, else in the other."""
    rows = _live(session, Article.kind == ArticleKind.SUMMARY, Article.orpha_code == orpha_code)
    return _published(*_in_language(rows, lang)) if rows else None


def _state(status: ArticleStatus) -> str:
    """An article's state as the reader's language names it."""
    label = ARTICLE_LABELS.get(status.value, status.value)
    return gettext(label)
