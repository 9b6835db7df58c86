"""An item page's text, read from its article by regular expressions: the render workers read every item
page they render (100,000 at the scale we aim for), and html.parser's token-by-token handlers, even written
out in one loop (text._fast_feed), were a third of a worker's time on an item page.

Item pages are rendered from templates/item.html on base.html: their searchable body is the one
`<article class="item" data-pagefind-body>`, and the elements open around it are html, body and main, none
of them excluded; our escaped values cannot open or close an element. So the page's blocks are the
article's: every tag inside it is block (a mark between blocks) or inline (nothing), and the text between is
visible unless an excluded element (text.DROP, `data-pagefind-ignore`, hidden) holds it. Where the article
holds anything else, or an excluded element is not closed as plainly as the templates close theirs, the
reader gives up (None) and the whole page is read. tests/test_page_text_paths.py holds the two to
html.parser's blocks on every item page of a generated site and on item pages with hostile fields.
"""
from __future__ import annotations

import html
import re

from .text import (_BODY_MARK, _END, _MARKS, _TAG, _WS, AUTOCLOSE, BLOCK, DROP, VOID, _attributes, _BodyText,
                   _hidden, page_text)

ITEM_TEMPLATE = "item.html"
_ITEM_BODY = '<article class="item" data-pagefind-body>'
_ITEM_END = "</article>"
MARK = _BodyText._MARK
JOIN = "\x01"     # where a tag stood between two runs of text: keeps their character references apart

# The regular expressions below are case-sensitive, at a fraction of the cost: the ones that look for names
# read the article lowercased, and the one that rewrites tags, an article whose tag names are lowercase.
# What the reader does not model: markup declarations, comments and processing instructions; script and style
# (html.parser reads their content as text); a second article or an end tag of an element open around the
# article (it would close the article early).
_UNMODELLED = re.compile(r"<(?:[!?]|/?(?:article|main|body|html|script|style)(?![^\s/>]))")
_UPPER_NAME = re.compile(r"</?[a-z0-9]*[A-Z]")
# Start tags, end tags and text without "<", as text._fast_feed reads them, and no "<" or ">" inside a tag (in a
# quoted attribute value: the templates escape both): a tag is then `<[^<>]*>`, a regular expression can
# replace every tag, and a position lies in a tag if no ">" follows the last "<" before it.
_VALUE = r"""(?>"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+)"""
_PLAIN = re.compile(rf"""(?><(?-i:[a-zA-Z])[^\s/>]*+(?>\s+[^\s"'>/=]+(?>\s*=\s*{_VALUE})?)*+\s*/?>|{_END}|[^<]+)*+""")
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(BLOCK))})(?![^\s/>])[^>]*>")
_ANY_TAG = re.compile(r"<[^>]*>")
# Where an excluded element may start: an attribute that can exclude (text._NOTABLE), or an excluded tag's name.
_MAY_EXCLUDE = re.compile(rf"data-pagefind|hidden|style|<(?:{'|'.join(sorted(DROP))})(?![^\s/>])")


def rendered_text(data: bytes, template: str | None = None) -> str | None:
    """A page's blocks joined by the mark that split them (text.split_blocks splits them again), read from
    its HTML as a render worker has it; None for a page without searchable text. `template`: the one the page
    was just rendered from (an item page's article is then read alone)."""
    folded = data.lower()       # attribute names as html.parser compares them (ASCII letters lowercased)
    if _BODY_MARK not in folded:
        return None
    page_html = data.decode()
    if template == ITEM_TEMPLATE and folded.count(_BODY_MARK) == 1:
        joined = item_text(page_html)
        if joined is not None:
            return joined
    return page_text(page_html, data)


def item_text(page_html: str) -> str | None:
    """An item page's blocks joined by the mark, or None when its article is not one this reader can be
    sure of. The caller has made sure that the page has one `data-pagefind-body`, lowercased."""
    start = page_html.find(_ITEM_BODY)
    end = page_html.find(_ITEM_END, start) if start >= 0 else -1
    if end < 0:
        return None
    inside = page_html[start + len(_ITEM_BODY):end]
    low = inside.lower()
    if (len(low) != len(inside) or "\x00" in inside or "\x01" in inside or _UNMODELLED.search(low)
            or _UPPER_NAME.search(inside) or not _PLAIN.fullmatch(inside)):
        return None         # (lowercasing lengthened a character: positions in `low` are not those of `inside`)
    pieces, at = [], 0
    for first, last in _excluded(inside, low):
        if first < 0:
            return None
        pieces.append(_tags_out(inside[at:first]))
        pieces.append(MARK if _BLOCK_TAG.search(inside, first, last) else JOIN)
        at = last
    pieces.append(_tags_out(inside[at:]))
    text = "".join(pieces)
    if "&" in text:
        text = html.unescape(text)
    return _MARKS.sub(MARK, _WS.sub(" ", text.replace(JOIN, ""))).strip(" " + MARK)


def _tags_out(part: str) -> str:
    """Block tags made marks, other tags (inline) made nothing: the text as html.parser's handlers collect it."""
    return _ANY_TAG.sub(JOIN, _BLOCK_TAG.sub(MARK, part))


def _excluded(inside: str, low: str):
    """(start, end) of each outermost excluded element in the article's content, in order; (-1, -1) for one
    the reader does not follow to its end. `low`: `inside` lowercased, of the same length."""
    after = 0
    for hit in _MAY_EXCLUDE.finditer(low):
        k = inside.rfind("<", 0, hit.start() + 1)
        if k < after or inside.find(">", k, hit.start()) >= 0:
            continue                        # inside an excluded element already, or in text
        m = _TAG.match(inside, k)
        closing, tag, attrs, selfclosing = m.groups()
        tag = tag.lower()
        if closing or selfclosing or tag in VOID:
            continue                        # nothing inside it to exclude
        if tag not in DROP:
            a = dict(_attributes(attrs))
            if "data-pagefind-ignore" not in a and not _hidden(a):
                continue
        after = _element_end(inside, m.end(), tag)
        yield (k, after) if after >= 0 else (-1, -1)
        if after < 0:
            return


def _element_end(inside: str, at: int, tag: str) -> int:
    """Where the element `tag` opened just before `at` ends, following html.parser's rules within it (text._pop_to,
    the autoclosing of p, li, …); -1 when it does not end inside the article, or an end tag inside it names an
    element opened outside it."""
    stack = [tag]
    for m in _TAG.finditer(inside, at):
        closing, name, _, selfclosing = m.groups()
        name = name.lower()
        if closing:
            if name in VOID:
                continue
            if name not in stack:
                return -1
            del stack[len(stack) - 1 - stack[::-1].index(name):]
            if not stack:
                return m.end()
        elif not selfclosing and name not in VOID:
            if name in AUTOCLOSE and stack[-1] == name:
                if len(stack) == 1:
                    return m.start()        # a <p> closes the <p> open before it: the new one is outside
                stack.pop()
            stack.append(name)
    return -1
