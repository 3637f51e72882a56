"""The public portal's pages (SQLite and PostgreSQL): no login, search without diacritics, the
disease page joining the catalogue with the national list, the coverage rules in force, centres
and patient organisations; cacheable; a sitemap; and the editors' pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.demo.service import load_lists
from rarecare.finance.coverage import CoverageRules
from rarecare.finance.models import CoverageRuleSet
from rarecare.knowledge import KnowledgeBase
from rarecare.monitoring import service as monitoring
from rarecare.monitoring.models import OrgKind
from rarecare.monitoring.schemas import OrganisationIn
from rarecare.portal import service
from rarecare.portal.models import ArticleKind
from rarecare.portal.schemas import ArticleIn, ReviewIn
from tests.conftest import Cast, login


@pytest.fixture
def portal(db: Session, cast: Cast, kb: KnowledgeBase) -> None:
    """The demo lists, a rule set that covers listed diseases at 95 percent, a patient
    organisation and a published Vietnamese summary of Pompe disease."""
    load_lists(db, kb)
    db.add(
        CoverageRuleSet(
            version=3,
            effective_from=date(2025, 7, 1),
            rules=CoverageRules(national_list_rate=95).model_dump(mode="json"),
            created_by="t",
            created_at=datetime(2025, 7, 1, tzinfo=UTC),
        )
    )
    monitoring.create_organisation(
        session=db,
        principal=SYSTEM,
        data=OrganisationIn(
            code="VNRD",
            name="Hội Bệnh hiếm Việt Nam",
            kind=OrgKind.PATIENT_ORGANISATION,
            website="https://example.org",
        ),
    )
    article = service.create(
        session=db,
        principal=cast.analyst,
        data=ArticleIn(
            kind=ArticleKind.SUMMARY,
            slug="benh-pompe",
            orpha_code="ORPHA:365",
            title="Bệnh Pompe",
            body="Bệnh Pompe làm **yếu cơ** tiến triển. <script>alert(1)</script>",
            demo=True,
        ),
    )
    service.submit(session=db, principal=cast.analyst, article_id=article.id, review=ReviewIn())
    service.publish(session=db, principal=cast.admin, article_id=article.id, review=ReviewIn())
    db.flush()


def _vi(client: TestClient) -> None:
    client.get("/lang/vi")


def test_a_visitor_finds_pompe_without_diacritics(client: TestClient, portal: None) -> None:
    for query in ("benh pompe", "bệnh Pompe", "pompe"):
        page = client.get("/public/search", params={"q": query})
        assert page.status_code == 200
        assert 'href="/public/diseases/ORPHA:365"' in page.text, query
    for query in ("teo cơ", "teo co tuy song"):  # spinal muscular atrophy, by its Vietnamese name
        page = client.get("/public/search", params={"q": query})
        assert 'href="/public/diseases/ORPHA:70"' in page.text, query


def test_the_disease_page_shows_coverage_centres_and_organisations(
    client: TestClient, portal: None
) -> None:
    _vi(client)
    page = client.get("/public/diseases/ORPHA:365")
    assert page.status_code == 200
    html = page.text
    assert "Bệnh Pompe (thiếu hụt acid maltase)" in html
    assert "<strong>95%</strong>" in html  # from the rule set in force, not hard-coded
    assert "yếu cơ" in html and "<script>alert" not in html
    assert 'data-testid="centres-map"' in html and "Centre A" in html
    assert "Hội Bệnh hiếm Việt Nam" in html
    assert "Orphanet" in html
    assert 'data-testid="icd10"' in html and "E74.0" in html  # Orphanet's alignment (NTBT)
    assert 'property="og:title"' in html and '<meta name="description"' in html


def test_public_pages_need_no_login_and_may_be_cached(client: TestClient, portal: None) -> None:
    for path in ("/public", "/public/centres", "/public/guides", "/public/news", "/sitemap.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=300"
    sitemap = client.get("/sitemap.xml").text
    assert "/public/diseases/ORPHA:365" in sitemap


def test_a_logged_in_page_is_not_cached_for_others(
    client: TestClient, portal: None, cast: Cast
) -> None:
    login(client, "analyst")
    assert client.get("/public").headers["cache-control"] == "private, no-store"


def test_the_disease_page_in_english(client: TestClient, portal: None) -> None:
    client.get("/lang/en")
    html = client.get("/public/diseases/ORPHA:365").text
    assert "Health insurance" in html and "Where to be diagnosed and treated" in html


def test_editors_write_and_publish_from_the_browser(
    client: TestClient, portal: None, cast: Cast
) -> None:
    login(client, "analyst")
    created = client.post(
        "/portal/articles",
        data={
            "kind": "howto",
            "lang": "vi",
            "slug": "chuyen-tuyen",
            "title": "Chuyển tuyến",
            "body": "## Các bước\n\n1. Hỏi bác sĩ",
        },
    )
    assert created.status_code == 200 and "Chuyển tuyến" in created.text
    article_id = int(created.url.path.rsplit("/", 1)[1])
    client.post(f"/portal/articles/{article_id}/submit", data={"note": ""})
    own = client.post(f"/portal/articles/{article_id}/publish", data={"note": ""})
    assert own.status_code == 403  # four eyes
    login(client, "admin")
    client.post(f"/portal/articles/{article_id}/publish", data={"note": "OK"})
    page = client.get("/public/pages/chuyen-tuyen")
    assert page.status_code == 200 and "<h2>Các bước</h2>" in page.text


def test_centre_staff_cannot_open_the_editors_pages(
    client: TestClient, portal: None, cast: Cast
) -> None:
    login(client, "clinician.a")
    assert client.get("/portal/articles").status_code == 403
    assert (
        client.post(
            "/api/portal/articles",
            json={"kind": "post", "slug": "x-y", "title": "Tin"},
        ).status_code
        == 403
    )


def test_public_statistics_hide_small_counts_and_state_the_licence(
    client: TestClient, portal: None, db: Session, cast: Cast
) -> None:
    from rarecare.monitoring import indicators
    from rarecare.registry.models import DiagnosticStatus, Patient, Sex

    for n in range(3):  # three records in Hà Nội: a count to hide
        db.add(
            Patient(
                pseudonym=f"S{n}",
                centre_id=cast.centre_a,
                province_code="01",
                sex=Sex.FEMALE,
                birth_month=date(2015, 1, 1),
                diagnostic_status=DiagnosticStatus.SUSPECTED,
            )
        )
    db.flush()
    indicators.refresh(session=db, principal=SYSTEM, period="2026")
    page = client.get("/public/statistics")
    assert page.status_code == 200
    assert 'data-testid="province-bars"' in page.text
    row = page.text.split("Hà Nội</td>", 1)[1].split("</tr>", 1)[0]
    assert "&lt;5" in row and ">3<" not in row
    data = client.get("/public/statistics.csv")
    assert data.status_code == 200 and "CC BY 4.0" in data.text
    assert ",01,3," not in data.text and "<5" in data.text


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_editors_upload_images_checked_by_type_and_content(
    client: TestClient, portal: None, cast: Cast
) -> None:
    login(client, "analyst")
    article_id = client.get("/api/portal/articles").json()[0]["id"]
    fake = client.post(
        f"/portal/articles/{article_id}/image",
        files={"image": ("x.png", b"<svg onload='alert(1)'/>", "image/png")},
    )
    assert fake.status_code == 422 and "không đúng loại ảnh đã khai báo" in fake.text
    sent = client.post(
        f"/portal/articles/{article_id}/image", files={"image": ("a.png", PNG, "image/png")}
    )
    assert sent.status_code == 200
    address = sent.text.split("](/public/media/", 1)[1].split(")", 1)[0]
    served = client.get(f"/public/media/{address}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert client.get("/public/media/..%2Fsecret.png").status_code == 404
