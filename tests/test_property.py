"""Random front matter and bodies: `check` and the build either succeed or report content problems.

Never a crash, never a write outside the output folder. Both commands run in this process (through
`archive.commands.main`, as `build.py` runs them) so that hypothesis can try many trees quickly; the
subprocess behaviour (exit codes, messages, no traceback) is covered by tests/test_hardening.py.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from archive.commands import main
from contentfixture import ITEM, LIST_YAML, make_project

KEYS = ["number", "title", "category", "deadline", "lead", "partners", "source_lines", "flags", "note",
        "status", "jurisdiction", "year", "unknown_key", "标题", "lead ", "title：", ""]
NAMES = ["市教育局", "市财政局", "市不存在局", "各街道", "市卫健委", "**局", "<b>局</b>", ""]
# Text as it arrives from government pages and editors: CJK, full-width punctuation, markup, YAML syntax.
ALPHABET = st.sampled_from(list(
    "一二三十市区县局委办年月日底前完成推进实施。，、：；“”（）【】《》—…·"
    "ab1 09-_:#&*!|>%@`'\"[]{},?<>/\\=\t\r\n" "高質量實施課後服務"
)) | st.characters(codec="utf-8", exclude_categories=("Cs",))
TEXT = st.text(ALPHABET, max_size=40)

SCALARS = st.one_of(
    st.integers(-10, 10**12), st.booleans(), st.none(), TEXT, st.dates(),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(NAMES),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3), max_leaves=8)
GOOD = yaml.safe_load(ITEM.format(number=1).split("---\n")[1])


@st.composite
def front_matter(draw) -> str:
    style = draw(st.sampled_from(["mutated", "random", "lines"]))
    if style == "mutated":       # a valid item with a few fields replaced, removed or added
        data = dict(GOOD)
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=3)):
            if draw(st.booleans()):
                data[key] = draw(VALUES)
            else:
                data.pop(key, None)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if style == "random":
        return yaml.safe_dump(draw(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8)),
                              allow_unicode=True)
    # hand-typed lines: anything may follow a key, including broken YAML
    lines = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from([": ", "：", ":", " : ", ""]), TEXT),
                          max_size=8))
    return "".join(f"{key}{sep}{value}\n" for key, sep, value in lines)


@st.composite
def item_file(draw) -> bytes:
    head = draw(front_matter())
    body = draw(st.text(ALPHABET, max_size=200) | st.sampled_from([
        "", "<script>alert(1)</script>", "[x](javascript:alert(1))", "---\n---", "****", "\x00",
    ]))
    closing = draw(st.sampled_from(["---\n", "---\n", "--- \n", ""]))
    text = f"---\n{head}{closing}{body}"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


FILE_NAMES = st.sampled_from(["01.md", "02.md", "第 3 条.md", "一.md", "a b.md", ".hidden.md", "x.txt"])
TREES = st.dictionaries(FILE_NAMES, item_file(), min_size=1, max_size=3)
LISTS = st.one_of(st.just(LIST_YAML), st.builds(
    lambda key, value: LIST_YAML + f"{key}: {value}\n", st.sampled_from(["year", "batch", "note", "jurisdiction"]), TEXT))


def tree_digest(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Every file and folder under root, with a hash of each file's bytes; except `skip` and what the build
    keeps beside it: its lock file, its cache (.cache/, archive/cache/), the spare copy of the previous
    site it reuses (.<skip>.spare) and the previous site being deleted in the background (.<skip>.old-<pid>)."""
    wait_for_background_removal(root, skip)
    found = {}
    own = (skip, skip.parent / ".cache", skip.parent / f".{skip.name}.spare") if skip else ()
    for path in sorted(root.rglob("*")):
        if skip and (any(path == o or o in path.parents for o in own) or path == skip.parent / f".{skip.name}.lock"):
            continue
        rel = path.relative_to(root).as_posix()
        found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return found


def wait_for_background_removal(root: Path, skip: Path | None, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while skip and list(skip.parent.glob(f".{skip.name}.old-*")) and time.monotonic() < deadline:
        time.sleep(0.05)


def run_quietly(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(items=TREES, list_yaml=LISTS)
def test_random_content_never_crashes_check_or_build(tmp_path_factory, items, list_yaml):
    tmp = tmp_path_factory.mktemp("prop")
    content = make_project(tmp, items, list_yaml=list_yaml)
    out = tmp / "site"
    (out / "old").mkdir(parents=True)
    (out / "old" / "index.html").write_text("previous site", encoding="utf-8")
    (out / "index.html").write_text("previous site", encoding="utf-8")   # --out refuses folders that are no site
    before = tree_digest(tmp, skip=out)
    old_site = tree_digest(out)

    check_code, check_err = run_quietly(["check", "--content", str(content)])
    assert check_code in (0, 1), check_err
    assert "Traceback" not in check_err
    if check_code == 1:
        assert "错误" in check_err

    build_code, build_err = run_quietly(["--content", str(content), "--out", str(out), "--no-index",
                                         "--jobs", "1"])
    event(f"exit {build_code}")
    assert build_code == check_code, build_err       # the build refuses exactly what check refuses
    assert tree_digest(tmp, skip=out) == before      # nothing written beside the output folder
    if build_code == 1:
        assert tree_digest(out) == old_site          # the previous site untouched
    else:
        assert (out / "index.html").is_file() and not (out / "old").exists()
        for path in out.rglob("*"):
            assert path.resolve().is_relative_to(out.resolve())
    shutil.rmtree(tmp)
