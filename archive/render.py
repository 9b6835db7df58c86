"""Rendering: the Jinja2 environment (autoescape on), the text filters it needs, and fingerprinted assets.

Templates only loop and branch; everything they show is computed in `archive.pages`. The filters here
turn verbatim source text into safe HTML: redactions (`**`, `****` as printed) become styled spans, and
the Markdown body is rendered with every asterisk taken literally, because in these documents an asterisk
is always a redaction, never emphasis.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markdown
from jinja2.compiler import CodeGenerator
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape
from markupsafe import _escape_inner   # the C function behind escape(), without the Markup

_new_str = str.__new__

REDACTION = re.compile(r"\*{2,}")
REDACTION_TITLE = "原文此处隐去"


def _redaction_span(match: re.Match) -> str:
    # Entities, not asterisks: Markdown must not read the printed `**` as bold.
    stars = "&#42;" * len(match.group(0))
    return f'<span class="redacted" title="{REDACTION_TITLE}">{stars}</span>'


def redact(text: str) -> Markup:
    """Escape plain text and show printed redactions as redactions."""
    if "*" not in text:
        if type(text) is str:     # escape(text), without Markup's __new__ in Python: ~20 values a page
            return _new_str(Markup, _escape_inner(text))
        return escape(text)
    html = str(escape(text))
    html = REDACTION.sub(_redaction_span, html)
    return Markup(html.replace("*", "&#42;"))


_SAFE_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


def safe_url(url: str) -> bool:
    """True when a browser would see no scheme, or http(s)/mailto: entities decoded, controls and spaces dropped."""
    seen, previous = url, None
    while seen != previous:
        previous, seen = seen, html.unescape(seen)
    match = _SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", seen))
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


class _NeutraliseLinks(Treeprocessor):
    """`[x](javascript:…)`, `![x](data:…)`: the link or image stays as text, without the URL."""

    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                if attribute in element.attrib and not safe_url(element.attrib[attribute]):
                    del element.attrib[attribute]


class _SafeLinks(markdown.Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_NeutraliseLinks(md), "neutralise_links", 1)   # after inline (20)


_md = markdown.Markdown(extensions=[_SafeLinks()], output_format="html")
_MD_SPECIAL = re.compile(r"[_`\\]")
# Anything that could make Markdown do more than paragraphs: block markers at a line start, whitespace
# at either end of a line, inline syntax not escaped by `prepare`. Not `*` (`prepare` turns every asterisk
# into an entity or a redaction span, which Markdown passes through: a tenth of generated bodies start a
# line with a redaction), nor a number and a point not followed by a space ("1.加强", not a list item).
_MD_SYNTAX = re.compile(r"^(?:[-+>#=|]|\d+[.)](?![^ \t\n]))|^[ \t]|[ \t]$|\A\n|\n\Z|[\[\]!<&\t\r]", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n\n+")


def body_html(text: str) -> Markup:
    """The item body: Markdown with redactions handled first and stray markup characters taken literally."""
    text = text.strip("\n")      # blank lines around a body mean nothing to Markdown either
    prepared = prepare(text)
    if not _MD_SYNTAX.search(text):
        return Markup(plain_paragraphs(prepared))
    return Markup(markdown_html(prepared))


def prepare(text: str) -> str:
    # Escape &, <, > ourselves; Markdown then sees only entities and our spans (which it passes through).
    prepared = REDACTION.sub(_redaction_span, str(escape(text)))
    prepared = prepared.replace("*", "&#42;")
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", prepared)


def markdown_html(prepared: str) -> str:
    _md.reset()
    return _md.convert(prepared)


def plain_paragraphs(prepared: str) -> str:
    """What Markdown makes of text that is only paragraphs, at a fraction of its cost (most item bodies
    are plain paragraphs; tests check that both give the same HTML)."""
    return "\n".join(f"<p>{p}</p>" for p in _PARAGRAPH_BREAK.split(prepared) if p)


@dataclass(frozen=True)
class Asset:
    name: str          # as templates ask for it: "site.css", "search/search.js"
    path: str          # site-relative, fingerprinted: "static/site.3f2a1b9c.css"
    data: bytes


def fingerprint(static_dir: Path) -> dict[str, Asset]:
    """Every file under static/, renamed with a content hash so it can be cached forever."""
    assets = {}
    for file in sorted(p for p in static_dir.rglob("*") if p.is_file()):
        name = file.relative_to(static_dir).as_posix()
        data = file.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ext = file.name.partition(".")
        hashed = f"{stem}.{digest}.{ext}" if dot else f"{stem}.{digest}"
        parent = file.parent.relative_to(static_dir).as_posix()
        path = f"static/{hashed}" if parent == "." else f"static/{parent}/{hashed}"
        assets[name] = Asset(name, path, data)
    return assets


def escape_output(value) -> str:
    """What `markupsafe.escape` makes of a value printed by `{{ }}`, as a plain str: the same characters,
    without building a Markup object for each of the hundreds of values a page prints (a fifth of the CPU
    time of rendering item, list and department pages)."""
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is Markup:          # what `redact`, `body` and macros give: its __html__ is itself
        return value
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))


class _CodeGenerator(CodeGenerator):
    """Compiles `{{ value }}` to `environment.escape_output(value)` instead of `escape(value)`. A printed value
    only ever goes into the page's text (or a macro's or block's), which Jinja joins as str: whether a
    piece was Markup or str makes no difference to the bytes (tests/test_pages.py compares every template
    rendered both ways)."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return super()._output_child_pre(node, frame, finalize)
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)

    def visit_Output(self, node, frame) -> None:
        """Outside macros Jinja yields each printed value and each run of text on its own, and each yield
        travels up through the page's template, its base template and the join: one `{{ }}` cost as much
        as its value. A run of them between two tags is yielded here as one string, joined (`concat`, in
        every render function's preamble): the same pieces in the same order, evaluated in the same order."""
        if frame.buffer is not None or len(node.nodes) < 2:
            return super().visit_Output(node, frame)
        start = self.stream.tell()
        frame.buffer = _JOINED
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None
        self.stream.seek(start)
        code = self.stream.read()
        code = code.replace(f"{_JOINED}.extend((", "yield concat((", 1).replace(f"{_JOINED}.append(", "yield (", 1)
        assert _JOINED not in code
        self.stream.seek(start)
        self.stream.truncate()
        self.stream.write(code)


# A buffer name no generated code holds otherwise: a NUL in a template is escaped by repr() in its code.
_JOINED = "\x00joined\x00"


class Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator
    escape_output = staticmethod(escape_output)

    def make_globals(self, d):
        # A plain dict, not Jinja's ChainMap over the environment's globals: every `{% from … import %}`
        # of every render subtracts the imported template's globals' keys from the context's, which over
        # a ChainMap is a loop in Python. The globals are complete before the first template is loaded
        # (`environment()` below), so a copy sees them all.
        return {**self.globals, **(d or {})}

    def getattr(self, obj, attribute):
        # Contexts are plain dicts: read `row.title` as a key first. Faster than Jinja's failed getattr,
        # and a key named like a dict method (`items`, `count`) means the key, not the method.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(templates_dir: Path, assets: dict[str, Asset], site: dict) -> jinja2.Environment:
    env = Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,   # a missing context key is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,   # no stat of each template file per render: `serve` makes a new environment when one changes
    )

    def asset(name: str) -> str:
        try:
            return "/" + assets[name].path
        except KeyError:
            raise jinja2.TemplateError(f"no static asset {name!r} under static/") from None

    env.globals.update(asset=asset, site=site)
    env.filters.update(redact=redact, body=body_html)
    return env
