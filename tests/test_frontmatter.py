"""archive/frontmatter.py held to PyYAML: reading front matter through the fast path gives exactly what
PyYAML's CSafeLoader path gives (the values with their types, each key's line, the problems, or the same
exception), on generated front matter full of YAML's corner cases, on named hostile texts and on every
file of content/. benchmarks/frontmatter_check.py does the same over a generated corpus."""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from archive import content, frontmatter

ROOT = Path(__file__).resolve().parent.parent


def typed(value):
    """A value with every type spelled out (True is not 1, a datetime is not a date, nan is itself)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(parse, *args):
    problems = []
    try:
        doc = parse(*args, problems)
    except Exception as exc:        # (PyYAML raises ValueError on `2021-02-30`: the same must happen)
        return ("raised", type(exc).__name__, str(exc))
    if doc is None:
        return ("none", problems)
    return ("doc", typed(doc.data), doc.lines, doc.body, doc.body_line, problems)


def both(parse, *args):
    """(through the fast path, through PyYAML alone)."""
    fast = outcome(parse, *args)
    with mock.patch.object(frontmatter, "load", lambda *_: None):
        slow = outcome(parse, *args)
    return fast, slow


def check(text: str, first_line: int = 2) -> bool:
    """Whether the fast path took the text; asserts it read it as PyYAML does."""
    fast, slow = both(content._parse_yaml, text, "content/x/01.md", first_line)
    assert fast == slow, text
    fast = frontmatter.load(text, first_line)
    if fast is not None:          # (and as PyYAML's pure-Python loader reads it, where libyaml is missing)
        assert typed(yaml.load(text, Loader=yaml.SafeLoader)) == typed(fast[0]), text
        assert "*" not in text or content._first_alias(text) is None, text
    return fast is not None


# --- generated front matter -------------------------------------------------------------------

SPECIAL = ["yes", "No", "ON", "off", "y", "n", "~", "null", "Null", "true", "FALSE", "2021-07-30", "2021-02-30",
           "2021-7-3", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "0x1F", "0o17", "017", "0b101",
           "1_000", "190:20:30", ".inf", "-.inf", ".NaN", "-.5", "1e3", "6.8523015e+5", "+12", "-7", "0", "007",
           "3.", "<<", "=", "!", "&", "*", "&a x", "*a", "!!str 1", "!!int 1", "? x", "- x", "|", ">-", "%YAML",
           "@x", "`x", "a: b", "a:b", "a :b", "a #b", "a#b", "a,b", "[a]", "{a: 1}", "x]", "x}", "市财政局",
           "2021年12月底", "'q'", '"q"', "it's", '"x" y', "\\n", "a\\tb", "--- x", "...", "\u3000", "**局",
           "x\u3000", "x\xa0", "\xa0x"]
ALPHABET = list("aYno019-+._: #,[]{}'\"\\&*!|>%@`?~=<t") + ["市", "局", "（", "：", "，", "\xa0", "\x85", "\u2028",
                                                            "\ufeff", "\t", "\x7f", "\x1b", "\u3000", "e"]
BENIGN = list("市财政局发改委加强管理,。()（）*-. 0123456789abcxyz")


def mostly(usual, rare, odds: int = 30):
    """`usual`, and `rare` once in `odds` draws: most texts are usual throughout, many have one corner case."""
    return st.integers(0, odds - 1).flatmap(lambda n: rare if n == 0 else usual)


USUAL_ATOMS = st.builds(str.__add__, st.sampled_from(list("市局加abcxy1209")), st.text(alphabet=BENIGN, max_size=12))
ATOMS = mostly(USUAL_ATOMS, st.one_of(st.sampled_from(SPECIAL), st.text(alphabet=ALPHABET, max_size=10)), 10)
USUAL_KEYS = st.builds(str.__add__, st.sampled_from(["title", "number", "lead", "partners", "flags", "note", "x"]),
                       st.sampled_from(["", "_1", "_2", "_3", "_4", "_5"]))
KEYS = mostly(USUAL_KEYS, st.one_of(st.sampled_from(["yes", "null", "on", "No", "1", "<<", "=", "Title", "标题", "a b",
                                                     "-a", "#a", " a", "x" * 65]),
                                    st.text(alphabet=ALPHABET, min_size=1, max_size=5)))
SEPARATORS = mostly(st.just(": "), st.sampled_from([":", " : ", ":  ", "：", ":\t", ": \xa0"]))
AFTER = mostly(st.just(""), st.sampled_from([" ", "  ", " # c", "# c", "  #c: d", "\t"]))


@st.composite
def scalars(draw):
    atom = draw(ATOMS)
    form = draw(mostly(st.just("plain"), st.sampled_from(["single", "double"]), 4))
    return atom if form == "plain" else f"'{atom}'" if form == "single" else f'"{atom}"'


@st.composite
def flow_lists(draw):
    items = draw(st.lists(scalars(), max_size=4))
    comma = draw(mostly(st.just(", "), st.sampled_from([",", " , ", ",  "]), 10))
    inside = draw(mostly(st.just(""), st.just(" "), 10))
    tail = draw(mostly(st.just(""), st.sampled_from([",", ", "])))
    return "[" + inside + comma.join(items) + tail + inside + "]"


@st.composite
def lines(draw):
    kind = draw(mostly(st.sampled_from(["scalar", "scalar", "flow", "block"]),
                       st.sampled_from(["empty", "comment", "blank", "odd"]), 8))
    key, sep, after = draw(KEYS), draw(SEPARATORS), draw(AFTER)
    if kind == "scalar":
        return [key + sep + draw(scalars()) + after]
    if kind == "flow":
        return [key + sep + draw(flow_lists()) + after]
    if kind == "empty":
        return [key + ":" + draw(st.sampled_from(["", " ", "  # c"]))]
    if kind == "block":
        indent = draw(st.sampled_from([0, 2, 2, 4]))
        items = []
        for _ in range(draw(st.integers(0, 3))):
            pad = " " * draw(mostly(st.just(indent), st.integers(0, 5)))
            items.append(pad + draw(mostly(st.just("- "), st.sampled_from(["-", "-  "]))) +
                         draw(mostly(scalars(), flow_lists(), 10)) + draw(AFTER))
            if not draw(st.integers(0, 9)):
                items.append(draw(st.sampled_from(["", "  ", "# c", "  # c"])))
        return [key + ":" + draw(mostly(st.just(""), st.just(" # c"), 5)), *items]
    if kind == "comment":
        return [draw(st.sampled_from(["# c", "#", "  # c", "#: x"]))]
    if kind == "blank":
        return [draw(st.sampled_from(["", " ", "   "]))]
    return [draw(st.sampled_from(["  more text", "  - x", "---", "...", "%YAML 1.1", "- a", "? a", "a", "'a': 1",
                                  "a: |", "  b", "a: >-", "a:\n  b: 1", "{a: 1}", "[a]"]))]


FRONT = st.lists(lines(), min_size=0, max_size=6).map(lambda found: "\n".join(sum(found, [])))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=FRONT, first_line=st.sampled_from([1, 2]))
def test_generated_front_matter_reads_as_pyyaml_reads_it(text, first_line):
    event("fast path" if check(text, first_line) else "PyYAML")


# --- named cases ------------------------------------------------------------------------------

USUAL = """number: 7
title: 加强无物业住宅小区管理,推动住宅小区物业管理全覆盖。
category: ''
deadline: 2021年12月底
lead: ['****规划局']
partners: [济宁高新控股集团, 党政办公室(宣传)]
source_lines: [35, 38]
flags: []
published: 2021-03-05
note: "第2项的后半部分"
status:
progress:
redacted: yes
lines:
  - 市发展改革委
  - "****建设局"
- x"""


def test_the_usual_shapes_take_the_fast_path():
    text = USUAL.rsplit("\n", 1)[0]
    assert check(text)
    data, lines = frontmatter.load(text, 2)
    assert data["number"] == 7 and data["published"].isoformat() == "2021-03-05" and data["redacted"] is True
    assert data["lead"] == ["****规划局"] and data["source_lines"] == [35, 38] and data["status"] is None
    assert data["lines"] == ["市发展改革委", "****建设局"] and lines["lines"] == 15 and lines["number"] == 2
    assert not check(USUAL)           # an item below the list, at another indentation


HOSTILE = [
    "a: &x 1\nb: *x", "a: [*x]", "a: !!str 1", 'a: !!int "1"', "a: |\n  x", "a: >-\n  x\n  y", "a: x\n  y",
    "a: [x,\n  y]", 'a: "x\\ny"', "a: 'it''s'", "a:\n  b: 1", "<<: {a: 1}", "a: =", "published: 2021-02-30",
    "published: [2021-02-30]", "yes: 1", "null: 1", "a: b: c", "a: x #c", "a: x#c", "a: x:", "a: [a, b,]",
    "a: [a,,b]", "a: []", "a: [ ]", "a: ~", "a:", "a:   # c", "a: 1\na: 2", "a：1", "a:\t1", 'a: "x" y',
    "a: 'x'y", "a: [x] y", "a: [x]]", "- a", "a: \x85", "a: x\u2028y", "a: \ufeffx", "# only a comment", "",
    "---", "a: 0x1F", "a: 1_000", "a: 1:30", "a: .nan", "a: 2001-12-14 21:59:43.10 -5", "lead:\n  - x\n   - y",
    "lead:\n  - x\n- y", "lead:\n- x\nb: 1", "lead:\n  - [x]", "lead:\n  -x", "lead:\n  - ", "lead:\n\n  # c\n  - x",
    "a: x\n# c\nb: y", "a: x\n  # c", "a: 'x' # c", "a: [x] # c", "a: [x]#c", "a: [-1, +2, .5]", "a: [-x]",
    "a: [x y,  z ]", "a: [? x]", "a: [x: y]", "a: [x:y]", "a: [x, {b: 1}]", "a: {b: 1}", "a: x, y", "a: x]",
    "a: 市**局", "a: **局", "a: &局", "a: @x", "a: `x`", "a: %x", "a: 'x", 'a: "x', "a: x'", "title: 实施文化**工程,补助。",
    "a: x\u3000", "a: x\xa0", "a:  x  ", "a: 1 # c", "on: 1", "a: On", "a: -", "a: ?", "a: :x", "a: x :", "a: \\x",
    "a: [\\x]", "a: ['x\"', \"y'\"]", "a: [x, 'y', \"z\"]", "a:\n  - 'x'\n  - \"y\" # c\n  - z",
    "a: 2021-07-30\nb: 2021-7-3\nc: 2001-12-14t21:59:43.10-05:00", "a: 1e3\nb: 6.8523015e+5\nc: -.inf",
    "x" * 70 + ": 1", "a: " + "长" * 5000, "a: [- x]", "a: [x, -]", "a: [-]", "a: [- x] # c", "a: [-1, x] # c",
    "a: [x, - y]", "lead:\n  -  x", "lead:\n  - x\n  -  y", "a: x\u3000 ", "a: x\xa0 # c", "a: x\u3000 # c",
]


def test_hostile_texts_read_as_pyyaml_reads_them():
    taken = [text for text in HOSTILE if check(text)]
    assert "a: [x, 'y', \"z\"]" in taken and "published: 2021-02-30" not in taken and "a: &x 1\nb: *x" not in taken


def test_every_file_of_content_reads_as_pyyaml_reads_it():
    files = sorted((ROOT / "content").glob("*/*"))
    taken = 0
    for path in files:
        parse = content._parse_list_meta if path.name == content.LIST_FILE else content._parse_item
        rel = path.relative_to(ROOT).as_posix()
        fast, slow = both(parse, path.read_bytes(), rel)
        assert fast == slow, rel
        taken += path.suffix == ".md"
    assert taken > 100
