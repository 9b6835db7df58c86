"""Generate static/search/t2s.json, the browser's Traditional→Simplified table, from OpenCC.

    python -m archive.search.make_t2s [OUT]

Characters: every code point in the CJK blocks run through the installed OpenCC `t2s`
converter (TSCharacters + TSCharactersExt + compatibility ideographs), kept where it changes.
Phrases: the keys of OpenCC's TSPhrases.txt (ts_phrase_keys.txt) converted by the same
converter, kept where the phrase result differs from converting character by character.
The browser applies phrases longest-first, then characters, as OpenCC's max-match does.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

RANGES = [(0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
          (0x20000, 0x2EBEF), (0x2F800, 0x2FA1F), (0x30000, 0x3134F)]
HERE = Path(__file__).parent


def build_table() -> dict:
    import opencc
    cc = opencc.OpenCC("t2s")
    chars = {}
    for a, b in RANGES:
        for cp in range(a, b + 1):
            c = chr(cp)
            s = cc.convert(c)
            if s != c:
                chars[c] = s
    phrases = {}
    for line in (HERE / "ts_phrase_keys.txt").read_text(encoding="utf-8").splitlines():
        k = line.strip()
        if not k or k.startswith("#"):
            continue
        v = cc.convert(k)
        if v != "".join(chars.get(c, c) for c in k):
            phrases[k] = v
    flat = []
    for k, v in chars.items():
        flat += [k, v]
    return {"source": f"OpenCC {getattr(opencc, '__version__', '')} t2s", "c": flat, "p": phrases}


def main(argv):
    out = Path(argv[1]) if len(argv) > 1 else HERE.parent.parent / "static" / "search" / "t2s.json"
    t = build_table()
    # characters as one string of pairs keeps the file small
    t["c"] = "".join(t["c"])
    out.write_text(json.dumps(t, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{out}: {len(t['c'])//2} characters, {len(t['p'])} phrases")


if __name__ == "__main__":
    main(sys.argv)
