"""The regions of a document the winning reader left out of its list, offered to every
reader again — so that a second list printed after the first (此外，还将办好以下实事：
新建公厕10座；改造路灯500盏；…) is reported instead of being kept silently as metadata.

The region is only diagnosed, never imported: the text after a list is most often a closing
paragraph (各单位要高度重视；加强协调；确保按期完成。), which reads as a list as well."""
from __future__ import annotations

from .doc import Doc
from .model import Item, Line
from .readers import choose

_LEFT_OUT = ("preamble", "after the list")
MIN_ITEMS = 3
MAX_REGIONS = 20


def left_out(doc: Doc, items: list[Item]) -> list[list[Line]]:
    """Runs of consecutive free lines the reader put in the list metadata as preamble or as
    text after the list (not lines that also hold an item)."""
    in_items = {no for it in items if it.source_lines for no in range(it.source_lines[0], it.source_lines[1] + 1)}
    role = {no: r for no, _, r in doc.metadata_lines}
    runs, run = [], []
    for ln in doc.free_lines():
        if role.get(ln.no) in _LEFT_OUT and ln.no not in in_items:
            run.append(ln)
        elif run:
            runs.append(run)
            run = []
    return runs + ([run] if run else [])


def report_other_lists(doc: Doc, items: list[Item]):
    """A notice for every left-out region another reader would read as a list of its own
    (a guessing reader's list only after the items: before them it is the introduction)."""
    if not items:
        return
    first = min(it.source_lines[0] for it in items if it.source_lines)
    for run in left_out(doc, items)[:MAX_REGIONS]:      # each costs a pass over the document
        doc.region = {ln.no for ln in run}
        try:
            reader = choose(doc)
            score = reader.detect(doc) if reader else 0.0
            guess = bool(reader) and getattr(reader, "guesses", lambda _d: False)(doc)
        finally:
            doc.region = None
        if reader is None or score < MIN_ITEMS or (guess and run[0].no < first):
            continue
        where = f"第{run[0].no}行" if run[0].no == run[-1].no else f"第{run[0].no}–{run[-1].no}行"
        doc.notices.append(f"{where}在清单之外，却像另一组事项（按“{reader.NAME}”读法约{int(score)}项），"
                           "未作为事项导入：如确是事项，请手工添加或把它们与上面的清单排成同一种格式。")
