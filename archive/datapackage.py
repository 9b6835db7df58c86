"""items.schema.json (JSON Schema for items.json) and datapackage.json (a Frictionless Data Package
describing items.csv and items.json), both made from the fields declared in registry/opendata.yaml."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from .model import ItemList
from .opendata import Field
from .schema import load_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
REGISTRY = Path(__file__).resolve().parent.parent / "registry"
LINE_RANGE = {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 2, "maxItems": 2}
KEPT_SOURCE = {"type": "object", "properties": {"path": {"type": "string", "minLength": 1}, "lines": LINE_RANGE},
               "required": ["path", "lines"], "additionalProperties": False}
WEB_SOURCE = {"type": "object", "properties": {"url": {"type": "string", "pattern": "^https?://"},
                                               "title": {"type": "string"}, "publisher": {"type": "string"}},
              "required": ["url", "title", "publisher"], "additionalProperties": False}
# Table Schema types; names, flags and line ranges are arrays in JSON and text joined with 、 in the CSV.
TABLE_TYPE = {"string": "string", "integer": "integer", "date": "date", "boolean": "boolean", "status": "string",
              "code": "string", "percent": "number", "progress": "array"}


@dataclass(frozen=True)
class Download:
    path: str           # site-relative: "data/items.csv"
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Vocabulary:
    """The closed sets some keys take their values from, read from the registries that define them."""
    flags: list[str]
    codes: list[str]    # progress status codes
    none: str           # the status of an item without any progress report

    @classmethod
    def load(cls) -> Vocabulary:
        flags = load_schema(REGISTRY.parent)[0]["flags"]
        status = yaml.safe_load((REGISTRY / "status.yaml").read_text(encoding="utf-8"))
        return cls(list(flags), [c["code"] for c in status["codes"]], status["none"]["code"])

    def values(self, kind: str) -> list[str] | None:
        return {"flags": self.flags, "status": self.codes + [self.none], "code": self.codes}.get(kind)


def json_type(field: Field, words: Vocabulary) -> dict:
    """The JSON Schema of one key's value."""
    schema = {
        "string": {"type": "string"},
        "integer": {"type": "integer"},
        "date": {"type": "string", "format": "date", "pattern": ISO_DATE},
        "boolean": {"type": "boolean"},
        "names": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "line_range": dict(LINE_RANGE),
        "flags": {"type": "array", "items": {"enum": words.flags}, "uniqueItems": True},
        "status": {"type": "string", "enum": words.values("status")},
        "code": {"type": "string", "enum": words.codes},
        "percent": {"type": "number", "minimum": 0, "maximum": 100},
        "source": {"oneOf": [KEPT_SOURCE, WEB_SOURCE]},
        "progress": {"type": "array", "items": object_schema(field.entry, words)},
    }[field.type]
    if field.min is not None:
        schema["minimum"] = field.min
    if field.required and schema.get("type") in ("string", "array"):
        schema.setdefault("minLength" if schema["type"] == "string" else "minItems", 1)
    if field.nullable:
        schema["type"] = [schema["type"], "null"]
    return {"description": field.description} | schema


def object_schema(fields: tuple[Field, ...] | list[Field], words: Vocabulary) -> dict:
    """An object with exactly these keys."""
    return {"type": "object", "properties": {f.name: json_type(f, words) for f in fields},
            "required": [f.name for f in fields], "additionalProperties": False}


def items_schema(meta: dict, fields: list[Field], base: str) -> dict:
    return {
        "$schema": DRAFT,
        "$id": f"{base}/data/items.schema.json",
        "title": f"{meta['title']}（items.json）",
        "description": "items.json 是一个数组，每个项目一个对象；每个对象都有下列全部键，不多不少。",
        "type": "array",
        "items": object_schema(fields, Vocabulary.load()),
    }


def table_field(field: Field, csv: bool, words: Vocabulary) -> dict:
    """A Table Schema field. In the CSV, names, flags and line ranges are text joined with 、, and the
    progress entries JSON text (which Table Schema's `array` type reads)."""
    kind = TABLE_TYPE.get(field.type) or ("string" if csv else "array")
    spec = {"name": field.name, "type": kind, "description": field.description}
    constraints = {}
    if field.required:
        constraints["required"] = True
    if field.min is not None:
        constraints["minimum"] = field.min
    if field.type in ("status", "code"):
        constraints["enum"] = words.values(field.type)
    if csv and field.type == "line_range":
        constraints["pattern"] = r"[0-9]+、[0-9]+"
    return spec | ({"constraints": constraints} if constraints else {})


def datapackage(meta: dict, fields: list[Field], base: str, downloads: dict[str, Download],
                lists: list[ItemList], source_page) -> dict:
    """The package: `downloads` gives the size and hash of items.csv and items.json as written;
    `source_page(list)` the site URL of a list's source document."""
    licence, words = meta["license"], Vocabulary.load()

    def resource(name: str, title: str, fmt: str, mediatype: str, csv: bool) -> dict:
        written = downloads[f"data/{name}"]
        return {
            "name": name.replace(".", "-"),
            "path": name,
            "title": title,
            "profile": "tabular-data-resource",
            "format": fmt,
            "mediatype": mediatype,
            "encoding": "utf-8-sig" if csv else "utf-8",
            # Frictionless checks size and hash while it parses a CSV, but cannot for JSON (it reads JSON
            # through ijson and never counts the bytes): a JSON resource with them never validates.
            **({"bytes": written.bytes, "hash": f"sha256:{written.sha256}",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
                            "doubleQuote": True, "header": True}} if csv else {}),
            "schema": {"fields": [table_field(f, csv, words) for f in fields], "primaryKey": ["id"]},
        }

    return {
        "profile": "tabular-data-package",
        "name": "minsheng-shishi",
        "title": meta["title"],
        "description": meta["description"].strip(),
        "homepage": f"{base}/data/",
        "keywords": meta["keywords"],
        "licenses": [{"name": licence["name"], "title": licence["title"], "path": licence["path"]}],
        "sources": [{"title": f"{lst.title}（{lst.publisher}）", "path": lst.source_url or base + source_page(lst)}
                    for lst in lists],
        "resources": [
            resource("items.csv", "全部项目（CSV，Excel 可直接打开）", "csv", "text/csv", csv=True),
            resource("items.json", "全部项目（JSON）", "json", "application/json", csv=False),
        ],
    }


def dumps(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()
