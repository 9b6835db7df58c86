"""The render workers' side of the index stage (archive/search/handover.py): the normalised text and the
fragments they hand over give the index the stage gives when it reads every page back and does it all."""
from __future__ import annotations

import pytest

from archive.commands.build import build_site
from archive.search.handover import ItemTexts, normed_text
from archive.search.text import page_blocks
from archive.validate import build_archive
from conftest import AS_OF, ROOT


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def archive():
    found, problems = build_archive(ROOT, ROOT / "content", as_of=AS_OF)
    assert not [p for p in problems if p.is_error]
    return found


@pytest.fixture(scope="module")
def plain(archive, tmp_path_factory):
    """The site as a build makes it: every id the workers use is the stage's."""
    out = tmp_path_factory.mktemp("plain") / "site"
    build_site(archive, ROOT, out)
    return _files(out)


@pytest.mark.parametrize("jobs", [1, 2])
def test_fragments_written_at_ids_the_stage_does_not_use_are_written_again(archive, plain, tmp_path, monkeypatch, jobs):
    """Workers that number the items otherwise than the index stage (here every id one too high, and one
    item page without an id at all) leave fragments the stage must not take: it writes each item's at its
    own id, and the one past the last item is not part of the site. The site is the plain build's, byte
    for byte."""
    planned = ItemTexts.planned

    def shifted(archive, paths):
        texts = planned(archive, paths)
        first = next(iter(texts.slots))
        texts.slots = {path: (d + 1, item) for path, (d, item) in texts.slots.items() if path != first}
        return texts
    monkeypatch.setattr(ItemTexts, "planned", shifted)
    out = tmp_path / "site"
    build_site(archive, ROOT, out, jobs=jobs)
    got = _files(out)
    assert got.keys() == plain.keys()
    assert [p for p in got if got[p] != plain[p]] == []


def test_a_worker_hands_over_the_normalised_blocks_and_writes_the_fragment(archive, plain):
    """What `read` hands back for an item page is what the stage would compute from the page's blocks, and
    the fragment it writes is the one in the site."""
    class Writer:
        def __init__(self):
            self.files, self.data = {}, {}

        def write(self, path, data):
            self.files[path], self.data[path] = ["digest", len(data), 0], data

    lists = [lst for lst in archive.lists if lst.items]
    item = lists[0].items[0]
    path = item.url.lstrip("/") + "index.html"
    html = plain[path]
    texts = ItemTexts({path: (7, item)})
    writer = Writer()
    normed, d, record = texts.read(html, "item.html", path, writer)
    assert normed.decode("utf-16-le") == normed_text(page_blocks(html.decode()))
    assert d == 7 and record == writer.files["search/i/f/0/7.json"]
    own, _ = ItemTexts.planned(archive, plain).slots[path]            # the id the site gave the item
    assert plain[f"search/i/f/{own >> 8}/{own}.json"] == writer.data["search/i/f/0/7.json"]
    texts.learn(path, (normed, d, record), writer)
    assert texts.take(path) == (normed_text(page_blocks(html.decode())), 7, "digest")
    assert texts.take(path) is None
    assert ItemTexts().read(b"<main><p>no body</p></main>", None, "x/index.html", writer) is None
