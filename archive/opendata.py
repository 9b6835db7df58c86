"""The open data contract: site/data/items.json, one object per item. Other tools rely on it;
change a key only together with the README's description of it."""
from __future__ import annotations

import json
import re

from .model import Archive, Item

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
        "status": item.status,
    }


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
