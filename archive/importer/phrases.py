"""Role and deadline phrases in running text (phrases.yaml): "由市民政局负责，年底前完成。"

Items printed without labels still say who does them and by when, in a sentence of their
own. These phrases fill the lead, partners and deadline an item's labels left empty; the
sentence itself stays in the text as printed."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from .labels import Labels, match_copy
from .text import units_in

PHRASES_FILE = Path(__file__).with_name("phrases.yaml")
_SENTENCE = re.compile(r"[^。;；!?！？]+[。;；!?！？]?")


@functools.lru_cache(maxsize=2)
def load_phrases(path: Path = PHRASES_FILE) -> dict[str, tuple[re.Pattern, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {role: tuple(re.compile(p) for p in data.get(role) or ()) for role in ("lead", "partners", "deadline")}


def find_phrases(text: str, labels: Labels) -> dict[str, list[str] | str]:
    """{"lead": [units], "partners": [units], "deadline": "年底前完成"} for the phrases found
    (units cut from the text as published)."""
    mc = match_copy(text)
    found: dict = {}
    for role, patterns in load_phrases().items():
        for rx in patterns:
            m = rx.search(mc.text)
            if not m:
                continue
            if role == "deadline":
                found[role] = text[mc.to_orig(m.start()):mc.to_orig(m.end())]
                break
            units = units_in(text[mc.to_orig(m.start("units")):mc.to_orig(m.end("units"))], labels)
            if units:
                found[role] = units
                break
    return found


def split_phrase_sentences(text: str, labels: Labels) -> tuple[str, str]:
    """"新建日间照料中心10处。由市民政局负责，年底前完成。" → (the item's own words, the
    trailing sentences made of role or deadline phrases). ("", "") never: the first
    sentence always stays."""
    sentences = _SENTENCE.findall(text)
    k = len(sentences)
    while k > 1 and find_phrases(sentences[k - 1], labels):
        k -= 1
    return "".join(sentences[:k]).strip(), "".join(sentences[k:]).strip()


def only_phrases(text: str, labels: Labels) -> bool:
    """Every sentence of `text` carries a role or deadline phrase: "该项目由市民政局负责，年底前完成。"."""
    sentences = [x for x in _SENTENCE.findall(text) if x.strip()]
    return bool(sentences) and all(find_phrases(x, labels) for x in sentences)
