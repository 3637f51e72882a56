from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from rarecare import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/rarecare/web/locale/vi/LC_MESSAGES/messages.po"


def test_every_user_facing_string_has_a_vietnamese_translation() -> None:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    wanted = {
        message[2]
        for message in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
    }
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"untranslated (run scripts/update_messages.sh): {missing}"


def test_it_serves_vietnamese_by_default_and_english_on_request(client: TestClient) -> None:
    assert "Đăng nhập" in client.get("/").text
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Log in" in english.text
    assert english.headers["content-language"] == "en"


def test_the_language_switch_sticks(client: TestClient) -> None:
    response = client.get("/lang/en?next=/care", follow_redirects=False)
    assert response.headers["location"] == "/care"
    assert "Treatment centres, long-term therapy plans" in client.get("/care").text
    client.get("/lang/vi")
    assert "Cơ sở điều trị" in client.get("/care").text


def test_the_language_switch_refuses_foreign_redirects(client: TestClient) -> None:
    response = client.get("/lang/en?next=//evil.example", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_negotiation_falls_back_to_the_default() -> None:
    assert i18n.negotiate("fr-FR,fr", "vi") == "vi"
    assert i18n.negotiate("en-US", "vi") == "en"
    assert i18n.negotiate(None, "en") == "en"
