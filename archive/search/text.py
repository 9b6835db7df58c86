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
    return _WS.sub("", nfkc(s)).casefold()


# The full-width ASCII forms and the ideographic space, each with its compatibility decomposition (one
# ASCII character). In our pages' text they are nearly all NFKC changes (，（）: three a page), yet they make
# unicodedata.normalize decompose and compose the whole text, ~100 ns a character (~30 µs an item page).
_WIDE = re.compile("[\u3000\uff01-\uff5e]")
_NARROW = {c: unicodedata.normalize("NFKD", c) for c in map(chr, (0x3000, *range(0xFF01, 0xFF5F)))}.__getitem__


def nfkc(s: str) -> str:
    """`unicodedata.normalize("NFKC", s)`. Replacing a character by its full compatibility decomposition
    leaves a text's NFKD, hence its NFKC, as it was; a text NFKC's quick check then finds normalised is
    its own NFKC (tests/test_search_text.py compares the two on random text)."""
    if _WIDE.search(s):
        s = _WIDE.sub(lambda m: _NARROW(m.group()), s)
    return s if unicodedata.is_normalized("NFKC", s) else unicodedata.normalize("NFKC", s)


def _hidden(a: dict) -> bool:
    return ("hidden" in a
            or (a.get("aria-hidden") or "").strip().lower() == "true"
            or bool(_DISPLAY_NONE.search(a.get("style") or "")))


def _pop_to(stack: list, tag: str) -> None:
    """Close the innermost open `tag` and everything opened inside it (nothing if none is open)."""
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == tag:
            del stack[i:]
            return


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
        _pop_to(self.stack, tag)

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
# A tag starts only at an ASCII letter, as for html.parser: `(?-i:…)`, because under re.I `[a-zA-Z]` also
# takes ſ and K (U+017F, U+212A), and `<ſtyle>` is text to html.parser.
_TOKEN = re.compile(r"""<(/?)((?-i:[a-zA-Z])[^\s/>]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(/?)>"""
                    r"|<!--.*?-->|<!doctype[^>]*>|([^<]+)", re.S | re.I)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_RAW = ("script", "style")       # html.parser reads these elements' content as text up to their end tag


# Only these attributes change what is collected (_BodyText.handle_starttag): a tag whose attributes
# mention none of them is fed without its attributes, which are then not parsed at all.
_NOTABLE = re.compile(r"data-pagefind|hidden|style", re.I)


def _fast_feed(p: "_BodyText", page_html: str, lower: str | None, at: int = 0, body_only: bool = False) -> int:
    """Feed `p` token by token from `at`; -1 (having fed part of the page) when the page is not plain, or
    holds a script or style element and `lower` (`page_html.lower()`) is not given.
    Returns where it stopped: the end, or with `body_only` the end of the tag that closed the body.

    _BodyText's handlers written out in the loop (a call and a dict per tag were two thirds of its cost);
    tests/test_search_text.py holds the two to the same blocks."""
    end = len(page_html)
    stack, parts, match, mark = p.stack, p.parts, _TOKEN.match, _BodyText._MARK
    in_body, excluded = p._state()       # of the innermost open element: what text goes where
    while at < end:
        m = match(page_html, at)
        if m is None:
            return -1
        at = m.end()
        closing, tag, attrs, selfclosing, text = m.groups()
        if text is not None:
            if in_body and not excluded:                       # as handle_data, with the charrefs converted
                parts.append(html.unescape(text) if "&" in text else text)
            continue
        if tag is None:
            continue                                # comment or doctype
        tag = tag.lower()
        if tag in BLOCK:
            parts.append(mark)
        if closing:                                 # as handle_endtag
            if attrs or selfclosing:
                return -1
            if tag not in VOID:
                _pop_to(stack, tag)
                in_body, excluded = stack[-1][1:] if stack else (False, False)
        elif not selfclosing and tag not in VOID:   # as handle_starttag (a self-closing tag only marks)
            if tag in AUTOCLOSE and stack and stack[-1][0] == tag:
                stack.pop()
                in_body, excluded = stack[-1][1:] if stack else (False, False)
            if attrs and _NOTABLE.search(attrs):
                a = dict(_attributes(attrs))
                if "data-pagefind-body" in a:
                    in_body = p.has_body = True
                excluded = excluded or "data-pagefind-ignore" in a or tag in DROP or _hidden(a)
            else:
                excluded = excluded or tag in DROP
            stack.append((tag, in_body, excluded))
            if tag in _RAW:
                close = lower.find(f"</{tag}", at) if lower is not None else -1
                if close < 0:
                    return -1
                if close > at and in_body and not excluded:
                    parts.append(page_html[at:close])
                at = close
        if body_only and not in_body:
            return at
    return at


def _attributes(attrs: str) -> list:
    return [(a.lower(), html.unescape(v if v is not None else w if w is not None else b)
             if (v, w, b) != (None, None, None) else None)
            for a, v, w, b in _ATTR.findall(attrs)]


def page_blocks(page_html: str) -> list[str] | None:
    """Visible text blocks inside `data-pagefind-body`, whitespace collapsed, not normalised.

    None when the page has no `data-pagefind-body` element (it is not an item page)."""
    joined = page_text(page_html)
    if joined is None:
        return None
    return joined.split(_BodyText._MARK) if joined else []


def page_text(page_html: str, data: bytes | None = None) -> str | None:
    """`page_blocks` joined by the mark that separated them (what article.rendered_text gives), without the list.
    `data`: the page's UTF-8 bytes, when the caller has them (else they are encoded here)."""
    folded = (page_html.encode("utf-8", "surrogatepass") if data is None else data).lower()
    if _BODY_MARK not in folded:
        return None         # attribute names are compared lowercased: no such attribute anywhere
    p = _body_only(page_html, folded)
    if p is None:
        lower = page_html.lower()
        p = _BodyText()
        if _fast_feed(p, page_html, lower) < 0:
            p = _BodyText()
            p.feed(page_html)
            p.close()
    return _joined(p)


# Reading only the body element. Before it, a page can only contribute its open elements (text outside
# the body is not collected, and block marks before any text make no block); after it, nothing, when the
# body is the page's only one. So for a page whose other parts are plain, simple HTML (checked by a
# regular expression at C speed), the body alone is fed, with the open elements before it on the stack,
# and the result is the whole page's. Any doubt (a comment or script content before the body, a script
# after it, an excluded element around it, a second body) reads the whole page instead.
_START = r"""<(?-i:[a-zA-Z])[^\s/>]*+(?>\s+[^\s"'>/=]+(?>\s*=\s*(?>"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*+\s*/?>"""
_END = r"</(?-i:[a-zA-Z])[^\s/>]*+\s*>"
_BEFORE = re.compile(rf"(?>{_START}|{_END}|<!doctype[^>]*>|[^<]+)*+", re.I)
_AFTER = re.compile(rf"(?>(?!<(?:script|style))(?:{_START})|{_END}|<!--.*?-->|<!doctype[^>]*>|[^<]+)*+", re.I | re.S)
_BODY_MARK = b"data-pagefind-body"
_TAG = re.compile(_TOKEN.pattern.split("|<!--")[0], re.S | re.I)


def _body_only(page_html: str, folded: bytes):
    """A _BodyText fed with the body element alone, or None when that might not give the page's blocks.

    `folded`: the page's UTF-8 bytes with ASCII letters lowercased (`bytes.lower`, a fraction of the cost of
    `str.lower` on a page of CJK text). They hold `data-pagefind-body` as often as `page_html.lower()` does:
    in UTF-8 an ASCII byte is only ever that character, and of all other characters `str.lower` makes
    ASCII letters only of K (U+212A, no k in it) and İ, whose i it follows with a combining dot."""
    if folded.count(_BODY_MARK) != 1:
        return None
    k = page_html.find("data-pagefind-body")
    if k < 0:
        return None         # the one attribute is not written in lowercase: the whole page is read
    start = page_html.rfind("<", 0, k)
    body = _TAG.match(page_html, start) if start >= 0 else None
    if body is None or body.end() <= k or body.group(1) or body.group(4) or not _BEFORE.fullmatch(page_html, 0, start):
        return None
    p = _BodyText()
    if not _open_elements(p, page_html, start):
        return None
    stop = _fast_feed(p, page_html, None, start, body_only=True)
    if stop < 0 or not p.has_body:
        return None
    return p if _AFTER.fullmatch(page_html, stop) else None     # (which takes no script or style start tag)


# A script or style start tag before the body that its end tag does not follow at once: html.parser reads
# its content as text, which _TAG would read as tags. (A match inside an attribute value is only a false
# alarm: the whole page is then read.)
_RAW_CONTENT = re.compile(r"""<(script|style)(?>\s+[^\s"'>/=]+(?>\s*=\s*(?>"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*+\s*>"""
                          r"(?!</\1\s*>)", re.I)


def _open_elements(p: "_BodyText", page_html: str, upto: int) -> bool:
    """Put on p's stack the elements open at `upto`, as _fast_feed would have; False if one of them is
    excluded, or a script or style element before it has content."""
    if _RAW_CONTENT.search(page_html, 0, upto):
        return False
    open_: list[tuple[str, str]] = []
    for closing, tag, attrs, selfclosing in _TAG.findall(page_html, 0, upto):
        tag = tag.lower()
        if closing:
            if tag not in VOID:
                _pop_to(open_, tag)
        elif not selfclosing and tag not in VOID:
            if tag in AUTOCLOSE and open_ and open_[-1][0] == tag:
                open_.pop()
            open_.append((tag, attrs))
    for tag, attrs in open_:
        a = dict(_attributes(attrs))
        if tag in DROP or "data-pagefind-ignore" in a or _hidden(a):
            return False
        p.stack.append((tag, False, False))
    return True


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


# Once whitespace is collapsed (no run of it crosses a mark: the mark is not whitespace), what `_blocks`
# does chunk by chunk — strip each, drop the empty ones, join by the mark — is this substitution and a strip
# over the whole text, in C (a sixth of reading an item page, done in Python).
_MARKS = re.compile(rf"[ {_BodyText._MARK}]*{_BodyText._MARK}[ {_BodyText._MARK}]*")


def _joined(p: "_BodyText") -> str | None:
    """`_MARK.join(_blocks(p))`."""
    if not p.has_body:
        return None
    mark = _BodyText._MARK
    return _MARKS.sub(mark, _WS.sub(" ", "".join(p.parts))).strip(" " + mark)


def norm_blocks(blocks: list[str]) -> list[str]:
    """Normalised blocks, empty ones dropped. Normalising the joined text (as the evaluator does)
    and then splitting gives the same result, because the separator is inert under NFKC."""
    joined = norm("\x00".join(blocks).replace("\x00", "\u241e"))
    return [b for b in joined.split("\u241e") if b]


def split_blocks(joined: str) -> list[str]:
    """The blocks of a text `page_text` gave (joined by the mark that separated them)."""
    return joined.split(_BodyText._MARK) if joined else []
