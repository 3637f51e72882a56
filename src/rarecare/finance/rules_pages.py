"""Editing the coverage rules in the browser: the rules in force as a form (rates, beneficiary
groups, the national list's rate and levels, referral factors, service fees, travel, the
catastrophic-spending rule, support programmes); saving publishes a new version from a date,
as the API does, refused when someone published another version since the form was opened."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rarecare.access import Principal, require_role
from rarecare.errors import RareCareError
from rarecare.finance import service
from rarecare.finance.coverage import SERVICE_FEES, CoverageRules
from rarecare.finance.schemas import RuleSetIn
from rarecare.i18n import _
from rarecare.web.deps import CurrentUser, DbSession
from rarecare.web.forms import FormFields, error_lines, invalid_as
from rarecare.web.templating import render

pages = APIRouter(include_in_schema=False)

LEVELS = tuple(SERVICE_FEES)
BLANK_ROWS = 2  # empty rows offered for new groups and programmes


def rules_form(rules: CoverageRules) -> dict[str, str]:
    """The form's fields for a rule set (what the page shows to edit)."""
    form: dict[str, str] = {
        "default_rate": f"{rules.default_rate:g}",
        "national_list_rate": f"{rules.national_list_rate:g}",
        "travel_vnd_per_km": f"{rules.travel_vnd_per_km:g}",
        "catastrophic_method": rules.catastrophic_method,
        "catastrophic_share": f"{rules.catastrophic_share:g}",
        "capacity_to_pay_share": f"{rules.capacity_to_pay_share:g}",
    }
    for level in LEVELS:
        form[f"national_list_level-{level}"] = "yes" if level in rules.national_list_levels else ""
        factor = rules.no_referral_factors.get(level)
        form[f"no_referral-{level}"] = "" if factor is None else f"{factor:g}"
        form[f"fee-{level}"] = f"{rules.service_fee_vnd.get(level, 0):g}"
    for i, group in enumerate(rules.groups):
        form[f"group-{i}-code"] = group.code
        form[f"group-{i}-label"] = group.label
        form[f"group-{i}-rate"] = f"{group.rate:g}"
        form[f"group-{i}-max_age_years"] = (
            "" if group.max_age_years is None else f"{group.max_age_years:g}"
        )
    for i, programme in enumerate(rules.programmes):
        form[f"programme-{i}-code"] = programme.code
        form[f"programme-{i}-label"] = programme.label
        form[f"programme-{i}-drugs"] = ", ".join(programme.drugs)
        form[f"programme-{i}-share"] = f"{programme.share:g}"
        form[f"programme-{i}-cap_vnd"] = (
            "" if programme.cap_vnd is None else f"{programme.cap_vnd:g}"
        )
    return form


def _indexes(form: dict[str, str], prefix: str) -> list[int]:
    """The row numbers of a repeated block the form has ("group-3-code": 3)."""
    return sorted({int(k.split("-")[1]) for k in form if k.startswith(f"{prefix}-")})


def _rows(form: dict[str, str], prefix: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The filled rows of a repeated block (a row without a code is left out: how a row is
    removed)."""
    rows = []
    for i in _indexes(form, prefix):
        row = {f: form.get(f"{prefix}-{i}-{f}", "").strip() for f in fields}
        if row["code"]:
            rows.append({k: v for k, v in row.items() if v != ""})
    return rows


def parse_rules_form(form: dict[str, str]) -> RuleSetIn:
    """The rule set the form describes (pydantic checks every value, naming the field)."""
    programmes = _rows(form, "programme", ("code", "label", "drugs", "share", "cap_vnd"))
    for programme in programmes:
        programme["drugs"] = [d.strip() for d in programme.get("drugs", "").split(",") if d.strip()]
    rules = {
        "default_rate": form.get("default_rate", ""),
        "national_list_rate": form.get("national_list_rate", ""),
        "national_list_levels": [
            level for level in LEVELS if form.get(f"national_list_level-{level}")
        ],
        "no_referral_factors": {
            level: form[f"no_referral-{level}"]
            for level in LEVELS
            if form.get(f"no_referral-{level}", "").strip()
        },
        "service_fee_vnd": {level: form.get(f"fee-{level}", "") for level in LEVELS},
        "travel_vnd_per_km": form.get("travel_vnd_per_km", ""),
        "catastrophic_method": form.get("catastrophic_method", ""),
        "catastrophic_share": form.get("catastrophic_share", ""),
        "capacity_to_pay_share": form.get("capacity_to_pay_share", ""),
        "groups": _rows(form, "group", ("code", "label", "rate", "max_age_years")),
        "programmes": programmes,
    }
    return RuleSetIn.model_validate(
        {
            "effective_from": form.get("effective_from", ""),
            "note": form.get("note", ""),
            "based_on": form.get("based_on") or None,
            "rules": rules,
        }
    )


def _editor(
    request: Request,
    user: Principal,
    session: DbSession,
    form: dict[str, str],
    errors: list[str],
    status: int = 200,
) -> HTMLResponse:
    groups, programmes = _indexes(form, "group"), _indexes(form, "programme")
    return render(
        request,
        "finance_rules.html",
        {
            "form": form,
            "errors": errors,
            "levels": LEVELS,
            "group_rows": range(max(groups, default=-1) + 1 + BLANK_ROWS),
            "programme_rows": range(max(programmes, default=-1) + 1 + BLANK_ROWS),
        },
        status_code=status,
    )


@pages.get("/finance/rules/edit", response_class=HTMLResponse)
def edit_rules(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    require_role(user, *service.RULE_EDITORS)
    version, rules = service.current_rules(session=session)
    form = rules_form(rules) | {
        "based_on": str(version),
        "effective_from": date.today().isoformat(),
        "note": "",
    }
    return _editor(request, user, session, form, [])


@pages.post("/finance/rules/edit", response_model=None)
def save_rules(
    request: Request, user: CurrentUser, session: DbSession, form: FormFields
) -> Response:
    """Publish the edited rules as a new version."""
    try:
        with invalid_as(_("The coverage rules were not saved.")):
            data = parse_rules_form(form)
        service.publish_rules(session=session, principal=user, data=data)
    except RareCareError as exc:
        session.rollback()
        return _editor(request, user, session, form, error_lines(exc), exc.status_code)
    return RedirectResponse("/finance?saved=1", status_code=303)
