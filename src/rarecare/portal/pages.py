"""The public portal's pages: no login, mobile first, cacheable, nothing about any patient."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from rarecare import i18n
from rarecare.geo.svg import MAP_H, MAP_W, outlines
from rarecare.i18n import N_
from rarecare.monitoring import events
from rarecare.network import directory
from rarecare.portal import media, public
from rarecare.portal import service as articles
from rarecare.portal.models import ArticleKind
from rarecare.suppression import SMALL
from rarecare.web.deps import SESSION_COOKIE as SESSION
from rarecare.web.deps import AppSettings, DbSession, Knowledge
from rarecare.web.site import Section
from rarecare.web.templating import is_partial, render

pages = APIRouter(include_in_schema=False)

SECTION = Section(
    key="public",
    title=N_("Public portal"),
    summary=N_(
        "Information on rare diseases for patients and families: diseases in Vietnamese, "
        "health insurance, treatment centres, how-to guides and news."
    ),
)

MAX_AGE = 300  # seconds a visitor's browser or a proxy may keep a public page


def cacheable(request: Request, response: Response) -> Response:
    """Public pages may be cached for a few minutes — unless someone is logged in (the page
    then shows their name and menu)."""
    if request.cookies.get(SESSION):
        response.headers["Cache-Control"] = "private, no-store"
    else:
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["Vary"] = "Cookie, Accept-Language, HX-Request"  # a search: page or fragment
    return response


def _page(request: Request, template: str, context: dict[str, object]) -> Response:
    return cacheable(request, render(request, template, context))


def _map() -> dict[str, object]:
    """What the centres map needs: the provinces drawn, its size, the level names."""
    return {
        "map_w": MAP_W,
        "map_h": MAP_H,
        "outlines": outlines(),
        "level_label": public.level_label,
    }


@pages.get("/public", response_class=HTMLResponse)
def home(request: Request, session: DbSession) -> Response:
    lang = i18n.current_locale.get()
    return _page(
        request,
        "portal_home.html",
        {
            "diseases": public.listed_diseases(session=session),
            "guides": articles.published(session=session, kind=ArticleKind.HOWTO, lang=lang)[:6],
            "posts": articles.published(session=session, kind=ArticleKind.POST, lang=lang)[:3],
        },
    )


@pages.get("/public/search", response_class=HTMLResponse)
def search(request: Request, session: DbSession, kb: Knowledge, q: str = "") -> Response:
    results = public.search(session=session, kb=kb, query=q)
    template = "_portal_results.html" if is_partial(request) else "portal_search.html"
    return _page(request, template, {"q": q, "results": results})


@pages.get("/public/diseases/{code}", response_class=HTMLResponse)
def disease(code: str, request: Request, session: DbSession, kb: Knowledge) -> Response:
    page = public.disease_page(session=session, kb=kb, code=code, lang=i18n.current_locale.get())
    return _page(
        request,
        "portal_disease.html",
        {"page": page, **_map()},
    )


@pages.get("/public/centres", response_class=HTMLResponse)
def centres(request: Request, session: DbSession, kb: Knowledge, centre: str = "") -> Response:
    """The centres, the centres of expertise with their designations, experts and tests, and
    the network map: where each designated centre's patients come from (counts under five
    shown as "<5", never drawn)."""
    entries = directory.entries(session=session, kb=kb)
    chosen = next((e for e in entries if e.centre.code == centre), None)
    return _page(
        request,
        "portal_centres.html",
        {
            "points": public.centres_directory(session=session),
            "entries": entries,
            "chosen": chosen,
            "small": SMALL,
            **_map(),
        },
    )


@pages.get("/public/guides", response_class=HTMLResponse)
def guides(request: Request, session: DbSession) -> Response:
    lang = i18n.current_locale.get()
    items = articles.published(session=session, kind=ArticleKind.HOWTO, lang=lang)
    return _page(request, "portal_list.html", {"kind": "howto", "items": items, "events": []})


@pages.get("/public/news", response_class=HTMLResponse)
def news(request: Request, session: DbSession) -> Response:
    lang = i18n.current_locale.get()
    items = articles.published(session=session, kind=ArticleKind.POST, lang=lang)
    recent = events.public_events(session=session, since=date.today() - timedelta(days=180))
    return _page(request, "portal_list.html", {"kind": "post", "items": items, "events": recent})


@pages.get("/public/pages/{slug}", response_class=HTMLResponse)
def article(slug: str, request: Request, session: DbSession) -> Response:
    item = articles.published_page(session=session, slug=slug, lang=i18n.current_locale.get())
    return _page(request, "portal_page.html", {"item": item})


@pages.get("/public/media/{name}")
def image(name: str, settings: AppSettings) -> Response:
    path, media_type = media.image_path(name, settings.uploads_dir / "portal")
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},  # named by content
    )


@pages.get("/sitemap.xml")
def sitemap(request: Request, session: DbSession) -> Response:
    base = str(request.base_url).rstrip("/")
    urls = "".join(
        f"<url><loc>{base}{path}</loc></url>" for path in public.sitemap_paths(session=session)
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    return cacheable(request, Response(body, media_type="application/xml"))


@pages.get("/robots.txt")
def robots(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    body = (
        "User-agent: *\nAllow: /public\nAllow: /diseases\nDisallow: /api/\n"
        "Disallow: /registry\nDisallow: /admin\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )
    return cacheable(request, Response(body, media_type="text/plain"))
