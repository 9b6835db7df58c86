"""Atom feeds (RFC 4287) of published lists: /feed.xml for the whole archive and /<jurisdiction>/feed.xml
for each jurisdiction (a province's covers its cities and districts).

A list enters the feeds on the date in its `published`, never the build's: a list without one has no date
to give a reader and stays out. Entry ids are tag URIs made of the list's URL, with an authority fixed in
templates/site.yaml, so they stay the same across builds, deploy previews and changes of host name.
"""
from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from .model import Archive, ItemList, Jurisdiction

ENTRIES = 50             # newest lists per feed: feed readers poll the whole file
SITE_FEED = "/feed.xml"
TIMEZONE = "+08:00"      # a published date is a day in China; Atom wants a moment


def feed_url(j: Jurisdiction) -> str:
    return f"/{j.path}/feed.xml"


def newest_first(lists: list[ItemList]) -> list[ItemList]:
    """The lists that have a publication date, newest first (ties by id, for stable bytes)."""
    return sorted((l for l in lists if l.published), key=lambda l: (l.published, l.id), reverse=True)


def feed_links(lists: list[ItemList], j: Jurisdiction | None = None) -> list[dict]:
    """The <link rel="alternate"> of a page about `j` (the whole archive if None) whose lists are `lists`."""
    if not newest_first(lists):
        return []
    if j is None:
        return [{"url": SITE_FEED, "title": "新发布的民生实事清单"}]
    return [{"url": feed_url(j), "title": f"{j.display_name}新发布的民生实事清单"}]


def feeds(archive: Archive, config: dict, memo=None) -> dict[str, bytes]:
    """Every feed, by site-relative path. `memo` (the build cache's per-list memo, `cache.ItemDigests`, keyed
    as a list's validated model is, which the registry's place names are part of): an unchanged list's
    entry is not made again (1,960 entries of up to thousands of items: 0.8 s at 100,000 items)."""
    subtree: dict[str, list[ItemList]] = defaultdict(list)
    for lst in archive.lists:
        parts = lst.jurisdiction.path.split("/")
        for n in range(1, len(parts) + 1):
            subtree["/".join(parts[:n])].append(lst)
    files, entries = {}, {}      # a list is an entry of up to four feeds (site, province, city, district): made once
    if newest_first(archive.lists):
        files[SITE_FEED.lstrip("/")] = atom(config, SITE_FEED, "/", f"{config['name']}：新发布的民生实事清单",
                                            archive.lists, archive, entries, memo)
    for path, lists in subtree.items():
        j = archive.jurisdictions[path]
        if newest_first(lists):
            files[feed_url(j).lstrip("/")] = atom(config, feed_url(j), j.url,
                                                  f"{place(j, archive)}的民生实事清单 · {config['name']}", lists, archive,
                                                  entries, memo)
    return files


def atom(config: dict, self_url: str, page_url: str, title: str, lists: list[ItemList], archive: Archive,
         made: dict | None = None, memo=None) -> bytes:
    """`made`: entries already made, by list id; `memo`: see `feeds`."""
    made = {} if made is None else made
    base, tag = config["base_url"], config["feed_id"]
    entries = newest_first(lists)[:ENTRIES]
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{escape(tag + self_url)}</id>",
        f"<title>{escape(title)}</title>",
        "<subtitle>各地政府公开发布的民生实事清单，按发布日期排列，最新的在前。没有发布日期的清单不在其中。</subtitle>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(base + self_url)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(base + page_url)}/>',
        f"<updated>{moment(entries[0])}</updated>",
        f"<author><name>{escape(config['name'])}</name><uri>{escape(base)}/</uri></author>",
    ]
    for lst in entries:
        if lst.id not in made:
            made[lst.id] = _remembered(lst, base, tag, archive, memo)
        lines += made[lst.id]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode()


def _remembered(lst: ItemList, base: str, tag: str, archive: Archive, memo) -> list[str]:
    known = memo.get(lst.id) if memo is not None else None
    if known is not None and known[0] == (base, tag):
        return known[1]
    lines = entry(lst, base, tag, archive)
    if memo is not None:
        memo.put(lst.id, ((base, tag), lines))
    return lines


def entry(lst: ItemList, base: str, tag: str, archive: Archive) -> list[str]:
    where = place(lst.jurisdiction, archive)
    label = f"{where}{lst.year}年" + (f"第{lst.batch}批" if lst.batch else "")
    summary = f"{label}民生实事清单，{len(lst.items)}个项目，{lst.publisher}发布。"
    items = "".join(f'<li><a href={quoteattr(base + i.url)}>{escape(i.title or "（片段，无标题）")}</a></li>'
                    for i in lst.items)
    content = f"<p>{escape(summary)}</p><ol>{items}</ol>"
    return [
        "<entry>",
        f"<id>{escape(tag + lst.url)}</id>",
        f"<title>{escape(lst.title)}</title>",
        f'<link rel="alternate" type="text/html" href={quoteattr(base + lst.url)}/>',
        f"<published>{moment(lst)}</published>",
        f"<updated>{moment(lst)}</updated>",
        f"<author><name>{escape(lst.publisher)}</name></author>",
        f"<category term={quoteattr(lst.jurisdiction.path)} label={quoteattr(where)}/>",
        f"<summary>{escape(summary)}</summary>",
        f'<content type="html">{escape(content)}</content>',
        "</entry>",
    ]


def place(j: Jurisdiction, archive: Archive) -> str:
    """Province, city and district names, without saying a name twice (as pages.Site.full_name)."""
    chain = [j]
    while chain[0].parent:
        chain.insert(0, archive.jurisdictions[chain[0].parent])
    name = ""
    for a in chain:
        name = a.display_name if a.display_name.startswith(name) else name + a.display_name
    return name


def moment(lst: ItemList) -> str:
    return f"{lst.published.isoformat()}T00:00:00{TIMEZONE}"
