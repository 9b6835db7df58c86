"""Body segments → Markdown: paragraphs separated by blank lines, measures as a list.

Lines of one paragraph are joined without a separator when the earlier one does not end
a sentence (a line-wrap artefact of the extraction: "医疗商" / "业补充保险"). `**`
redactions are kept as printed; the renderer handles them.
"""
from __future__ import annotations

import re

_TERMINAL = "。！？!?；;：:…"
_CLOSERS = "”’」』）)】》\"'"
_MD_START = re.compile(r"^(\d+)([.)])(?=\s|$)|^([-+*#>])(?=\s|$)|^(#+)")


def _ends(text: str) -> bool:
    t = text.rstrip().rstrip(_CLOSERS)
    return bool(t) and t[-1] in _TERMINAL


def escape_start(text: str) -> str:
    """Stop Markdown reading a paragraph of Chinese text as a list or heading."""
    m = _MD_START.match(text)
    if not m:
        return text
    if m.group(1):
        return f"{m.group(1)}\\{m.group(2)}{text[m.end():]}"
    return "\\" + text


def render(segments: list[tuple]) -> str:
    # a paragraph is a list of pieces joined at the end: += on a string held in a list copies
    # it every time, and one item of a long document may gather thousands of lines
    blocks: list[list] = []          # ["p", [pieces]] | ["list", [[n, [pieces]], …]]
    forced = False
    for seg in segments:
        if seg[0] == "break":
            forced = True
            continue
        if seg[0] == "p":
            text = seg[1]
            if blocks and not forced:
                last = blocks[-1]
                if last[0] == "p" and not _ends(last[1][-1]):
                    last[1].append(text)
                    continue
                if last[0] == "list" and not _ends(last[1][-1][1][-1]):
                    last[1][-1][1].append(text)
                    continue
            blocks.append(["p", [text]])
        else:
            _, n, text, _no = seg
            if blocks and blocks[-1][0] == "list" and not forced:
                blocks[-1][1].append([n, [text]])
            else:
                blocks.append(["list", [[n, [text]]]])
        forced = False
    out = []
    for b in blocks:
        if b[0] == "p":
            out.append(escape_start("".join(b[1])))
        else:
            out.append("\n".join(f"{n}. {''.join(t)}" for n, t in b[1]))
    return "\n\n".join(out)
