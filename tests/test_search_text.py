"""The index stage's fast page reader and its numpy postings give exactly what the plain versions give."""
from __future__ import annotations

import random

from hypothesis import given, settings, strategies as st

from archive.search.postings import postings
from archive.search.text import SEP, _BodyText, _blocks, _body_only, _fast_feed, page_blocks, page_blocks_slow


def test_fast_reader_agrees_with_html_parser_on_every_page(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 300
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert page_blocks(text) == page_blocks_slow(text), page


def test_fast_reader_falls_back_on_html_it_does_not_know():
    odd = [
        '<div data-pagefind-body><p>a < b 和 c</p></div>',                          # a stray "<"
        '<div data-pagefind-body><p>甲<br/>乙</p><script>if (a<b) x()</script><p>丙</p></div>',
        '<div data-pagefind-body><p hidden>隐藏</p><p style="display: none">也隐藏</p><p>见</p></div>',
        "<div data-pagefind-body><p title='单引号'>文字&amp;&#x4e2d;</p><![CDATA[x]]><p>完</p></div>",
        '<DIV DATA-PAGEFIND-BODY><P>大写<LI>自动闭合<LI>第二项</DIV><footer>页脚</footer>',
        '<main><p>正文外</p></main>',
        '<div data-pagefİnd-body><p>İ 不是 i</p></div>',                              # no body attribute
        '<div data-pagefind-body><p>甲</p></div><!-- <div DATA-PAGEFIND-BODY> -->',   # a second mark, in a comment
        '<p>前</p><div Data-Pagefind-Body><p>乙</p><script>var a = "<p>"</script></div>',
        '<div data-pagefind-body><p>K 和 ſ</p><ſtyle>丙</ſtyle></div><ſcript>丁</ſcript>',
    ]
    for html in odd:
        assert page_blocks(html) == page_blocks_slow(html), html


def whole_page(html: str):
    p = _BodyText()
    assert _fast_feed(p, html, html.lower()) >= 0
    return _blocks(p)


def test_item_pages_are_read_from_their_body_alone(built_site):
    items = [page for page in sorted(built_site.rglob("*.html")) if "data-pagefind-body" in page.read_text("utf-8")]
    assert len(items) > 50
    for page in items:
        html = page.read_text(encoding="utf-8")
        body = _body_only(html, html.encode().lower())
        assert body is not None, page
        assert _blocks(body) == whole_page(html) == page_blocks_slow(html), page


PAGE = ('<!doctype html><html><head><script src="a.js"></script></head><body>{before}'
        '<main><article data-pagefind-body><p>甲</p><p hidden>藏</p><br>乙<li>丙<li>丁</article>{inside}</main>'
        '{after}</body></html>')


def test_body_alone_only_when_the_rest_of_the_page_cannot_change_the_blocks():
    cases = {   # (before, inside the main element after the body, after): whether the body alone is read
        ("<nav><p>导航</p></nav>", "", "<footer>页脚</footer><!-- 注 -->"): True,
        ("<div><p>未闭合", "", ""): True,                           # open elements before: kept on the stack
        ("<div hidden>", "", ""): False,                            # an excluded element around the body
        ('<div style="display:none">', "", ""): False,
        ("<div data-pagefind-ignore>", "", ""): False,
        ("<form>", "", ""): False,
        ("<!-- <p> -->", "", ""): False,                            # a comment before the body
        ("<style>p{}</style>", "", ""): False,                      # script or style content before it
        ("", "<p>后</p>", "<script>x()</script>"): False,            # a script after it
        ("", "", "<div data-pagefind-body>二</div>"): False,        # a second body
        ("", "", "<p>a < b</p>"): False,                            # not plain after it
        ("</br><br/>", "", "</article></p>"): True,
        ("<p>İ</p>", "", ""): True,                                 # "İ".lower() is two characters: no offset moves
        ("", "", "<!-- <script> -->"): True,                        # a script only in a comment after it
        ("", "", "<STYLE>p{}</STYLE>"): False,
    }
    for (before, inside, after), alone in cases.items():
        html = PAGE.format(before=before, inside=inside, after=after)
        body = _body_only(html, html.encode().lower())
        assert (body is not None) == alone, (before, inside, after)
        assert page_blocks(html) == page_blocks_slow(html), (before, inside, after)
        if body is not None:
            assert _blocks(body) == whole_page(html)


def test_a_page_without_a_body_attribute_is_not_parsed():
    assert page_blocks("<p>" + "字" * 100) is None
    assert page_blocks('<DIV DATA-PAGEFIND-BODY>大写</DIV>') == ["大写"] == page_blocks_slow('<DIV DATA-PAGEFIND-BODY>大写</DIV>')


def plain_postings(texts: list[str]) -> dict:
    """The loop the numpy version replaced: key → payload values, per item in order."""
    out: dict = {}
    for d, text in enumerate(texts):
        seen: dict = {}
        for i in range(len(text) - 1):
            if SEP not in text[i:i + 2]:
                seen.setdefault(text[i:i + 2], []).append(i)
        for c in set(text) - {SEP}:
            seen[c] = None
        for key, positions in seen.items():
            out.setdefault(key, []).append((d, positions))
    return out


def values_of(payload: bytes) -> list[int]:
    values, n, shift = [], 0, 0
    for byte in payload:
        n |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            values.append(n)
            n, shift = 0, 0
    return values


def decode(items: bytes, positions: bytes, bigram: bool, z: int | None) -> list:
    """(doc, positions) per item of a key, from its two payloads; checks each item's zone bits."""
    docs, doc, pos = [], 0, values_of(positions)
    at = 0
    for value in values_of(items):
        if not bigram:
            doc += value
            docs.append((doc, None))
            continue
        doc += value >> 2
        found, more = [], 1
        while more:
            more, x = pos[at] & 1, pos[at] >> 1
            at += 1
            found.append(found[-1] + x if found else (x >> 1 if x % 2 == 0 else -(x >> 1) - 1) + 2 * (z or 0))
        zones = (z is not None and any(p < z for p in found)) | (z is not None and any(z <= p < 2 * z for p in found)) << 1
        assert value & 3 == zones, (doc, found)
        docs.append((doc, found))
    assert at == len(pos)
    return docs


def test_postings_of_no_text_are_empty():
    for texts in ([], [""], ["", SEP]):
        assert len(postings(texts).keys) == 0
    assert len(postings(["", "a"]).keys) == 1


def test_numpy_postings_match_the_plain_loop(monkeypatch):
    rng = random.Random(5)
    alphabet = "养老服务建设社区医疗" + SEP + "ab1"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(300)]
    texts[7] = "长" * 300 + "𠀀𠀁" + "x" * 200          # positions past 127 and 16,383 need more varint bytes
    monkeypatch.setattr("archive.search.postings.PART_ENTRIES", 500)      # several parts, as at 100,000 items
    got = postings(texts)
    want = plain_postings(texts)
    assert len(got.keys) == len(want)
    for n, key in enumerate(got.keys.tolist()):
        cp1, cp2 = key >> 21, key & ((1 << 21) - 1)
        text = chr(cp1) + (chr(cp2) if cp2 else "")
        docs = decode(got.payload(n), got.positions(n), bool(cp2), None)
        assert docs == want[text] and got.ndocs[n] == len(docs), text


def test_zone_bits_say_whether_a_bigram_is_in_the_title_or_the_lead_names():
    """Texts are title zone + SEP + lead zone + SEP + body; positions count from 0, Z and 2·Z."""
    texts = ["养老服务" + SEP + "民政局" + SEP + "养老院民政", "" + SEP + "" + SEP + "服务民政局", "民政" + SEP + SEP + "民政"]
    z = 8
    got = postings(texts, zones=([4, 0, 2], [3, 0, 0], z))
    by_key = {chr(k >> 21) + chr(k & ((1 << 21) - 1)): n for n, k in enumerate(got.keys.tolist()) if k & ((1 << 21) - 1)}
    decode(got.payload(by_key["民政"]), got.positions(by_key["民政"]), True, z)     # checks the zone bits
    assert decode(got.payload(by_key["民政"]), got.positions(by_key["民政"]), True, z) == [
        (0, [z, 2 * z + 3]), (1, [2 * z + 2]), (2, [0, 2 * z])]
    assert [v & 3 for v in values_of(got.payload(by_key["民政"]))] == [2, 0, 1]
    assert [v & 3 for v in values_of(got.payload(by_key["养老"]))] == [1]


def test_the_build_indexes_what_the_render_workers_read_without_reading_pages_back(tmp_path, monkeypatch):
    """The blocks the render workers read as they write each page (article.rendered_text) give the index that reading
    every page back from the disk gives, and a build reads no item page back."""
    import shutil

    import archive.search_index as search_index
    from archive.validate import build_archive
    from conftest import AS_OF, ROOT, build_real_site

    read_back = []
    parse = search_index._page_blocks
    monkeypatch.setattr(search_index, "_page_blocks", lambda page: read_back.append(page) or parse(page))
    site = build_real_site(tmp_path / "site")
    assert read_back == []
    archive, _ = build_archive(ROOT, ROOT / "content", as_of=AS_OF)
    again = tmp_path / "again"
    shutil.copytree(site, again)
    search_index.build_index(archive, again)             # no writer, no cache, no texts: every page read back
    assert len(read_back) == len(archive.items) > 100
    index = site / "search" / "i"
    files = sorted(p.relative_to(index) for p in index.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again / "search" / "i") for p in (again / "search" / "i").rglob("*") if p.is_file())
    for name in files:
        assert (index / name).read_bytes() == (again / "search" / "i" / name).read_bytes(), name


def test_a_rendered_page_s_text_splits_into_the_blocks_the_page_has():
    from archive.search.article import rendered_text
    from archive.search.text import split_blocks
    pages = ['<main><div data-pagefind-body><p>甲 乙</p><p>丙</p></div></main>',
             '<div data-pagefind-body><p hidden>藏</p></div>',
             "<main><p>正文外</p></main>"]
    found = [rendered_text(html.encode()) for html in pages]
    assert found[2] is None and page_blocks(pages[2]) is None
    assert [split_blocks(f) for f in found[:2]] == [page_blocks(html) for html in pages[:2]] == [["甲 乙", "丙"], []]


# Characters around the full-width forms that NFKC treats specially: combining marks that compose with an
# ASCII letter or a kana (é, が), half-width katakana and voicing marks, Hangul jamo, ligatures, the
# separator of norm_blocks, whitespace, CJK and full-width ASCII.
_AROUND_WIDE = st.sampled_from(
    "aeEoO0 \t\n\u3000\u0301\u0308\u0327\u3099\u309a\uff76\uff9e\uff9f\u30ab\u1100\u1161\u11a8\ufb01\u2460"
    "\u241e\u00b5\u212b\u0130\u4e2d\u6587\uff0c\uff08\uff09\uff21\uff41\uff10\uff5e\uff01\uff3c\uff02")


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.lists(_AROUND_WIDE, max_size=40).map("".join)))
def test_nfkc_is_unicodedata_s(text):
    import unicodedata
    from archive.search.text import nfkc
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_each_wide_form_is_narrowed_to_its_nfkc():
    import unicodedata
    from archive.search.text import _NARROW, _WIDE
    for code in range(0x110000):
        c = chr(code)
        if _WIDE.fullmatch(c):
            assert _NARROW(c) == unicodedata.normalize("NFKD", c) == unicodedata.normalize("NFKC", c)
