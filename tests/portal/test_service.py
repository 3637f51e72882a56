"""The portal's editorial workflow (SQLite and PostgreSQL): draft → review → published, four
eyes, history, the live page unchanged until the next publication, sanitised Markdown."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from rarecare.errors import Conflict, PermissionDenied, ValidationFailed
from rarecare.portal import markdown, service
from rarecare.portal.models import ArticleKind, ArticleStatus
from rarecare.portal.schemas import ArticleIn, ArticleUpdate, ReviewIn
from tests.conftest import Cast

POMPE = ArticleIn(
    kind=ArticleKind.SUMMARY,
    slug="benh-pompe",
    orpha_code="365",
    title="Bệnh Pompe",
    body="**Bệnh Pompe** là bệnh di truyền hiếm gặp.\n\n<script>alert('x')</script>",
)


def _published(db: Session, cast: Cast) -> int:
    article = service.create(session=db, principal=cast.analyst, data=POMPE)
    service.submit(session=db, principal=cast.analyst, article_id=article.id, review=ReviewIn())
    service.publish(session=db, principal=cast.admin, article_id=article.id, review=ReviewIn())
    return article.id


def test_it_publishes_a_reviewed_article_with_its_history(db: Session, cast: Cast) -> None:
    article_id = _published(db, cast)
    article = service.get(session=db, principal=cast.admin, article_id=article_id)
    assert article.status == ArticleStatus.PUBLISHED
    assert (article.author, article.reviewer, article.orpha_code) == (
        "analyst",
        "admin",
        "ORPHA:365",
    )
    steps = [
        r.action for r in service.history(session=db, principal=cast.admin, article_id=article_id)
    ]
    assert steps == ["published", "submitted", "created"]
    summary = service.disease_summary(session=db, orpha_code="ORPHA:365", lang="vi")
    assert summary is not None and "<strong>Bệnh Pompe</strong>" in summary.body_html


def test_it_never_lets_a_script_in_markdown_reach_the_html(db: Session, cast: Cast) -> None:
    _published(db, cast)
    page = service.published_page(session=db, slug="benh-pompe", lang="vi")
    assert "<script" not in page.body_html and "&lt;script&gt;" in page.body_html
    html = str(markdown.to_html('[x](javascript:alert(1)) <img src=x onerror="alert(1)">'))
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert "onerror" not in html.replace('&lt;img src=x onerror="alert(1)"&gt;', "")
    assert "<img" not in html


def test_nobody_publishes_their_own_text(db: Session, cast: Cast) -> None:
    article = service.create(session=db, principal=cast.analyst, data=POMPE)
    service.submit(session=db, principal=cast.analyst, article_id=article.id, review=ReviewIn())
    with pytest.raises(PermissionDenied):
        service.publish(
            session=db, principal=cast.analyst, article_id=article.id, review=ReviewIn()
        )


def test_it_refuses_editing_to_centre_staff(db: Session, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        service.create(session=db, principal=cast.clinician_a, data=POMPE)
    with pytest.raises(PermissionDenied):
        service.articles(session=db, principal=cast.clinician_b)


def test_a_live_page_keeps_its_text_until_the_new_one_is_published(db: Session, cast: Cast) -> None:
    article_id = _published(db, cast)
    article = service.get(session=db, principal=cast.admin, article_id=article_id)
    service.update(
        session=db,
        principal=cast.analyst,
        article_id=article_id,
        data=ArticleUpdate(title="Bệnh Pompe (sửa)", body="Mới", version=article.row_version),
    )
    assert service.published_page(session=db, slug="benh-pompe", lang="vi").title == "Bệnh Pompe"
    service.submit(session=db, principal=cast.analyst, article_id=article_id, review=ReviewIn())
    service.publish(session=db, principal=cast.admin, article_id=article_id, review=ReviewIn())
    assert service.published_page(session=db, slug="benh-pompe", lang="vi").title == (
        "Bệnh Pompe (sửa)"
    )


def test_a_returned_article_needs_a_note_and_goes_back_to_draft(db: Session, cast: Cast) -> None:
    article = service.create(session=db, principal=cast.analyst, data=POMPE)
    service.submit(session=db, principal=cast.analyst, article_id=article.id, review=ReviewIn())
    with pytest.raises(ValidationFailed):
        service.return_to_author(
            session=db, principal=cast.admin, article_id=article.id, review=ReviewIn()
        )
    service.return_to_author(
        session=db, principal=cast.admin, article_id=article.id, review=ReviewIn(note="Rõ hơn")
    )
    assert article.status == ArticleStatus.DRAFT
    assert service.disease_summary(session=db, orpha_code="ORPHA:365", lang="vi") is None
    with pytest.raises(Conflict):  # a draft is not published without review
        service.publish(session=db, principal=cast.admin, article_id=article.id, review=ReviewIn())


def test_it_rejects_a_summary_without_a_disease_and_a_taken_address(
    db: Session, cast: Cast
) -> None:
    with pytest.raises(ValidationFailed) as failed:
        service.create(
            session=db,
            principal=cast.analyst,
            data=POMPE.model_copy(update={"orpha_code": None}),
        )
    assert [e.field for e in failed.value.details] == ["orpha_code"]
    service.create(session=db, principal=cast.analyst, data=POMPE)
    with pytest.raises(ValidationFailed) as taken:
        service.create(session=db, principal=cast.admin, data=POMPE)
    assert [e.field for e in taken.value.details] == ["slug"]
