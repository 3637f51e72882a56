"""A live server (its own migrated SQLite database with the demo data) and Debian's Chromium
driven by Playwright. No browser is downloaded: scripts/install-chromium.sh installs the Debian
package, and ``make test`` runs it first."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import uvicorn

from rarecare.access import SYSTEM
from rarecare.app import create_app
from rarecare.config import Settings
from rarecare.demo import care as demo_care
from rarecare.demo import network as demo_network
from rarecare.demo import service as demo
from rarecare.knowledge import load_knowledge
from rarecare.monitoring import indicators
from rarecare.registry.vault import IdentityVault
from rarecare.storage import make_engine, make_sessionmaker
from rarecare.storage.migrate import upgrade
from tests.conftest import KNOWLEDGE_CACHE

CHROMIUM = os.environ.get("RARECARE_TEST_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var_dir: Path = tmp_path_factory.mktemp("live")
    KNOWLEDGE_CACHE.mkdir(parents=True, exist_ok=True)
    (var_dir / "cache").symlink_to(KNOWLEDGE_CACHE)  # share the warm knowledge and diagnosis caches
    settings = Settings(
        database_url=f"sqlite:///{var_dir / 'live.sqlite3'}", demo=True, var_dir=var_dir
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        kb = load_knowledge(settings.cache_dir)
        demo.load(session=session, kb=kb)
        vault = IdentityVault(settings.identity_key)
        demo_care.seed(session=session, kb=kb, vault=vault)
        demo_network.seed(session=session, kb=kb, vault=vault)
        for quarter in indicators.recent_quarters(date.today()):  # the dashboards' figures
            indicators.refresh(session=session, principal=SYSTEM, period=quarter)
        session.commit()
    engine.dispose()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (run scripts/install-chromium.sh)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    yield new_page
    context.close()
