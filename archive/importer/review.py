"""The review page: one self-contained HTML file to check an import in a minute.

Left, the source with line numbers, each line coloured by the item it went to (one band per
item), grey for list metadata, red for lines not placed. Right, the items as read, with the
uncertain fields marked and the note that says why. No scripts, no external files."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .model import ImportResult

TEMPLATE = Path(__file__).with_name("review.html")
FIELDS = (("number", "序号"), ("title", "标题"), ("lead", "牵头单位"), ("partners", "配合单位"),
          ("deadline_text", "完成时限"), ("status", "进展"), ("category", "类别"))


@dataclass
class SourceLine:
    no: int
    text: str
    bands: list[int] = field(default_factory=list)     # indexes of the items the line belongs to
    role: str = ""                                     # metadata role, or "unplaced"
    why: str = ""


def hue(index: int) -> int:
    """Neighbouring items get far-apart hues (golden angle)."""
    return int(index * 137.508) % 360


def context(result: ImportResult, lines: list[str], source_name: str) -> dict:
    rows = [SourceLine(no, text) for no, text in enumerate(lines, 1)]
    for no, _, role in result.metadata_lines:
        if 0 < no <= len(rows):
            rows[no - 1].role = role
    for no, _, why in result.unplaced:
        if 0 < no <= len(rows):
            rows[no - 1].role, rows[no - 1].why = "unplaced", why
    for k, it in enumerate(result.items):
        if it.source_lines:
            for no in range(it.source_lines[0], min(it.source_lines[1], len(rows)) + 1):
                rows[no - 1].bands.append(k)
    items = []
    for k, it in enumerate(result.items):
        values = []
        for name, label in FIELDS:
            value = getattr(it, name)
            if isinstance(value, list):
                value = "、".join(value)
            values.append({"name": name, "label": label, "value": "" if value is None else str(value),
                           "uncertain": name in it.uncertain_fields})
        items.append({"index": k, "hue": hue(k), "item": it, "fields": values,
                      "first": it.source_lines[0] if it.source_lines else 0})
    return {"source": source_name, "rows": rows, "items": items, "hues": [hue(k) for k in range(len(items))],
            "unplaced": len(result.unplaced), "diagnosis": result.diagnosis, "readers": result.readers,
            "uncertain": sum(1 for it in result.items if "uncertain" in it.flags)}


def render_review(result: ImportResult, text: str, source_name: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE.parent)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template(TEMPLATE.name).render(context(result, text.split("\n"), source_name))
