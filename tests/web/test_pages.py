from fastapi.testclient import TestClient

from rarecare.app import SECTIONS

MODULES = [s.key for s in SECTIONS]


def test_healthz_answers_ok_with_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_the_home_page_links_every_module(client: TestClient) -> None:
    html = client.get("/").text
    for module in MODULES:
        assert f'href="/{module}"' in html


def test_every_module_has_a_page(client: TestClient) -> None:
    for module in MODULES:
        assert client.get(f"/{module}").status_code == 200


def test_the_api_docs_render_from_vendored_assets(client: TestClient) -> None:
    html = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "RareCare API"


def test_pages_load_no_third_party_assets(client: TestClient) -> None:
    html = client.get("/").text
    assert "http://" not in html.replace("http://www.w3.org", "")
    for asset in ("/static/app.css", "/static/vendor/htmx-2.0.11.min.js", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200


def test_the_footer_credits_every_knowledge_source(client: TestClient) -> None:
    html = client.get("/").text
    assert "Human Phenotype Ontology" in html
    assert "2025-01-16" in html
    assert "Orphanet" in html
    assert "www.orpha.net" in html
    assert "Mondo" in html


def test_responses_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-request-id"]
