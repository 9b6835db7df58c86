"""site/_headers: which Content-Security-Policy each path gets, written by the build from what it wrote.

Netlify applies every header rule whose path matches, and where two set the same header its CDN may join
them into two policies, which the browser both enforces. So the strict policy cannot be on `/*` with a
looser one on `/admin/*`: the CMS would run under both. Instead each top-level file and folder the build
writes gets the strict policy by name, and /admin/ gets its own; a folder the build adds (a new province)
is covered by the next build, with no file to keep in step by hand. The headers that are the same
everywhere (nosniff, Referrer-Policy, …) and the cache rules stay in netlify.toml.

An address outside every top-level folder the site has (a mistyped /foo/) gets no CSP header: no rule can
name every path except one. It serves 404.html, which carries the strict policy in a <meta> element
(META_POLICY: a <meta> policy cannot say frame-ancestors, which X-Frame-Options: DENY in netlify.toml
covers on every path).
"""
from __future__ import annotations

import os
from pathlib import Path

# Every page: only our own scripts, styles, images and fonts; no inline script or style, no eval, no third
# parties, no plugins, no framing. The search page's engine (static/search/, index under /search/i/) needs
# nothing more. (Pagefind, if ever used instead, needs 'wasm-unsafe-eval' and data: images.)
STRICT = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
          "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
          "form-action 'self'; frame-ancestors 'none'")

# /admin/: what Decap CMS 3.16 needs, measured by running it in Chromium under the strict policy and adding
# a source only for a violation that stopped it (tests/test_admin_browser.py repeats the measurement):
#   script-src 'unsafe-eval'    ajv compiles the schema Decap checks its config.yml against (new Function);
#   style-src 'unsafe-inline'   its components are styled by emotion, which injects <style> elements;
#   connect-src localhost       `make cms`: it talks to decap-server on the editor's own machine, which
#                               is all this reaches; no third party.
# On the deployed site it talks to Netlify Identity and Git Gateway on the site's own origin ('self').
ADMIN = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
         "font-src 'self'; connect-src 'self' http://localhost:*; worker-src 'self'; "
         "manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

ADMIN_FOLDER = "admin"

META_POLICY = "; ".join(d for d in STRICT.split("; ") if not d.startswith("frame-ancestors"))


def headers_for(site: Path) -> bytes:
    return headers_file({entry.name: entry.is_dir() for entry in os.scandir(site)})


def headers_file(top_level: dict[str, bool]) -> bytes:
    """Netlify's _headers for the site's top-level names (name → is a folder)."""
    lines = ["# Written by build.py (archive/headers.py): the strict policy on every top-level name the",
             "# build wrote, a policy of its own on /admin/. Other headers are in netlify.toml.",
             "/", f"  Content-Security-Policy: {STRICT}"]
    for name, is_folder in sorted(top_level.items()):
        if name in (ADMIN_FOLDER, "_headers"):
            continue
        lines += [f"/{name}/*" if is_folder else f"/{name}", f"  Content-Security-Policy: {STRICT}"]
    if top_level.get(ADMIN_FOLDER):
        lines += [f"/{ADMIN_FOLDER}/*", f"  Content-Security-Policy: {ADMIN}", "  X-Robots-Tag: noindex, nofollow"]
    return ("\n".join(lines) + "\n").encode()
