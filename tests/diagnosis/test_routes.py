import re

from fastapi.testclient import TestClient

from tests.conftest import Cast, login


def test_the_rank_api_ranks_pompe_features_with_explanations(client: TestClient) -> None:
    # infantile Pompe disease: hypertrophic cardiomyopathy, hypotonia, macroglossia, hepatomegaly,
    # feeding difficulties, raised CK, respiratory insufficiency, cardiomegaly
    body = {
        "observed": [
            "HP:0001639",
            "HP:0001252",
            "HP:0000158",
            "HP:0002240",
            "HP:0011968",
            "HP:0003236",
            "HP:0002093",
            "HP:0001640",
        ],
        "excluded": ["HP:0001250"],
        "onset": "HP:0003593",
        "top": 3,
    }
    response = client.post("/api/diagnosis/rank", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    codes = [c for r in data["results"] for c in r["codes"]]
    assert {"OMIM:232300", "ORPHA:308552"} & set(codes)  # Pompe disease among the top 3
    first = data["results"][0]
    assert first["explanation"]["contributions"]
    assert 0 < first["probability"] <= 1
    assert data["candidates"] > 10000


def test_the_rank_api_names_unknown_and_non_phenotype_ids(client: TestClient) -> None:
    response = client.post(
        "/api/diagnosis/rank", json={"observed": ["HP:0001638", "HP:1234567", "HP:0000006"]}
    )
    assert response.status_code == 422
    messages = " ".join(d["message"] for d in response.json()["error"]["details"])
    assert "HP:1234567" in messages
    assert "HP:0000006" in messages and "kiểu di truyền" in messages  # in Vietnamese


def test_the_rank_api_refuses_an_empty_query(client: TestClient) -> None:
    assert client.post("/api/diagnosis/rank", json={"observed": []}).status_code == 422


def test_the_workbench_needs_a_login(client: TestClient) -> None:
    assert client.get("/diagnosis", follow_redirects=False).status_code == 303


def test_the_workbench_adds_terms_and_ranks(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    page = client.get("/diagnosis")
    assert page.status_code == 200
    suggestions = client.get("/diagnosis/terms", params={"q": "hypertrophic cardiomyopathy"}).text
    assert "HP:0001639" in suggestions
    panel = client.post(
        "/diagnosis/workbench", data={"add_observed": "HP:0001639", "observed": ["HP:0003198"]}
    )
    assert panel.status_code == 200
    assert re.search(r'name="observed" value="HP:0001639"', panel.text)
    assert 'data-testid="ranking"' in panel.text
    removed = client.post(
        "/diagnosis/workbench",
        data={"observed": ["HP:0001639", "HP:0003198"], "remove": "HP:0001639"},
    )
    assert 'value="HP:0001639"' not in removed.text


def test_the_workbench_suggests_what_to_ask_next_with_yes_and_no(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    panel = client.post(
        "/diagnosis/workbench",
        data={"observed": ["HP:0001638", "HP:0003198", "HP:0001252"]},
    )
    assert 'data-testid="questions"' in panel.text
    assert panel.text.count('data-testid="answer-yes"') == 5
    assert 'data-testid="plausible"' in panel.text
    ranked = client.post(
        "/api/diagnosis/rank",
        json={"observed": ["HP:0001638", "HP:0003198", "HP:0001252"], "questions": 3},
    ).json()
    assert len(ranked["questions"]) == 3
    assert all(q["gain"] > 0 and q["kind"] in ("test", "examine") for q in ranked["questions"])
    assert ranked["plausible"] >= 1
    assert all(0 < r["probability"] < 1 for r in ranked["results"])


def test_the_workbench_explains_each_match_in_vietnamese_with_vietnamese_numbers(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")  # Vietnamese is the default language
    panel = client.post(
        "/diagnosis/workbench",
        data={"observed": ["HP:0001638", "HP:0003198", "HP:0001252"], "onset": "0.5"},
    ).text
    assert "trùng khớp" in panel  # "exact match"
    assert "Giảm trương lực cơ (Hypotonia)" in panel  # HPO terms with their Vietnamese names
    for code in ("annotation-below", "annotation-above", "shared-ancestor", "not-annotated"):
        assert f"<td>{code}" not in panel
    assert "onset annotations" not in panel and "khởi phát của bệnh" in panel
    # log10 LRs with a decimal comma ("+0,83"), never a decimal point
    assert re.search(r"<td>[+-]\d+,\d\d</td>", panel)
    assert not re.search(r"<td>[+-]\d+\.\d\d</td>", panel)


def test_an_alternate_hpo_id_is_resolved_with_a_vietnamese_warning(
    client: TestClient, cast: Cast
) -> None:
    login(client, "clinician.a")
    ranked = client.post("/api/diagnosis/rank", json={"observed": ["HP:0004715"]}).json()
    assert any("là mã thay thế của HP:0000003" in w for w in ranked["warnings"]), ranked
