"""Item files and `_list.yaml`: deterministic front matter, and writing a list folder
without overwriting an editor's corrections."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import ImportResult, Item as ParsedItem

KEY_ORDER = ("number", "title", "category", "deadline", "lead", "partners", "source_lines",
             "flags", "note", "status")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}:#&*!|>'\"%@`?]")


class WriteRefused(Exception):
    """Existing files differ from what the importer would write; `files` names them."""

    def __init__(self, files: list[Path]):
        self.files = files
        super().__init__("refusing to overwrite files that differ from what the importer would write "
                         "(an editor's corrections?): " + ", ".join(str(f) for f in files)
                         + "; use --force to overwrite them")


_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]|[\u2028\u2029\ufeff]")


def _quoted(s: str) -> str:
    """A double-quoted YAML scalar; characters YAML may not hold literally are escaped."""
    q = json.dumps(s, ensure_ascii=False)
    return _NON_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0x10000
                              else f"\\U{ord(m.group()):08x}", q)


def scalar(value, flow: bool = False) -> str:
    """A YAML scalar that yaml.safe_load reads back as exactly `value`."""
    if isinstance(value, bool) or value is None:
        raise TypeError(value)
    if isinstance(value, int):
        return str(value)
    s = str(value)
    plain_ok = (
        s != "" and s == s.strip() and "\n" not in s and "\t" not in s
        and not s[0] in "-?:,[]{}#&*!|>'\"%@`~"
        and ": " not in s and " #" not in s and not s.endswith(":")
        and not (flow and _FLOW_UNSAFE.search(s))
        and not _NON_PRINTABLE.search(s)
    )
    if plain_ok:
        try:
            plain_ok = yaml.safe_load(s) == s
        except yaml.YAMLError:
            plain_ok = False
    return s if plain_ok else _quoted(s)


def _list(key: str, values: list) -> list[str]:
    if not values:
        return [f"{key}: []"]
    if all(isinstance(v, int) for v in values):
        return [f"{key}: [{', '.join(str(v) for v in values)}]"]
    flow = [scalar(v, flow=True) for v in values]
    if all(not f.startswith('"') for f in flow):
        line = f"{key}: [{', '.join(flow)}]"
        if len(line) <= 100:
            return [line]
    return [f"{key}:"] + [f"  - {scalar(v)}" for v in values]


def front_matter(data: dict) -> str:
    """Front matter in KEY_ORDER (unknown keys after, sorted); checked by reading it back."""
    lines = []
    keys = [k for k in KEY_ORDER if k in data] + sorted(k for k in data if k not in KEY_ORDER)
    for key in keys:
        value = data[key]
        if isinstance(value, (list, tuple)):
            lines += _list(key, list(value))
        else:
            lines.append(f"{key}: {scalar(value)}")
    text = "\n".join(lines) + "\n"
    back = yaml.safe_load(text)
    expect = {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items()}
    if back != expect:      # pragma: no cover - a bug in scalar(); never write a lie
        raise AssertionError(f"front matter does not read back: {back!r} != {expect!r}")
    return text


def item_data(item: ParsedItem) -> dict:
    data = {"number": item.number, "title": item.title, "category": item.category,
            "deadline": item.deadline_text, "lead": item.lead, "partners": item.partners,
            "source_lines": item.source_lines, "flags": item.flags}
    if item.note:
        data["note"] = item.note
    if item.status:
        data["status"] = item.status
    return data


def item_file_text(item: ParsedItem) -> str:
    body = item.body.strip("\n")
    return "---\n" + front_matter(item_data(item)) + "---\n" + (body + "\n" if body else "")


def list_yaml_text(result: ImportResult, source: str) -> str:
    md = result.metadata
    data = {
        "jurisdiction": "",
        "year": md.get("year") or 0,
        "title": md.get("title", ""),
        "publisher": "",
        "source": source,
        "note": "",
    }
    if md.get("batch"):
        data["batch"] = md["batch"]
    if md.get("published"):
        data["published"] = md["published"]
    order = ["jurisdiction", "year", "batch", "title", "publisher", "published", "source", "source_url", "note"]
    lines = ["# written by `python build.py import`: complete jurisdiction, title and publisher by hand"]
    for key in order:
        if key in data:
            v = data[key]
            lines.append(f"{key}: {scalar(v) if not isinstance(v, int) else v}")
    return "\n".join(lines) + "\n"


def item_filename(number: int, width: int = 2) -> str:
    return f"{number:0{width}d}.md"


@dataclass
class Plan:
    folder: Path
    files: dict[Path, str] = field(default_factory=dict)     # item files, full text
    list_yaml: tuple[Path, str] | None = None
    duplicates: list[int] = field(default_factory=list)


def plan_list(result: ImportResult, folder: Path, source: str) -> Plan:
    plan = Plan(folder=folder)
    seen: dict[int, int] = {}
    for item in result.items:
        n = item.number
        seen[n] = seen.get(n, 0) + 1
        name = item_filename(n) if seen[n] == 1 else f"{n:02d}-{seen[n]}.md"
        if seen[n] == 2:
            plan.duplicates.append(n)
        plan.files[folder / name] = item_file_text(item)
    plan.list_yaml = (folder / "_list.yaml", list_yaml_text(result, source))
    return plan


def write_list(plan: Plan, force: bool = False) -> dict:
    """Write the plan. Returns {"written": [...], "unchanged": [...], "kept": [...], "extra": [...]}.
    Raises WriteRefused (writing nothing) when an existing item file differs and not `force`."""
    differing = sorted(p for p, text in plan.files.items()
                 if p.exists() and p.read_bytes() != text.encode("utf-8"))
    if differing and not force:
        raise WriteRefused(differing)
    report = {"written": [], "unchanged": [], "kept": [], "extra": []}
    plan.folder.mkdir(parents=True, exist_ok=True)
    for p, text in plan.files.items():
        data = text.encode("utf-8")
        if p.exists() and p.read_bytes() == data:
            report["unchanged"].append(p)
            continue
        p.write_bytes(data)
        report["written"].append(p)
    if plan.list_yaml:
        p, text = plan.list_yaml
        if p.exists():
            report["kept"].append(p)        # the editor's list metadata is never overwritten
        else:
            p.write_bytes(text.encode("utf-8"))
            report["written"].append(p)
    report["extra"] = sorted(p for p in plan.folder.glob("*.md") if p not in plan.files)
    return report
