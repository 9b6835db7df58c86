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
from archive.search.text import ITEM_TEMPLATE, PageTexts, _body_only, _blocks, _item_body, page_blocks, page_blocks_slow
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
            assert _item_body(html, html.encode().lower()) is not None, page.url     # and the render worker's
            assert_worker_reads(html, page.template)
    assert items >= 300


def assert_worker_reads(html: str, template: str) -> None:
    """What a render worker hands the index for this page is html.parser's blocks of the whole page."""
    blocks = page_blocks_slow(html)
    assert PageTexts.read(html.encode(), template) == (None if blocks is None else "\x00".join(blocks))


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
        assert (_item_body(html, html.encode().lower()) is not None) == alone, inside
        assert_worker_reads(html, "item.html")
    html = head + '<article class="item" data-pagefind-body><p>甲</p></article><div data-pagefind-body>乙</div>'
    assert _item_body(html, html.encode().lower()) is None                  # a second body: the whole page
    assert_worker_reads(html, "item.html")
