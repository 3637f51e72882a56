"""The coverage rules edited in the browser: a new version from a date, as the API does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.finance import service
from rarecare.finance.coverage import CoverageRules
from rarecare.finance.rules_pages import parse_rules_form, rules_form
from tests.conftest import Cast, login


def _form(page: str) -> dict[str, str]:
    """The values of the editor's inputs (checked boxes and selected options included)."""
    form = dict(re.findall(r'<input (?:type="hidden" )?name="([^"]+)"[^>]*value="([^"]*)"', page))
    checked = re.findall(r'<input type="checkbox" name="([^"]+)" value="yes" checked', page)
    form |= dict.fromkeys(checked, "yes")
    form["catastrophic_method"] = re.findall(r'<option value="([a-z_]+)" selected', page)[0]
    return form


def test_the_form_round_trips_the_rules() -> None:
    rules = CoverageRules.model_validate(
        {
            "groups": [{"code": "children", "label": "Trẻ em", "rate": 100, "max_age_years": 6}],
            "no_referral_factors": {"national": 0.4},
            "programmes": [{"code": "ert", "label": "ERT", "drugs": ["a", "b"], "share": 50}],
        }
    )
    form = rules_form(rules) | {"effective_from": "2027-01-01"}
    assert parse_rules_form(form).rules == rules


def test_an_analyst_publishes_edited_rules_from_the_browser(
    client: TestClient, db: Session, cast: Cast
) -> None:
    login(client, "analyst")
    page = client.get("/finance/rules/edit")
    assert page.status_code == 200 and 'data-testid="rules-form"' in page.text
    form = _form(page.text) | {
        "csrf_token": client.headers["X-CSRF-Token"],
        "default_rate": "85",
        "group-0-code": "poor",
        "group-0-label": "Hộ nghèo",
        "group-0-rate": "100",
        "effective_from": "2027-01-01",
        "note": "Thông tư 2027",
    }
    saved = client.post("/finance/rules/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text[saved.text.find('role="alert"') :][:500]
    version, rules = service.current_rules(session=db, on=__import__("datetime").date(2027, 1, 1))
    assert version == 1 and rules.default_rate == 85
    assert [(g.code, g.rate) for g in rules.groups] == [("poor", 100)]


def test_the_editor_names_what_is_wrong_in_vietnamese_and_refuses_a_stale_form(
    client: TestClient, cast: Cast
) -> None:
    login(client, "analyst")
    form = _form(client.get("/finance/rules/edit").text) | {
        "csrf_token": client.headers["X-CSRF-Token"]
    }
    bad = client.post("/finance/rules/edit", data=form | {"default_rate": "150"})
    assert bad.status_code == 422 and "default_rate" in bad.text and "phải tối đa 100" in bad.text
    assert client.post("/finance/rules/edit", data=form, follow_redirects=False).status_code == 303
    stale = client.post("/finance/rules/edit", data=form)  # based on the version before
    assert stale.status_code == 409


def test_a_clinician_cannot_edit_the_rules(client: TestClient, cast: Cast) -> None:
    login(client, "clinician.a")
    assert client.get("/finance/rules/edit").status_code == 403
