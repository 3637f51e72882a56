import re

from fastapi.testclient import TestClient

from tests.conftest import Cast, form_token, login

GOOD = "orpha_code,name_vi\nORPHA:365,Bệnh Pompe\nORPHA:355,Bệnh Gaucher\n"


def _new_draft(client: TestClient) -> int:
    response = client.post(
        "/api/lists/diseases/versions",
        json={
            "title": "Danh mục 2026",
            "decision_number": "9/QĐ-BYT",
            "effective_from": "2026-02-01",
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_the_ministry_imports_and_approves_through_the_api(client: TestClient, cast: Cast) -> None:
    login(client, "analyst")
    version_id = _new_draft(client)
    response = client.post(
        f"/api/lists/versions/{version_id}/import",
        files={"file": ("list.csv", GOOD.encode(), "text/csv")},
    )
    assert response.json()["added"] == 2
    assert client.post(f"/api/lists/versions/{version_id}/approve").status_code == 403  # 4 eyes
    client.post("/api/auth/logout", json={})
    login(client, "admin")
    assert client.post(f"/api/lists/versions/{version_id}/approve").json()["status"] == "approved"
    client.post("/api/auth/logout", json={})
    # the public now sees the approved list and the disease page shows it
    entries = client.get(f"/api/lists/versions/{version_id}/entries").json()
    assert {e["orpha_code"] for e in entries} == {"ORPHA:365", "ORPHA:355"}
    assert (
        client.get("/api/catalogue/diseases/ORPHA:365").json()["national_list"]["name_vi"]
        == "Bệnh Pompe"
    )
    assert (
        client.get("/api/catalogue/search", params={"q": "benh gaucher"}).json()[0]["code"]
        == "ORPHA:355"
    )


def test_a_bad_upload_answers_422_naming_rows_and_columns(client: TestClient, cast: Cast) -> None:
    login(client, "analyst")
    version_id = _new_draft(client)
    bad = "orpha_code,name_vi\nORPHA:0,x\nORPHA:365,\n"
    body = client.post(
        f"/api/lists/versions/{version_id}/import",
        files={"file": ("list.csv", bad.encode(), "text/csv")},
    ).json()
    assert [(d["row"], d["field"]) for d in body["error"]["details"]] == [
        (2, "orpha_code"),
        (3, "name_vi"),
    ]


def test_a_clinician_sees_no_drafts_and_cannot_create_one(client: TestClient, cast: Cast) -> None:
    login(client, "analyst")
    version_id = _new_draft(client)
    login(client, "clinician.a")
    assert client.get(f"/api/lists/versions/{version_id}").status_code == 404
    assert client.post("/api/lists/diseases/versions", json={"title": "mine"}).status_code == 403


def test_the_import_page_shows_every_error(client: TestClient, cast: Cast) -> None:
    login(client, "analyst")
    version_id = _new_draft(client)
    page = client.get(f"/lists/diseases/{version_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        f"/lists/diseases/{version_id}/import",
        data={"csrf_token": token.group(1)},
        files={"file": ("l.csv", b"orpha_code,name_vi\nORPHA:0,x\n", "text/csv")},
    )
    assert response.status_code == 422
    assert "dòng 2, orpha_code" in response.text


def test_templates_and_exports_download(client: TestClient, cast: Cast) -> None:
    csv = client.get("/lists/diseases/template.csv")
    assert csv.headers["content-disposition"].startswith("attachment")
    assert csv.content.decode("utf-8-sig").startswith("orpha_code,name_vi")
    xlsx = client.get("/api/lists/drugs/template.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_a_drafts_page_shows_what_approving_changes_and_who_may_approve(
    client: TestClient, cast: Cast
) -> None:
    login(client, "analyst")
    first = _new_draft(client)
    client.post(
        f"/api/lists/versions/{first}/import",
        files={"file": ("list.csv", GOOD.encode(), "text/csv")},
    )
    login(client, "admin")
    client.post(f"/api/lists/versions/{first}/approve")
    login(client, "analyst")
    second = _new_draft(client)
    shorter = "orpha_code,name_vi\nORPHA:365,Bệnh Pompe\nORPHA:70,Teo cơ tủy sống\n"
    client.post(
        f"/api/lists/versions/{second}/import",
        files={"file": ("list.csv", shorter.encode(), "text/csv")},
    )
    page = client.get(f"/lists/diseases/{second}").text
    pending = page.split('data-testid="pending-diff"', 1)[1].split("</section>", 1)[0]
    assert "− ORPHA:355" in pending and "+ ORPHA:70" in pending
    assert 'data-testid="approve" disabled' in page  # the analyst edited it last


def test_the_ministry_edits_a_drafts_details_and_deletes_it_from_its_page(
    client: TestClient, cast: Cast
) -> None:
    login(client, "analyst")
    version_id = _new_draft(client)
    url = f"/lists/diseases/{version_id}"
    page = client.get(url).text
    assert 'data-testid="edit-draft"' in page
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    form = {
        "csrf_token": form_token(page),
        "version": version[1],
        "title": "Danh mục 2026 (sửa)",
        "decision_number": "10/QĐ-BYT",
        "decision_date": "2026-01-20",
        "effective_from": "2026-03-01",
        "effective_to": "",
    }
    saved = client.post(f"{url}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    edited = client.get(url).text
    assert "Danh mục 2026 (sửa)" in edited and "01/03/2026" in edited
    # a second save from the page read before the first is refused, naming what changed
    stale = client.post(f"{url}/edit", data={**form, "title": "Khác"}, follow_redirects=False)
    assert stale.status_code == 409
    bad = client.post(f"{url}/edit", data={**form, "version": "", "title": "x"})
    assert bad.status_code == 422 and "title" in bad.text
    gone = client.post(
        f"{url}/delete", data={"csrf_token": form_token(edited)}, follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"].startswith("/lists/diseases?")
    assert client.get(url).status_code == 404


def test_a_clinician_cannot_edit_or_delete_a_draft(client: TestClient, cast: Cast) -> None:
    login(client, "analyst")
    version_id = _new_draft(client)
    login(client, "clinician.a")
    url = f"/lists/diseases/{version_id}"
    assert client.get(url).status_code == 404  # a draft is not shown outside the ministry
    token = form_token(client.get("/registry").text)
    for action in ("delete", "edit"):
        refused = client.post(f"{url}/{action}", data={"csrf_token": token, "title": "Khác"})
        assert refused.status_code in (403, 404)
