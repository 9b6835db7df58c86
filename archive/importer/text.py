"""Small text helpers every reader shares: whitespace, sentence ends, names of units."""
from __future__ import annotations

import functools
import re

from .labels import Labels

WS = " \t\u3000\u00a0\ufeff"
TERMINAL = "。！？!?；;：:…"
CLOSERS = "”’」』）)】》\"'"
SEP = ",，;；、 "
COUNT = re.compile(r"\s*[(（]\s*\d+\s*项\s*[)）]\s*$")
# the endings of unit names: 局, 委, 街道, 公司 … (a name of a person or a date has none)
UNIT_SUFFIX = re.compile(
    r"(局|委|办|办公室|部|院|会|中心|政府|街道|街道办事处|办事处|公司|集团|队|大队|支队|所|站|处|室|厅|社|行|馆|团|联|署|"
    r"各乡镇|各镇|各村|各社区|分局|园区|管委会|学校|医院)$")
_PERSON = re.compile(r"^[\u4e00-\u9fff][某*＊Ｘ×xX]{1,2}$|^[\u4e00-\u9fff]某某$")


def strip_line(s: str) -> str:
    return s.strip(WS + "\n\r")


def ends_terminal(text: str) -> bool:
    t = text.rstrip(WS).rstrip(CLOSERS)
    return bool(t) and t[-1] in TERMINAL


def split_names(value: str, labels: Labels) -> list[str]:
    """Department list as printed → names; separators 、，,;； outside brackets."""
    names, cur, depth = [], "", 0
    for ch in value:
        if ch in "(（[【":
            depth += 1
        elif ch in ")）]】":
            depth = max(depth - 1, 0)
        if depth == 0 and ch in "、，,;；":
            names.append(cur)
            cur = ""
        else:
            cur += ch
    names.append(cur)
    out: list[str] = []
    for n in names:
        n = n.strip(WS).rstrip("。.")
        if not n:
            continue
        if out and n in labels.join_to_previous:
            out[-1] = out[-1] + "、" + n
        else:
            out.append(n)
    return out


def clean_value(v: str) -> str:
    return v.strip(WS).rstrip(SEP).rstrip("。").strip(WS)


def is_unit(name: str) -> bool:
    """A department or other unit as printed: short, no sentence, a unit's ending."""
    n = name.strip(WS).rstrip("。.")
    n = re.sub(r"[(（][^()（）]*[)）]$", "", n)        # 市教育局(市委教育工委)
    if n.startswith(_verbs()):                          # 新建卫生院 is a project, not a unit
        return False
    return 2 <= len(n) <= 24 and not re.search(r"[。，,；;：:\d%]", n) and bool(UNIT_SUFFIX.search(n))


@functools.lru_cache(maxsize=1)
def _verbs() -> tuple[str, ...]:
    from .columns import content_starts
    return tuple(v for v in content_starts() if len(v) >= 2)


def is_person(name: str) -> bool:
    """A person as printed in these lists: 王某某, masked 王**."""
    return bool(_PERSON.match(name.strip(WS)))


def units_in(value: str, labels: Labels) -> list[str] | None:
    """The names of a group such as "县水务局、县住建局" when every piece is a unit, else None."""
    names = split_names(value, labels)
    return names if names and all(is_unit(n) for n in names) else None


def trailing_units(title: str, labels: Labels) -> tuple[str, list[str]]:
    """"新建公厕12座(县城管执法局、县住建局)" → ("新建公厕12座", [units]) when the last
    bracketed group names only units; else (title, [])."""
    t = title.rstrip(WS + ";；,，")
    end = t.rstrip(WS + "。.")
    if not end.endswith((")", "）")):
        return title, []
    depth, k = 0, len(end) - 1
    while k >= 0:
        depth += end[k] in ")）"
        depth -= end[k] in "(（"
        if depth == 0:
            break
        k -= 1
    if k <= 0:
        return title, []
    names = units_in(end[k + 1:-1], labels)
    return (end[:k].rstrip(WS), names) if names else (title, [])


_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?$|^\d{4}[-./]\d{1,2}[-./]\d{1,2}$")


def is_signature(text: str) -> bool:
    """A closing line: the issuing office, or the date under it."""
    t = text.strip(WS)
    return bool(_DATE_LINE.match(t)) or (is_unit(t) and len(t) <= 20)


def split_signature(text: str) -> tuple[str, str]:
    """"…扩面力度。 澄溪市民生办" → ("…扩面力度。", "澄溪市民生办"): an office glued after a
    sentence at the end of the last line."""
    m = re.search(r"[。！？!?]\s+(\S+)$", text)
    if m and is_signature(m.group(1)):
        return text[:m.start(1)].rstrip(WS), m.group(1)
    return text, ""
