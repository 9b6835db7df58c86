"""The data page /data/: every download with its size, what each column means, the licence, how to cite
an item, and the feeds. Columns and licence come from registry/opendata.yaml, sizes from the files as the
open-data stage wrote them."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from archive.csvdata import JOIN, list_csv
from archive.datapackage import Download
from archive.feeds import SITE_FEED, feed_url, newest_first
from archive.opendata import Field, load_declaration

from .site import Site
from .views import item_label, list_label

LISTS_SHOWN = 20        # per-list CSVs named on the page (2,000 lists would be megabytes); each list page links its own
TYPE_LABEL = {
    "string": "文本",
    "integer": "整数",
    "date": "日期，YYYY-MM-DD",
    "names": f"名称列表（CSV 中以“{JOIN}”连接）",
    "line_range": f"起止行号 [起, 止]（CSV 中如 7{JOIN}15）",
    "flags": f"标记列表（CSV 中以“{JOIN}”连接）",
    "boolean": "是或否（true / false）",
    "status": "状态代码（文本）",
    "code": "状态代码（文本）",
    "percent": "0–100 的数",
    "source": "对象",
    "progress": "对象列表（CSV 中为 JSON 文本）",
}
WHOLE = [
    ("items.csv", "CSV", "全部项目，一行一项；Excel、WPS 可直接打开"),
    ("items.json", "JSON", "全部项目，一个对象一项；键和 CSV 的列相同，列表保持为数组"),
    ("items.schema.json", "JSON Schema", "items.json 的结构说明，可用来校验数据"),
    ("datapackage.json", "Data Package", "Frictionless 数据包描述：两个文件的字段、类型、许可和来源"),
]


def size(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def column(f: Field) -> dict:
    return {"name": f.name, "type": TYPE_LABEL[f.type] + ("，可为空" if f.nullable else ""),
            "description": f.description}


def data_page(site: Site, downloads: Callable[[], dict[str, Download]]) -> dict:
    written, a = downloads(), site.archive
    meta, fields = load_declaration()
    by_recency = sorted(a.lists, key=lambda l: (l.published or dt.date(l.year, 1, 1), l.id), reverse=True)
    # The citation example: the newest list's first item that reads plainly (a title, no flags).
    example = next((i for lst in newest_first(a.lists) + a.lists for i in lst.items if i.title and not i.flags), None)
    return {
        "title": "开放数据：下载全部民生实事项目",
        "description": f"{len(site.items)}个民生实事项目的 CSV 和 JSON 下载、字段说明、许可和引用方式，以及订阅源。",
        "feeds": [{"url": SITE_FEED, "title": "新发布的民生实事清单"}] if newest_first(a.lists) else [],
        "item_total": len(site.items),
        "whole": [{"name": name, "url": f"/data/{name}", "format": fmt, "about": about,
                   "size": size(written[f"data/{name}"].bytes)} for name, fmt, about in WHOLE],
        "lists": [{"title": lst.title, "url": lst.url, "jurisdiction": site.full_name(lst.jurisdiction),
                   "label": list_label(lst), "count": len(lst.items), "csv": "/" + list_csv(lst),
                   "size": size(written[list_csv(lst)].bytes)} for lst in by_recency[:LISTS_SHOWN]],
        "list_total": len(a.lists),
        "list_csv_size": size(sum(written[list_csv(lst)].bytes for lst in a.lists)),
        "columns": [column(f) | {"entry": [column(e) for e in f.entry]} for f in fields],
        "license": meta["license"],
        "cite": {"list": example.list.title, "where": site.full_name(example.list.jurisdiction)
                 + list_label(example.list), "number": example.number, "title": item_label(example),
                 "url": example.url} if example else None,
        "jurisdiction_feeds": [{"name": site.full_name(j), "url": feed_url(j)} for j in site.jurisdictions
                               if newest_first(site.subtree_lists(j))],
    }
