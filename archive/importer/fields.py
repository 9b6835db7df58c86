"""The one field extractor every reader uses: `label: value` pairs (labels.yaml) into a
draft item, plain text into its body, measures "(1)…" into a numbered list."""
from __future__ import annotations

from .doc import Doc
from .labels import match_copy
from .model import Draft, Line
from .numbering import REDACTED_MEASURE, match_heading
from .text import WS, clean_value, split_names, units_in


def add_fields(doc: Doc, d: Draft, ln: Line, start_copy: int) -> str:
    """Put the labelled fields of `ln` (from `start_copy` on) into `d`; return the text
    before the first field (from `start_copy`)."""
    mc = match_copy(ln.text)
    found = doc.fields_in(ln, start_copy)
    if not found:
        return ln.text[mc.to_orig(start_copy):]
    head_end = mc.to_orig(found[0][1])
    head = ln.text[mc.to_orig(start_copy):head_end]
    for k, (role, at, vstart) in enumerate(found):
        vend = found[k + 1][1] if k + 1 < len(found) else len(ln.copy)
        value = ln.text[mc.to_orig(vstart):mc.to_orig(vend)]
        bracketed = at > 0 and ln.copy[at - 1] == "("
        if bracketed:
            value = value.rstrip(WS)
            if value.endswith((")", "）")):
                value = value[:-1]
        if k + 1 < len(found) and ln.copy[found[k + 1][1] - 1] == "(":
            value = value.rstrip(WS)[:-1]       # the "(" of the next bracketed label
        label = ln.text[mc.to_orig(at):mc.to_orig(vstart)].rstrip(WS)
        own_line = at == 0 and len(found) == 1       # "完成时限:…。" alone on its line: a sentence
        put_field(doc, d, role, value, ln.no, label, own_line)
    head = head.rstrip(WS)
    if head.endswith(("(", "（")) and ln.copy[found[0][1] - 1] == "(":
        head = head[:-1]
    return head


def put_field(doc: Doc, d: Draft, role: str, value: str, no: int, label: str = "", own_line: bool = True):
    d.lines.append(no)
    if role == "body":
        if d.had_field and not d.after_fields:
            d.had_field = False          # an explicit body label after the fields: body again
        v = value.strip(WS)
        if v:
            add_text(d, v, no)
        return
    if role == "person":                 # 分管领导, 项目责任人: people are not part of an item's fields
        return
    if role == "title":
        if not d.title:
            d.title = clean_value(value)
        else:
            add_text(d, value.strip(WS), no)
        return
    d.had_field = True
    if role == "deadline":
        value = value.strip(WS).rstrip(",，;；、 ").strip(WS)
        d.deadline.append(value if own_line else value.rstrip("。"))   # alone on its line: as printed
    elif role in ("lead", "partners"):
        value, _, rest = value.partition("。")          # units never hold a 。: the text after is not a unit
        value, more = _units_then_text(doc, value)
        if more:
            d.uncertain(role, f"第{no}行“{label or role}”的单位名称之后是“{more[:12]}…”，按单位名称到此为止处理，"
                              "其后的文字另作正文或进展。")
        rest = " ".join(x for x in (more, rest) if x.strip(WS))
        (d.lead if role == "lead" else d.partners).extend(split_names(value, doc.labels))
        d.open_field = role if not rest and value.rstrip(WS).endswith(("、", "，", ",")) else ""
        if rest.strip(WS):
            add_text(d, rest.strip(WS), no)
    elif role == "status":
        d.status.append((label, value.strip(WS)))


def _units_then_text(doc: Doc, value: str) -> tuple[str, str]:
    """"市发改委、市公安局 东城 西城 合计 2 3": the units, then text printed after them."""
    tokens = value.split()
    if len(tokens) < 2:
        return value, ""
    k = 1
    while k < len(tokens) and units_in(tokens[k], doc.labels):
        k += 1
    if k == len(tokens) or not units_in(tokens[0], doc.labels):
        return value, ""
    cut = 0
    for tok in tokens[:k]:
        cut = value.index(tok, cut) + len(tok)
    return value[:cut], value[cut:].strip(WS)


def add_text(d: Draft, text: str, no: int):
    d.lines.append(no)
    mc = match_copy(text)
    h = match_heading(mc.text)
    if h and h[0] in ("paren_arabic", "circled", "paren_cn", "arabic"):
        d.segments.append(("m", h[1], text[mc.to_orig(h[2]):].strip(WS), no))
        d.last_measure = h[1]
        return
    m = REDACTED_MEASURE.match(mc.text)
    if m and int(m.group("n")) == d.last_measure + 1:
        d.segments.append(("m", int(m.group("n")), text[mc.to_orig(m.end()):].strip(WS), no))
        d.last_measure += 1
        d.notes.append(f"第{no}行的措施“({m.group('n')}”的右括号在隐去部分之中，按第{m.group('n')}条措施处理。")
        return
    d.segments.append(("p", text, no))
