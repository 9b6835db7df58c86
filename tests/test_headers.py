"""netlify.toml against what the build really writes, and every page type under its CSP in Chromium.

The site is served by tests/serve_netlify.py with exactly the [[headers]] rules parsed from netlify.toml
and the _headers file the build writes, so a CSP that blocks one of our own scripts, styles or fetches fails here, before a deploy.
"""
from __future__ import annotations

import html
import json
import re
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest

from archive.headers import ADMIN, STRICT
from serve_netlify import CONFLICT_HEADER, conflicts, headers_for, load_headers_file, load_rules

IMMUTABLE = "public, max-age=31536000, immutable"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{10}(\.[A-Za-z0-9]+)?$")    # archive/render.py: name.<sha256[:10]>.ext


def csp_directives(csp: str = STRICT) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in csp.split(";")) if d}


def site_rules(site: Path):
    """What Netlify applies to a deploy of `site`: its _headers (written by the build) and netlify.toml."""
    return load_headers_file(site / "_headers") + load_rules()


# --- the configuration -------------------------------------------------------------------------

def test_csp_allows_only_our_own_origin():
    csp = csp_directives()
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] in (["'self'"], ["'self'", "'wasm-unsafe-eval'"])   # the latter only for Pagefind
    assert csp["style-src"] == ["'self'"]
    assert set(csp["img-src"]) <= {"'self'", "data:"}
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    every_source = [s for sources in csp.values() for s in sources]
    for loose in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "blob:"):
        assert loose not in every_source, f"{loose} lets content or a third party run code"


def test_admin_policy_loosens_only_what_the_cms_was_measured_to_need():
    """tests/test_admin_browser.py runs Decap under the strict policy and records what it blocks."""
    strict, loose = csp_directives(STRICT), csp_directives(ADMIN)
    assert loose.keys() == strict.keys()
    added = {name: [s for s in loose[name] if s not in strict[name]] for name in loose}
    assert {name: extra for name, extra in added.items() if extra} == {
        "script-src": ["'unsafe-eval'"],                     # ajv compiles Decap's config schema
        "style-src": ["'unsafe-inline'"],                    # emotion injects <style> elements
        "connect-src": ["http://localhost:*"],               # decap-server on the editor's own machine
    }
    assert all(set(strict[name]) <= set(loose[name]) for name in strict)
    assert loose["frame-ancestors"] == ["'none'"] and loose["object-src"] == ["'none'"]
    for anywhere in ("*", "http:", "https:", "'unsafe-hashes'"):
        assert anywhere not in [s for sources in loose.values() for s in sources]


def test_every_path_gets_exactly_one_policy_and_the_other_headers(built_site):
    """Every file the build wrote (and mistyped addresses under its folders): the strict policy, except
    /admin/, which gets only its own; no header set twice on one path."""
    rules = site_rules(built_site)
    files = ["/" + p.relative_to(built_site).as_posix() for p in built_site.rglob("*")
             if p.is_file() and p.name != "_headers"]        # Netlify reads _headers, never serves it
    assert any(f.startswith("/admin/") for f in files), "the build writes /admin/"
    for path in files + ["/", "/shandong/weifang/2021-2/99/", "/search/?q=x", "/admin/", "/admin"]:
        headers = headers_for(rules, path.split("?")[0])
        expected = ADMIN if path.startswith("/admin") else STRICT
        assert headers.get("Content-Security-Policy") == expected, path
        assert conflicts(rules, path) == [], path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "interest-cohort" not in headers["Permissions-Policy"]   # Chromium logs an error for it
        assert (headers.get("X-Robots-Tag") == "noindex, nofollow") == path.startswith("/admin"), path


def test_an_address_outside_every_folder_gets_the_policy_from_the_404_page(built_site):
    """No rule can name every path but /admin/ (archive/headers.py), so such an address has no CSP header;
    the 404.html it serves carries the strict policy itself, before anything it loads."""
    rules = site_rules(built_site)
    assert "Content-Security-Policy" not in headers_for(rules, "/no-such-folder/")
    assert headers_for(rules, "/no-such-folder/")["X-Frame-Options"] == "DENY"
    head = (built_site / "404.html").read_text(encoding="utf-8").split("<link", 1)[0]
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
    assert found, "404.html has no policy before its first stylesheet"
    meta = csp_directives(html.unescape(found.group(1)))
    assert meta == {k: v for k, v in csp_directives(STRICT).items() if k != "frame-ancestors"}


def test_no_two_rules_set_one_header_on_one_path(built_site):
    """On Netlify's CDN two matching rules may join their values; one header, one rule."""
    rules = site_rules(built_site)
    for path in ("/", "/static/site.0123456789.css", "/static/search/engine.0123456789.js",
                 "/search/i/s/3.bin", "/pagefind/fragment/zh_1.pf_fragment", "/data/items.json", "/admin/config.yml"):
        assert conflicts(rules, path) == [], path


def test_cache_rules_match_what_the_build_writes(built_site):
    """Long-lived caching for exactly the fingerprinted files, and everything under /static/ is one."""
    rules = site_rules(built_site)
    files = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()]
    static = [f for f in files if f.startswith("static/")]
    assert static, "the build writes its assets under /static/"
    for file in files:
        if file == "_headers":
            continue
        cache = headers_for(rules, "/" + file)["Cache-Control"]
        if cache == IMMUTABLE:
            assert FINGERPRINTED.search(file), f"/{file} is cached for a year but its name has no content hash"
        elif file.startswith("static/"):
            pytest.fail(f"/{file} is under /static/ but not cached")
        else:
            assert "max-age=0" in cache and "must-revalidate" in cache, (file, cache)
    for file in static:
        assert FINGERPRINTED.search(file), f"/{file} is under /static/ (cached for a year) without a hash"


def test_served_headers_are_the_parsed_rules(site_url, built_site):
    for path in ("/", "/search/", "/data/items.json", "/no-such-page/", "/admin/", "/admin/config.yml"):
        try:
            response = urllib.request.urlopen(site_url + path)
        except HTTPError as error:
            response = error
        expected = headers_for(site_rules(built_site), path)
        for name, value in expected.items():
            assert response.headers[name] == value, (path, name)
        assert response.headers[CONFLICT_HEADER] is None


# --- every page type in Chromium ---------------------------------------------------------------

def page_types(site: Path) -> dict[str, str]:
    items = json.loads((site / "data" / "items.json").read_text(encoding="utf-8"))
    item = items[0]
    jurisdiction = f"/{item['jurisdiction']}/"

    def first_page(folder: str) -> str:
        found = sorted(p.parent for p in (site / folder).glob("*/index.html"))
        assert found, f"no pages under /{folder}/"
        return "/" + found[0].relative_to(site).as_posix() + "/"

    return {
        "home": "/",
        "jurisdiction": jurisdiction,
        "province": "/" + item["jurisdiction"].split("/")[0] + "/",
        "list": item["url"].rsplit("/", 2)[0] + "/",
        "item": item["url"],
        "departments": f"{jurisdiction}bumen/",
        "department": first_page(f"{item['jurisdiction']}/bumen"),
        "years": "/nian/",
        "year": f"/nian/{item['year']}/",
        "categories": "/fenlei/",
        "category": first_page("fenlei"),
        "source": first_page("yuanwen") + f"#L{item['source_lines'][0]}",
        "404": "/no-such-page/",
        "search": "/search/?q=" + urllib.request.quote(item["title"][:4]),
    }


RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""


def test_every_page_type_has_no_csp_violation_and_no_console_error(browser, site_url, built_site):
    failures = []
    for name, path in page_types(built_site).items():
        context = browser.new_context()
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        messages = []
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") or "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: messages.append(f"requestfailed: {r.url}"))
        response = page.goto(site_url + path, wait_until="networkidle")
        if name == "search":
            page.wait_for_selector("#search-results li", timeout=10_000)
        page.wait_for_timeout(200)
        violations = page.evaluate("window.__csp")
        expected_status = 404 if name == "404" else 200
        if name == "404":   # Chromium logs the document's own 404 status; that is the point of the page
            messages = [m for m in messages if "404" not in m]
        if response.status != expected_status:
            failures.append(f"{name} {path}: status {response.status}")
        if violations or messages:
            failures.append(f"{name} {path}: {violations + messages}")
        context.close()
    assert failures == []
