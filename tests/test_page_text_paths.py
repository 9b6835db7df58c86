"""The fast readers of a page's text (archive/search/text.py: the body alone, the regular-expression
tokenizer) give exactly html.parser's blocks: on every page of a generated site, and on item pages whose
fields hold hostile text (markup characters, comments, CDATA ends, entities, CJK)."""
from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from archive.commands.build import STATIC, TEMPLATES, site_config, topics_file
from archive.pages import load_topics, plan
from archive.render import environment, fingerprint
from archive.search.article import ITEM_TEMPLATE, item_text, rendered_text
from archive.search.text import _body_only, _blocks, page_blocks, page_blocks_slow
from archive.validate import build_archive
from archive.workers import render
from contentfixture import ROOT


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Every page of a generated corpus's plan, with the environment to render more."""
    root = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "300", str(root), "--seed", "3"],
                   check=True, capture_output=True)
    archive, _ = build_archive(root, root / "content")
    env = environment(TEMPLATES, fingerprint(STATIC), site_config())
    pages = plan(archive, load_topics(topics_file(root)), root, set(env.list_templates(extensions=["html"])),
                 lambda: {})
    return env, [p for p in pages if p.url != "/data/"]


def test_every_page_of_a_generated_site(generated):
    env, pages = generated
    items = 0
    for page in pages:
        html = render(env, page).decode()
        assert page_blocks(html) == page_blocks_slow(html), page.url
        if page.template == ITEM_TEMPLATE:
            items += 1
            assert _body_only(html, html.encode().lower()) is not None, page.url     # the fast path is the one taken
            assert item_text(html) is not None, page.url     # and the render worker's
            assert_worker_reads(html, page.template)
    assert items >= 300


def assert_worker_reads(html: str, template: str) -> None:
    """What a render worker hands the index for this page is html.parser's blocks of the whole page."""
    blocks = page_blocks_slow(html)
    assert rendered_text(html.encode(), template) == (None if blocks is None else "\x00".join(blocks))


HOSTILE = st.lists(st.sampled_from(list("<>&\"' \n\t*_`[]!#-=|:;/")) | st.sampled_from(
    ["<!--", "-->", "]]>", "<![CDATA[", "<script>", "</script>", "</article>", "<p hidden>", "&amp;", "&lt;",
     "&#x4e2d;", "&#20013;", "&nbsp;", "民生", "實事", "ｆｕｌｌ", "İ", "\u3000", "**", "****"]) | st.text(max_size=3),
    max_size=20).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=HOSTILE, body=HOSTILE, category=HOSTILE, status=HOSTILE, note=HOSTILE, place=HOSTILE)
def test_item_pages_with_hostile_fields(generated, title, body, category, status, note, place):
    env, pages = generated
    page = next(p for p in pages if p.template == "item.html")
    context = copy.deepcopy(page.context())
    item = context["item"]
    item.update(title=title, body=body, category=category, status_text=status, note=note, deadline_text=note,
                flags=[{"flag": "uncertain", "text": note}])
    context["list"]["jurisdiction"] = place
    context["crumbs"] = [{"name": place, "url": "/"}]
    if item["lead"]:
        item["lead"][0]["name"] = item["lead"][0]["printed"] = place
    html = env.get_template("item.html").render(context, page_url=page.url)
    assert page_blocks(html) == page_blocks_slow(html)
    assert_worker_reads(html, "item.html")
    body_alone = _body_only(html, html.encode().lower())
    if body_alone is not None:
        assert _blocks(body_alone) == page_blocks_slow(html)


def test_an_item_page_read_from_its_article_alone_only_on_the_template_s_stack():
    """The worker's reader of item pages trusts the template for what is open around the article, and
    nothing inside it: an article that does not end with its own end tag is read with the whole page."""
    head = '<!doctype html><html><head></head><body><main id="main">'
    for inside, alone in [("<p>甲</p>", True), ("<p>甲</main><p>乙</p>", False), ("<p>甲</html>乙", False),
                          ("<script>a<b</script><p>丙</p>", False), ("<p hidden>丁</p><p>戊</p>", True)]:
        html = f'{head}<article class="item" data-pagefind-body>{inside}</article><p>后</p></main></body></html>'
        assert (item_text(html) is not None) == alone, inside
        assert_worker_reads(html, "item.html")
    html = head + '<article class="item" data-pagefind-body><p>甲</p></article><div data-pagefind-body>乙</div>'
    assert rendered_text(html.encode(), "item.html") == "甲\x00乙"     # a second body: the whole page is read
    assert_worker_reads(html, "item.html")


TAGS = ["p", "span", "div", "li", "ul", "a", "b", "h2", "section", "dl", "dt", "dd", "nav", "label", "br", "img"]
ATTRS = ["", " hidden", " data-pagefind-ignore", ' class="x"', ' style="display: none"', ' style="color:red"',
         ' aria-hidden="true"', ' title="a>b"', " data-pagefind-ignore='all'", ' HIDDEN']
TEXT = st.sampled_from(["甲", "乙 丙", "&amp;", "&amp", "&#20013;", "&no", "t;", " ", "\n", "ｆ", "&lt;p&gt;"])


@st.composite
def markup(draw, depth=0):
    """Mostly well-nested elements with now and then a stray, missing or autoclosing tag."""
    out = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 9))
        if kind < 3:
            out.append(draw(TEXT))
        elif kind < 8 and depth < 4:
            tag, attrs = draw(st.sampled_from(TAGS)), draw(st.sampled_from(ATTRS))
            close = "" if draw(st.integers(0, 9)) == 0 else f"</{tag}>"
            out.append(f"<{tag}{attrs}>{draw(markup(depth + 1))}{close}")
        else:
            out.append(draw(st.sampled_from(["</span>", "</p>", "<p>", "<li>", "<br/>", "<div hidden/>", "</b>"])))
    return "".join(out)


@settings(max_examples=400, deadline=None)
@given(inside=markup())
def test_the_article_reader_gives_html_parser_s_blocks_or_gives_up(inside):
    head = '<!doctype html><html><head></head><body><main id="main">'
    html = f'{head}<article class="item" data-pagefind-body>{inside}</article><p>后</p></main></body></html>'
    fast = item_text(html)
    if fast is not None:
        assert fast == "\x00".join(page_blocks_slow(html))
    assert_worker_reads(html, "item.html")


def test_the_article_reader_follows_excluded_elements_to_their_end():
    head = '<html><body><main><article class="item" data-pagefind-body>'
    for inside, blocks in [('<p hidden>丁<p>戊</p>', ["戊"]), ('<p hidden>丁<p hidden>戊</p>甲', ["甲"]),
                           ('&no<b>t;</b>', ["&not;"]), ('&no<b hidden>藏</b>t;', ["&not;"]), ('<span data-pagefind-ignore><b>藏</b></span>甲', ["甲"]),
                           ('甲<span hidden>藏</span>乙', ["甲乙"]), ('甲<span hidden><p>藏</p></span>乙', ["甲", "乙"]),
                           ('<nav><ul><li>一<li>二</ul></nav><p>甲</p>', ["甲"])]:
        assert item_text(f"{head}{inside}</article></main></body></html>") == "\x00".join(blocks), inside
    for inside in ['<div><span hidden>藏</div>甲</span>', '<span hidden>藏', '<!-- 注 --><p>甲</p>']:
        assert item_text(f"{head}{inside}</article></main></body></html>") is None, inside
