"""Every page, for every role, in Vietnamese: the pages each demo login reaches by following
links are rendered, and no interface text may be left in English — any text on a page that is
an English message of the catalogue with a different Vietnamese translation was not
translated, and no date or decimal may be written the English way (2026-12-04, 0.5). Data
(disease names, HPO labels) is not in the catalogue and is not checked."""

from __future__ import annotations

import re
from collections import deque
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM
from rarecare.config import Settings
from rarecare.demo import care as demo_care
from rarecare.demo import service as demo
from rarecare.knowledge import KnowledgeBase
from rarecare.monitoring import indicators
from rarecare.registry.vault import IdentityVault

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/rarecare/web/locale/vi/LC_MESSAGES/messages.po"
SKIP = re.compile(r"^/(api|static|logout|lang)|\.(pdf|csv|xlsx|json|geojson|svg|zip)(\?|$)|/export")
# pages reached through a form or htmx rather than a link (a patient's id is the demo's first)
FORMS = (
    "/catalogue/search?q=pompe",
    "/diagnosis/terms?q=co+giat",
    "/registry/terms?q=yeu+co",
    "/public/search?q=pompe",
    "/portal/articles",
    "/lists/disease/diff",
    "/registry/patients/1/similar",
    "/registry/patients/1/diseases?q=fabry",
    "/registry/patients/999999",  # the not-found page
)
PER_PATTERN = 2  # pages of one shape (/registry/patients/{n}) visited per role
MAX_PAGES = 160  # per role


# numbers and dates written the English way: an ISO date, or a decimal point (Vietnamese groups
# thousands with "." in threes and writes decimals with ","; codes such as "G25.8" or "1p36.33"
# and versions such as "1.3.42" are not numbers)
ENGLISH_NUMBER = re.compile(
    r"\b(19|20)\d\d-[01]\d-[0-3]\d\b|(?<![\w.,])\d+\.(\d{1,2}|\d{4,})(?![\w.,])"
)
TASK_CODE = re.compile(r"^\d{1,2}\.\d{1,2} (?=·|\w)")  # a plan task's number before its title


LICENCE = re.compile(r"\bCC[\w -]*? \d\.\d\b")  # "CC BY 4.0" names a licence


def _english_number(text: str) -> bool:
    text = LICENCE.sub("", text)
    code = TASK_CODE.match(text)
    if code and (text[code.end()] == "·" or text[code.end()].isupper()):
        text = text[code.end() :]
    return bool(ENGLISH_NUMBER.search(text))


class _Text(HTMLParser):
    """The visible text of a page and the attributes a user reads; ``body`` the text of the
    page's content (not its title or footer, whose versions are release names)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.body: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._aside = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "footer"):
            self._aside += 1
        if tag in ("script", "style", "code", "pre"):
            self._hidden += 1
        for name, value in attrs:
            if value and name in ("placeholder", "title", "aria-label", "alt"):
                self.texts.append(value.strip())
            if tag == "a" and name == "href" and value and value.startswith("/"):
                self.links.append(value.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre") and self._hidden:
            self._hidden -= 1
        if tag in ("title", "footer") and self._aside:
            self._aside -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))
            if not self._aside:
                self.body.append(" ".join(data.split()))


def _english_messages() -> set[str]:
    """Catalogue messages whose Vietnamese differs from the English (placeholders excluded)."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    english: set[str] = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if msgid and "%(" not in msgid and message.string and message.string != msgid:
                english.add(" ".join(str(msgid).split()))
    return english


def _shape(path: str) -> str:
    return re.sub(r"\d+", "{n}", path.split("?")[0])


def _crawl(
    client: TestClient, english: set[str], broken: list[str]
) -> tuple[int, dict[str, set[str]]]:
    """Follow links from the home page and the pages behind forms; every page a link leads to
    must open for this role (``broken`` collects those that answer 4xx)."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    found: dict[str, set[str]] = {}
    queue = deque(["/", *FORMS])
    linked: set[str] = set()
    pages = 0
    while queue and pages < MAX_PAGES:
        path = queue.popleft()
        if path in seen or SKIP.search(path):
            continue
        seen.add(path)
        shape = _shape(path)
        if shapes.get(shape, 0) >= PER_PATTERN:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        pages += 1
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if path in linked and response.status_code >= 400:
            broken.append(f"{path}: {response.status_code}")
        parser = _Text()
        parser.feed(response.text)
        left = {t for t in parser.texts if t in english}
        left |= {t for t in parser.body if _english_number(t)}
        if left:
            found[path] = left
        fresh = [link for link in parser.links if link not in seen]
        linked.update(fresh)
        queue.extend(fresh)
    return pages, found


def test_every_page_renders_in_vietnamese_for_every_role(
    client: TestClient, db: Session, kb: KnowledgeBase, settings: Settings
) -> None:
    demo.load(session=db, kb=kb)
    demo_care.seed(session=db, kb=kb, vault=IdentityVault(settings.identity_key))
    indicators.refresh(
        session=db, principal=SYSTEM, period=indicators.recent_quarters(date.today())[-1]
    )
    db.flush()
    english = _english_messages()
    untranslated: dict[str, dict[str, set[str]]] = {}
    broken: dict[str, list[str]] = {}
    visited = {}
    for who in (None, *demo.DEMO_LOGINS):
        client.cookies.clear()
        if who is not None:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert token
            client.post(
                "/login",
                data={"username": who.username, "password": who.password, "csrf_token": token[1]},
            )
        name = who.username if who else "public"
        broken[name] = []
        visited[name], found = _crawl(client, english, broken[name])
        if found:
            untranslated[name] = found
    print(visited)
    assert all(n >= 5 for n in visited.values()), visited
    # a link a role is shown leads to a page that role may open
    assert not any(broken.values()), {k: v for k, v in broken.items() if v}
    lines = sorted(
        f"{text!r} on {path} ({role})"
        for role, pages in untranslated.items()
        for path, texts in pages.items()
        for text in texts
    )
    assert not lines, "untranslated interface text (or numbers and dates):\n" + "\n".join(lines)


def test_the_catalogue_has_no_untranslated_or_fuzzy_message() -> None:
    """What `pybabel compile --statistics` reports: every message translated, none fuzzy."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    messages = [m for m in catalog if m.id]
    assert [m.id for m in messages if m.fuzzy] == []
    assert [
        m.id
        for m in messages
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))
    ] == []
