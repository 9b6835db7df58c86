"""What a reader sees on an item page, as the search index and the evaluator both understand it.

The rules mirror /work/shared/search_eval/eval.py (`--pagefind-text`): the text of the element
carrying `data-pagefind-body`, minus `data-pagefind-ignore` subtrees, minus what a reader cannot
see (`hidden`, `aria-hidden="true"`, inline `display:none`), minus script/style/noscript/template
and nav/footer/form/label/svg/iframe. Block elements separate text so that a term cannot straddle
two paragraphs. Normalisation: NFKC, whitespace removed, case-folded.
"""
from __future__ import annotations

import html
import html.parser
import re
import unicodedata

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr"}
DROP = {"script", "style", "noscript", "template", "nav", "footer", "form", "label", "svg", "iframe"}
BLOCK = {"address", "article", "aside", "blockquote", "body", "br", "dd",
         "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption",
         "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
         "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
         "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
         "caption", "hgroup", "menu", "search"}
AUTOCLOSE = {"p", "li", "dt", "dd", "tr", "td", "th", "option"}
SEP = "\n"          # block separator in normalised text: never part of a query term
_WS = re.compile(r"\s+")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)


def norm(s: str) -> str:
    """NFKC, whitespace removed, case-folded: the form both index and query are compared in."""
    return _WS.sub("", unicodedata.normalize("NFKC", s)).casefold()


def _hidden(a: dict) -> bool:
    return ("hidden" in a
            or (a.get("aria-hidden") or "").strip().lower() == "true"
            or bool(_DISPLAY_NONE.search(a.get("style") or "")))


class _BodyText(html.parser.HTMLParser):
    _MARK = "\x00"   # block boundary while collecting; split on it afterwards

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []   # tag, in_body, excluded
        self.parts: list[str] = []
        self.has_body = False

    def _state(self):
        return self.stack[-1][1:] if self.stack else (False, False)

    def _pop_to(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK:
            self.parts.append(self._MARK)
        if tag in VOID:
            return
        if tag in AUTOCLOSE and self.stack and self.stack[-1][0] == tag:
            self._pop_to(tag)
        a = dict(attrs)
        in_body, excluded = self._state()
        if "data-pagefind-body" in a:
            in_body = self.has_body = True
        excluded = excluded or "data-pagefind-ignore" in a or tag in DROP or _hidden(a)
        self.stack.append((tag, in_body, excluded))

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK:
            self.parts.append(self._MARK)

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self.parts.append(self._MARK)
        if tag not in VOID:
            self._pop_to(tag)

    def handle_data(self, data):
        in_body, excluded = self._state()
        if in_body and not excluded:
            self.parts.append(data)


# The plain HTML our templates write: tags with quoted or bare attributes, comments, a doctype, text
# without a stray "<". A page made only of these is read by a regular expression at several times the
# speed of html.parser, calling the same handlers; any other page goes through html.parser
# (tests/test_search_text.py checks both give the same blocks on every page of real and generated sites).
_TOKEN = re.compile(r"""<(/?)([a-zA-Z][^\s/>]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(/?)>"""
                    r"|<!--.*?-->|<!doctype[^>]*>|([^<]+)", re.S | re.I)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_RAW = ("script", "style")       # html.parser reads these elements' content as text up to their end tag


def _fast_feed(p: "_BodyText", page_html: str) -> bool:
    """Feed `p` token by token; False (having fed part of the page) when the page is not plain."""
    at, end = 0, len(page_html)
    while at < end:
        m = _TOKEN.match(page_html, at)
        if m is None:
            return False
        at = m.end()
        closing, tag, attrs, selfclosing, text = m.groups()
        if text is not None:
            p.handle_data(html.unescape(text))
        elif tag is None:
            continue                                # comment or doctype
        elif closing:
            if attrs or selfclosing:
                return False
            p.handle_endtag(tag.lower())
        else:
            tag = tag.lower()
            found = [(a.lower(), html.unescape(v if v is not None else w if w is not None else b)
                      if (v, w, b) != (None, None, None) else None)
                     for a, v, w, b in _ATTR.findall(attrs)]
            if selfclosing:
                p.handle_startendtag(tag, found)
            else:
                p.handle_starttag(tag, found)
                if tag in _RAW:
                    close = page_html.lower().find(f"</{tag}", at)
                    if close < 0:
                        return False
                    if close > at:
                        p.handle_data(page_html[at:close])
                    at = close
    return True


def page_blocks(page_html: str) -> list[str] | None:
    """Visible text blocks inside `data-pagefind-body`, whitespace collapsed, not normalised.

    None when the page has no `data-pagefind-body` element (it is not an item page)."""
    p = _BodyText()
    if not _fast_feed(p, page_html):
        p = _BodyText()
        p.feed(page_html)
        p.close()
    return _blocks(p)


def page_blocks_slow(page_html: str) -> list[str] | None:
    """`page_blocks` through html.parser alone (the tests compare the two)."""
    p = _BodyText()
    p.feed(page_html)
    p.close()
    return _blocks(p)


def _blocks(p: "_BodyText") -> list[str] | None:
    if not p.has_body:
        return None
    out = []
    for chunk in "".join(p.parts).split(_BodyText._MARK):
        c = _WS.sub(" ", chunk).strip()
        if c:
            out.append(c)
    return out


def norm_blocks(blocks: list[str]) -> list[str]:
    """Normalised blocks, empty ones dropped. Normalising the joined text (as the evaluator does)
    and then splitting gives the same result, because the separator is inert under NFKC."""
    joined = norm("\x00".join(blocks).replace("\x00", "\u241e"))
    return [b for b in joined.split("\u241e") if b]
