"""The open data contract: site/data/items.json, one object per item. Other tools rely on it;
change a key only together with its declaration in registry/opendata.yaml (which the CSV, the JSON
Schema, the data package and the data page are made from) and the README."""
from __future__ import annotations

import json
import json.encoder
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import Archive, Item, Progress

DECLARATION = Path(__file__).resolve().parent.parent / "registry" / "opendata.yaml"
TYPES = ("string", "integer", "date", "boolean", "names", "line_range", "flags", "status", "code", "percent",
         "source", "progress")


@dataclass(frozen=True)
class Field:
    name: str
    type: str                   # one of TYPES
    description: str            # Chinese, for the data page and the data package
    nullable: bool = False      # null in items.json, an empty cell in the CSV
    required: bool = False      # never "" or []
    min: int | None = None
    entry: tuple[Field, ...] = ()   # the keys of each object of a `progress` list


def load_declaration(path: Path = DECLARATION) -> tuple[dict, list[Field]]:
    """The dataset's metadata (title, description, keywords, license) and its fields, in column order."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    fields = [_field(spec) for spec in data.pop("fields")]
    unknown = [f"{f.name}: {f.type}" for f in fields + [e for f in fields for e in f.entry] if f.type not in TYPES]
    if unknown:
        raise ValueError(f"{path}: 未知的字段类型 {', '.join(unknown)}；可用的类型：{', '.join(TYPES)}")
    return data, fields


def _field(spec: dict) -> Field:
    return Field(**spec | {"entry": tuple(_field(e) for e in spec.get("entry", ()))})


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


def items_json_part(items) -> bytes:
    """Some consecutive items' part of `opendata.dumps(items_json(archive))`, without the separator after
    the last: json.dumps(list, indent=1) is each element dumped one level deeper, joined by ",\n" (strings
    hold no raw newlines)."""
    return records_json_part(map(item_record, items))


def records_json_part(records) -> bytes:
    """`items_json_part` of the items' records (`item_record`)."""
    return ",\n".join([" " + indented(record, "\n ") for record in records]).encode()


_STRING = json.encoder.encode_basestring      # (ensure_ascii=False's; the C one where there is one)
_KEYS: dict[str, str] = {}                     # a dict key's text, '"key": ' (a record has the same keys)


def _key(key: str) -> str:
    text = _STRING(key) + ": "
    if len(_KEYS) < 1024:                      # (any dict may come here: the cache stays small)
        _KEYS[key] = text
    return text


def indented(value, pad: str = "\n") -> str:
    """`json.dumps(value, ensure_ascii=False, indent=1)`, each line after the first starting with `pad`
    instead of a newline. With `indent` set, the json module encodes in Python, not in C: items.json's
    records took 3.0 s CPU at 100,000 items (of the open data's ~10 s), this takes ~1 s (a string, most of
    a record's values, is encoded without a call of this function; a key's text is made once)."""
    if type(value) is str:
        return _STRING(value)
    if type(value) is dict:
        if not value:
            return "{}"
        try:
            keys = [_KEYS[key] for key in value]
        except KeyError:                    # a key not seen yet, or not a string
            if not all(type(key) is str for key in value):
                return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", pad)
            keys = [_key(key) for key in value]
        inner = pad + " "
        return "{" + inner + ("," + inner).join([k + (_STRING(v) if type(v) is str else indented(v, inner))
                                                 for k, v in zip(keys, value.values())]) + pad + "}"
    if type(value) is list or type(value) is tuple:
        if not value:
            return "[]"
        inner = pad + " "
        return "[" + inner + ("," + inner).join([_STRING(v) if type(v) is str else indented(v, inner)
                                                 for v in value]) + pad + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", pad)     # floats, anything else


def items_json_chunks(parts):
    """The bytes of `opendata.dumps(items_json(archive))` from the non-empty parts of its items in order
    (`items_json_part`), one part at a time: at 100,000 items the whole document held as records, str and
    bytes at once would add half a gigabyte to the peak."""
    first = True
    for part in parts:
        yield (b"[\n" if first else b",\n") + part
        first = False
    yield dumps([]).encode() if first else b"\n]\n"
