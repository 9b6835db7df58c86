"""Draft items → `Item`s: the body as Markdown, fields joined, flags and notes set."""
from __future__ import annotations

from . import markdown_body
from .doc import Doc
from .fields import add_text
from .model import Draft, Item
from .phrases import find_phrases, split_phrase_sentences
from .text import WS, ends_terminal, masked


def finish(doc: Doc, drafts: list[Draft], reader: str = "") -> list[Item]:
    items = []
    last = max(drafts, key=lambda d: max(d.lines) if d.lines else 0) if drafts else None
    for d in drafts:
        if d.after_fields:
            _text_after_fields(doc, d, d is last)
        if d.number is None:
            for no in sorted(set(d.lines)):
                doc.unplaced.append((no, doc.raw_lines[no - 1].strip(WS),
                                     "fields before the first item: the rest of an item on an earlier page"))
            continue
        item = Item(number=d.number, title=d.title, category=d.category, reader=reader)
        item.body = markdown_body.render(d.segments)
        item.deadline_text = "；".join(x for x in d.deadline if x)
        item.lead, item.partners = d.lead, d.partners
        _fields_from_phrases(doc, d, item)
        if d.status_plain or len(d.status) == 1:
            item.status = " ".join(value for _, value in d.status if value)
        else:
            item.status = "\n".join(f"{label}{value}" for label, value in d.status if value)
        item.source_lines = [min(d.lines), max(d.lines)] if d.lines else []
        flags = set(d.flags)
        if d is last and truncated(d, drafts):
            d.fragment = True
            d.notes.append("本页在此项中途结束：只收录此处印出的内容。")
        if d.fragment:
            flags.add("fragment")
        texts = [item.title, item.category, item.body, item.deadline_text, *item.lead, *item.partners]
        if any(masked(t) for t in texts):
            flags.add("redacted")
        item.flags = sorted(flags)
        item.note = "".join(d.notes)
        item.uncertain_fields = list(dict.fromkeys(d.uncertain_fields))
        items.append(item)
    return items


def _fields_from_phrases(doc: Doc, d: Draft, item: Item):
    """"由市民政局负责，年底前完成。": the fields the labels left empty, from phrases in the text."""
    if item.lead and item.deadline_text:
        return
    texts = [d.title] + [seg[1] if seg[0] == "p" else seg[2] for seg in d.segments if seg[0] in ("p", "m")]
    found = find_phrases("。".join(t for t in texts if t), doc.labels)
    if "lead" not in found:        # "年内完成主体建设" alone is a goal in the text, not the item's deadline
        return
    if not item.lead and not item.partners:
        item.lead, item.partners = list(found.get("lead", [])), list(found.get("partners", []))
    if not item.deadline_text:
        item.deadline_text = found.get("deadline", "")
    own, roles = split_phrase_sentences(item.title, doc.labels) if found else (item.title, "")
    if roles:          # "新建食堂12个。由区民政局负责，年底前完成。": the phrases are not the title
        item.title = own.rstrip("。；;").strip(WS)
        item.body = "\n\n".join(x for x in (markdown_body.escape_start(roles), item.body) if x)


def _text_after_fields(doc: Doc, d: Draft, is_last: bool):
    if is_last:
        placed = set()
        for no, text in d.after_fields:
            doc.unplaced.append((no, text, "text after the last item's fields (page text after the list?)"))
            placed.add(no)
        d.lines = [n for n in d.lines if n not in placed]
        return
    d.segments.append(("break",))
    for no, text in d.after_fields:
        add_text(d, text, no)
    first, lastno = d.after_fields[0][0], d.after_fields[-1][0]
    where = f"第{first}行" if first == lastno else f"第{first}–{lastno}行"
    d.flags.add("uncertain")
    d.notes.append(f"正文：{where}的文字印在本事项的完成时限或部门之后，按原样保留在正文末尾。")


def truncated(d: Draft, drafts: list[Draft]) -> bool:
    """The last item stops mid-sentence without the fields the other items have."""
    others = [x for x in drafts if x is not d and x.number is not None]
    if not others or d.had_field or d.after_fields:
        return False
    if not all(x.had_field or x.after_fields for x in others):
        return False
    texts = [seg[1] if seg[0] == "p" else seg[2] for seg in d.segments if seg[0] in ("p", "m")]
    return not texts or not ends_terminal(texts[-1])
