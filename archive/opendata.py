"""The open data contract: site/data/items.json, one object per item. Other tools rely on it;
change a key only together with its declaration in registry/opendata.yaml (which the CSV, the JSON
Schema, the data package and the data page are made from) and the README."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import Archive, Item, Progress

DECLARATION = Path(__file__).resolve().parent.parent / "registry" / "opendata.yaml"
TYPES = ("string", "integer", "date", "names", "line_range", "flags")


@dataclass(frozen=True)
class Field:
    name: str
    type: str                   # one of TYPES
    description: str            # Chinese, for the data page and the data package
    nullable: bool = False      # null in items.json, an empty cell in the CSV
    required: bool = False      # never "" or []
    min: int | None = None


def load_declaration(path: Path = DECLARATION) -> tuple[dict, list[Field]]:
    """The dataset's metadata (title, description, keywords, license) and its fields, in column order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fields = [Field(**spec) for spec in data.pop("fields")]
    unknown = [f"{f.name}: {f.type}" for f in fields if f.type not in TYPES]
    if unknown:
        raise ValueError(f"{path}: 未知的字段类型 {', '.join(unknown)}；可用的类型：{', '.join(TYPES)}")
    return data, fields

_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def item_record(item: Item) -> dict:
    jurisdiction = item.list.jurisdiction
    chain = jurisdiction.path.split("/")
    return {
        "id": item.id,
        "url": item.url,
        "province": chain[0],
        "city": chain[1] if len(chain) > 1 else None,
        "district": chain[2] if len(chain) > 2 else None,
        "jurisdiction": jurisdiction.path,
        "jurisdiction_name": jurisdiction.display_name,
        "year": item.list.year,
        "list_id": item.list.id,
        "list_title": item.list.title,
        "number": item.number,
        "category": item.category,
        "title": item.title,
        "body": plain_text(item.body),
        "deadline_text": item.deadline_text,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "lead": [ref.canonical for ref in item.lead],
        "partners": [ref.canonical for ref in item.partners],
        "lead_as_printed": [ref.printed for ref in item.lead],
        "partners_as_printed": [ref.printed for ref in item.partners],
        "source": item.list.source,
        "source_lines": list(item.source_lines),
        "flags": list(item.flags),
        "note": item.note,
        "status_text": item.status_text,
        "status": item.status,
        "status_date": item.status_date.isoformat() if item.status_date else None,
        "overdue": item.overdue,
        "progress": [progress_record(p) for p in item.progress],
    }


# The keys the progress model adds, described once for the README table and tools that derive columns
# or a JSON schema from items.json. `status` is derived by the build for its as-of date, never stored.
PROGRESS_KEYS = {
    "status_text": ("string", "the progress text the list itself printed (front matter `status`), \"\" if none"),
    "status": ("string", "已完成 | 推进中 | 滞后 | 未开始 | 已调整 | 已终止 from the latest progress entry; 未见通报 without one"),
    "status_date": ("string|null", "ISO date of the latest progress entry; null without one"),
    "overdue": ("boolean", "the deadline date is before the build's as-of date and the status is not "
                           "已完成, 已调整 or 已终止"),
    "progress": ("array", "the entries, oldest first; each object has the keys of PROGRESS_ENTRY_KEYS"),
}
PROGRESS_ENTRY_KEYS = {
    "date": ("string", "ISO date the report speaks as of (截至)"),
    "status": ("string", "one of the six codes of registry/status.yaml"),
    "as_printed": ("string", "the report's own words for the status, \"\" if none"),
    "percent": ("number|null", "0-100 where the report prints a figure"),
    "text": ("string", "the report's words on this item, verbatim"),
    "source": ("object", "{path, lines} (a document in this repository's sources/, [first, last] line) "
                         "or {url, title, publisher} (a page that is not kept)"),
}


def progress_record(p: Progress) -> dict:
    source = ({"path": p.source, "lines": list(p.lines)} if p.source
              else {"url": p.url, "title": p.title, "publisher": p.publisher})
    return {"date": p.date.isoformat(), "status": p.status, "as_printed": p.as_printed, "percent": p.percent,
            "text": p.text, "source": source}


def plain_text(body: str) -> str:
    """The body as a reader sees it, without Markdown's escapes."""
    return _MD_ESCAPE.sub(r"\1", body).strip()


def items_json(archive: Archive) -> list[dict]:
    return [item_record(item) for item in archive.items]


def dumps(records: list[dict]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def items_json_chunks(archive):
    """The bytes of `opendata.dumps(items_json(archive))`, one record at a time: at 100,000 items the
    whole document held as records, str and bytes at once would add half a gigabyte to the peak."""
    items = archive.items
    if not items:
        yield dumps([]).encode()
        return
    yield b"[\n"
    for n, item in enumerate(items):
        record = json.dumps(item_record(item), ensure_ascii=False, indent=1)
        # json.dumps(list, indent=1) is each element dumped one level deeper; strings hold no raw newlines.
        text = " " + record.replace("\n", "\n ")
        yield (text + (",\n" if n + 1 < len(items) else "\n]\n")).encode()
