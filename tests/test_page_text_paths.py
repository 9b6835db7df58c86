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
        if page.template == "item.html":
            items += 1
            assert _body_only(html, html.encode().lower()) is not None, page.url     # the fast path is the one taken
    assert items >= 300


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
    body_alone = _body_only(html, html.encode().lower())
    if body_alone is not None:
        assert _blocks(body_alone) == page_blocks_slow(html)
