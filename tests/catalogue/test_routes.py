import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import Cast, login


def test_the_search_api_ranks_pompe_first_with_its_links(client: TestClient) -> None:
    hits = client.get("/api/catalogue/search", params={"q": "pompe"}).json()
    first = hits[0]
    assert first["code"] == "ORPHA:365"
    assert {"code": "OMIM:232300", "relation": "exact"}.items() <= first["equivalents"][0].items()
    assert "E74.0" in [x["code"] for x in first["icd10"]]


def test_the_disease_page_is_public_and_complete(client: TestClient) -> None:
    page = client.get("/diseases/ORPHA:365")
    assert page.status_code == 200
    for needle in (
        "Glycogen storage disease due to acid maltase deficiency",
        "OMIM:232300",
        "E74.0",
        "GAA",
        "Di truyền lặn nhiễm sắc thể thường",  # Orphanet's "Autosomal recessive", in Vietnamese
        "Rất thường gặp (80-99%)",  # the HPO frequency class, in Vietnamese
        "Orphanet, www.orpha.net",
        "HP:0001324",
    ):
        assert needle in page.text


def test_a_disease_known_only_by_name_shows_the_features_its_name_names(
    client: TestClient,
) -> None:
    detail = client.get("/api/catalogue/diseases/OMIM:621248").json()
    assert detail["name"] == "Pulmonary hypertension, primary, 7"
    assert detail["provisional"] is True
    assert detail["features"] == []
    assert [(f["hpo_id"], f["source"]) for f in detail["named_features"]] == [
        ("HP:0002092", "name")  # Pulmonary arterial hypertension
    ]
    page = client.get("/diseases/OMIM:621248")
    assert 'data-testid="provisional"' in page.text
    assert "Pulmonary arterial hypertension" in page.text


def test_an_unknown_disease_is_404(client: TestClient) -> None:
    assert client.get("/diseases/ORPHA:999999999").status_code == 404
    assert client.get("/api/catalogue/diseases/NOPE").json()["error"]["code"] == "not_found"


def test_instant_search_returns_a_fragment(client: TestClient) -> None:
    fragment = client.get("/catalogue/search", params={"q": "gaucher"}).text
    assert "<html" not in fragment
    assert "ORPHA:355" in fragment


def test_hpo_autocomplete_and_term_api(client: TestClient) -> None:
    hits = client.get("/api/hpo/search", params={"q": "hypertrophic cardiomyo"}).json()
    assert hits[0]["id"] == "HP:0001639"
    term = client.get("/api/hpo/terms/HP:0001639").json()
    assert term["phenotypic"] is True
    assert "HP:0001638" in [p["id"] for p in term["parents"]]


def test_stats_report_every_source_version(client: TestClient) -> None:
    stats = client.get("/api/catalogue/stats").json()
    assert stats["orpha_entities"] >= 9900
    assert set(stats["sources"]) == {"hpo", "orphanet", "mondo", "icd10"}


def test_a_clinician_cannot_import_official_mappings(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    response = client.post(
        "/api/catalogue/official-mappings", files={"file": ("p.xml", b"<JDBOR/>", "text/xml")}
    )
    assert response.status_code == 403


def test_the_ministry_imports_official_mappings_from_the_catalogue_page(
    client: TestClient, cast: Cast
) -> None:
    login(client, "analyst")
    page = client.get("/catalogue").text
    assert 'data-testid="official-mappings"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    fixture = (Path(__file__).parent / "fixtures" / "en_product1_small.xml").read_bytes()
    done = client.post(
        "/catalogue/official-mappings",
        data={"csrf_token": token[1]},
        files={"file": ("en_product1.xml", fixture, "text/xml")},
    )
    assert done.status_code == 200 and 'data-testid="official-imported"' in done.text
    assert "Orphadata 1.3.40" in client.get("/catalogue").text  # what is in use now
    bad = client.post(
        "/catalogue/official-mappings",
        data={"csrf_token": token[1]},
        files={"file": ("x.xml", b"<root/>", "text/xml")},
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    login(client, "clinician.a")
    assert 'data-testid="official-mappings"' not in client.get("/catalogue").text
