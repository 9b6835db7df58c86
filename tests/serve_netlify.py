#!/usr/bin/env python3
"""Serve a built site locally with exactly the headers netlify.toml gives it on Netlify.

    .venv/bin/python tests/serve_netlify.py [site] [--port 8000]

Tests use `serving(site_dir)`, a context manager that yields the base URL.

Rules come from netlify.toml and from the `_headers` file the build writes into the site (Netlify reads both).
What is emulated, following Netlify's own header parser (netlify/build, packages/headers-parser):
- every `[[headers]]` table is a rule; `for` becomes a case-insensitive regular expression anchored at
  both ends with an optional trailing slash: `*` as a whole segment matches anything (including nothing
  and further slashes), `*` inside a segment matches anything, `:name` matches one segment;
- a value that is a list is joined with ", "; commas inside a value are normalised to ", ";
- every matching rule applies, in file order. Where two matching rules set the same header, Netlify's
  local tools let the later one win but the CDN has been seen to join both values, so this server treats
  it as a configuration error: `conflicts()` reports it and the response carries the header
  `X-Netlify-Header-Conflict` naming it, which the header tests assert never happens;
- a response with no Cache-Control rule gets Netlify's default `public, max-age=0, must-revalidate`;
- `/a/` serves `a/index.html`, `/a` redirects to `/a/` when `a/` is a folder, a missing path serves
  `/404.html` with status 404 (headers chosen by the requested path, as on Netlify).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import io
import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NETLIFY_TOML = ROOT / "netlify.toml"
DEFAULT_CACHE_CONTROL = "public, max-age=0, must-revalidate"
CONFLICT_HEADER = "X-Netlify-Header-Conflict"

# Types Python's mimetypes may not know, or knows differently from Netlify; nosniff makes them matter.
TYPES = {
    ".html": "text/html; charset=UTF-8",
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".css": "text/css; charset=UTF-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=UTF-8",
    ".woff2": "font/woff2",
    ".yml": "text/yaml; charset=UTF-8",
}


@dataclass(frozen=True)
class Rule:
    pattern: str
    regexp: re.Pattern
    values: dict[str, str]


def _part(part: str) -> str:
    if part.startswith(":"):
        return "([^/]+)"
    if part == "*":
        return "?(.*)"
    if "*" in part:
        return "(.*)".join(re.escape(piece) for piece in part.split("*"))
    return re.escape(part)


def for_regexp(pattern: str) -> re.Pattern:
    parts = [p.rstrip() for p in pattern.strip().split("/")]
    body = "/".join(_part(p) for p in parts if p)
    return re.compile(f"^/{body}/?$", re.IGNORECASE)


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value)
    return re.sub(r"\s*,\s*", ", ", str(value).strip())


def load_rules(path: Path = NETLIFY_TOML) -> list[Rule]:
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = []
    for table in config.get("headers", []):
        values = {k.strip(): _value(v) for k, v in (table.get("values") or {}).items()}
        if values:
            rules.append(Rule(table["for"].strip(), for_regexp(table["for"]), values))
    return rules


def load_headers_file(path: Path) -> list[Rule]:
    """Rules from a `_headers` file in the publish folder (Netlify's format: a path line, then indented
    `Name: value` lines); the build writes the Content-Security-Policy rules there (archive/headers.py)."""
    rules: list[Rule] = []
    if not path.is_file():
        return rules
    pattern, values = None, {}
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.lstrip().startswith("#"):
            continue
        if line[:1].isspace() and line.strip():
            name, _, value = line.strip().partition(":")
            values[name.strip()] = _value(value)
            continue
        if pattern and values:
            rules.append(Rule(pattern, for_regexp(pattern), values))
        pattern, values = (line.strip() or None), {}
    return rules


def matching(rules: list[Rule], path: str) -> list[Rule]:
    return [rule for rule in rules if rule.regexp.match(path)]


def conflicts(rules: list[Rule], path: str) -> list[str]:
    """Header names set by more than one rule matching `path`."""
    seen: dict[str, str] = {}
    clashes = []
    for rule in matching(rules, path):
        for name in rule.values:
            if name.lower() in seen:
                clashes.append(f"{name} ({seen[name.lower()]} and {rule.pattern})")
            seen[name.lower()] = rule.pattern
    return clashes


def headers_for(rules: list[Rule], path: str) -> dict[str, str]:
    merged: dict[str, tuple[str, str]] = {}
    for rule in matching(rules, path):
        for name, value in rule.values.items():
            merged[name.lower()] = (name, value)
    headers = dict(merged.values())
    if "cache-control" not in merged:
        headers["Cache-Control"] = DEFAULT_CACHE_CONTROL
    clashes = conflicts(rules, path)
    if clashes:
        headers[CONFLICT_HEADER] = "; ".join(clashes)
    return headers


class Handler(http.server.SimpleHTTPRequestHandler):
    rules: list[Rule] = []
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, format, *args):   # quiet in tests
        if self.server.verbose:
            super().log_message(format, *args)

    def send_head(self):
        path = self.translate_path(self.path)
        if Path(path).name == "_headers":        # Netlify reads it, never serves it
            return self._not_found()
        if not Path(path).exists() and (Path(self.directory) / "404.html").is_file():
            return self._not_found()
        return super().send_head()

    def _not_found(self):
        page = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", TYPES[".html"])
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        return io.BytesIO(page)

    def end_headers(self):
        request_path = self.path.split("?", 1)[0].split("#", 1)[0]
        for name, value in headers_for(self.rules, request_path).items():
            self.send_header(name, value)
        super().end_headers()

    def guess_type(self, path):
        suffix = Path(str(path)).suffix.lower()
        return TYPES.get(suffix) or super().guess_type(path)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    verbose = False


def make_server(site: Path, port: int = 0, host: str = "127.0.0.1",
                config: Path = NETLIFY_TOML) -> Server:
    rules = load_headers_file(Path(site) / "_headers") + load_rules(config)
    handler = functools.partial(type("SiteHandler", (Handler,), {"rules": rules}), directory=str(site))
    return Server((host, port), handler)


@contextlib.contextmanager
def serving(site: Path, config: Path = NETLIFY_TOML):
    """Serve `site` on a free loopback port in a thread; yields the base URL ("http://127.0.0.1:N")."""
    server = make_server(Path(site), 0, config=config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "site")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--config", type=Path, default=NETLIFY_TOML)
    args = parser.parse_args()
    server = make_server(args.site, args.port, config=args.config)
    server.verbose = True
    print(f"serving {args.site} with {args.config.name} headers on http://127.0.0.1:{args.port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
