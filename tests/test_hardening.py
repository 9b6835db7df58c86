"""Bad content through the real commands: `build.py check` and `build.py` as subprocesses, as editors run them.

For every kind of bad input: the exit code, the message (file:line, field, what to do), no traceback, and
the previous output folder byte-for-byte intact. Where the policy is a warning: the warning is printed and
the site is built. What `check` reports for each input is tested in detail in tests/test_check.py (through
build_archive); this file is about what the commands do with it.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archive.writer import UnsafePath, Writer, check_path
from contentfixture import ITEM, LIST_YAML, ROOT, make_project

ITEM_PATH = "content/weifang-2021-2/01.md"
LIST_PATH = "content/weifang-2021-2/_list.yaml"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def good_site(tmp_path_factory) -> Path:
    """A site built from the valid fixture: the 'previous site/' every failing build must leave alone."""
    tmp = tmp_path_factory.mktemp("good")
    content = make_project(tmp)
    result = run("--content", str(content), "--out", str(tmp / "site"), "--no-index")
    assert result.returncode == 0, result.stderr
    return tmp / "site"


@pytest.fixture
def project(tmp_path, good_site):
    """make(items, list_yaml=…) → (content, out) with a copy of the good site at out."""
    def make(items=None, **kwargs):
        content = make_project(tmp_path, items, **kwargs)
        out = tmp_path / "site"
        shutil.copytree(good_site, out)
        return content, out
    return make


def item(**replace: str) -> str:
    text = ITEM.format(number=1)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def assert_refused(content: Path, out: Path, where: str, words: str) -> str:
    """Both commands exit 1 naming `where` ("path:line: 错误 [field]") with a hint; out is untouched."""
    before = digest(out)
    check = run("check", "--content", str(content))
    build = run("--content", str(content), "--out", str(out), "--no-index")
    for result in (check, build):
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        assert where in result.stderr and words in result.stderr, result.stderr
        line = next(l for l in result.stderr.splitlines() if where in l)
        hint = result.stderr.splitlines()[result.stderr.splitlines().index(line) + 1]
        assert hint.strip().startswith("→") and len(hint.strip()) > 4, "every error says what to do"
    assert "上一次生成的网站保持不变" in build.stderr
    assert digest(out) == before
    assert not list(out.parent.glob(f".{out.name}.building-*"))
    return build.stderr


def assert_built_with_warning(content: Path, out: Path, where: str, words: str) -> str:
    check = run("check", "--content", str(content))
    build = run("--content", str(content), "--out", str(out), "--no-index")
    for result in (check, build):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert f"{where}: 警告" in result.stderr and words in result.stderr, result.stderr
    return (out / "shandong/weifang/2021-2/01/index.html").read_text(encoding="utf-8")


# --- the form of a file ------------------------------------------------------------------------

@pytest.mark.parametrize("bad, where, words", [
    ("title: [unclosed\n", f"{ITEM_PATH}:3: 错误", "YAML 格式错误"),
    ("title: a\n\tdeadline: x\n", f"{ITEM_PATH}:4: 错误", "制表符"),
    ("number: 2\n", f"{ITEM_PATH}:3: 错误 [number]", "重复出现"),
    ("title：高质量\n", f"{ITEM_PATH}:3: 错误 [title]", "全角冒号"),
    ("title: &t x\nnote: *t\n", f"{ITEM_PATH}:4: 错误", "别名"),
])
def test_form_errors(project, bad, where, words):
    content, out = project({"01.md": item(**{"title: 高质量实施课后延时服务\n": bad})})
    assert_refused(content, out, where, words)


def test_front_matter_not_closed(project):
    content, out = project({"01.md": "---\nnumber: 1\ntitle: x\n正文"})
    assert_refused(content, out, f"{ITEM_PATH}:1: 错误", "没有结束")


def test_list_yaml_malformed(project):
    content, out = project(list_yaml=LIST_YAML.replace("year: 2021", "year: [2021"))
    assert_refused(content, out, f"{LIST_PATH}:2: 错误", "YAML 格式错误")


# --- fields ------------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, where, words", [
    ("source_lines: [1, 3]\n", "", f"{ITEM_PATH}:1: 错误 [source_lines]", "缺少必填字段"),
    ("number: 1", 'number: "一"', f"{ITEM_PATH}:2: 错误 [number]", "应为整数"),
    ("number: 1", 'number: "1"', f"{ITEM_PATH}:2: 错误 [number]", "应为整数"),
    ("lead: [市教育局(市委教育工委)]", "lead: 市教育局、市财政局", f"{ITEM_PATH}:5: 错误 [lead]", "拆开"),
    ("deadline: 2021年12月底", "deadline: 2021-12-31", f"{ITEM_PATH}:4: 错误 [deadline]", "应为文字"),
])
def test_field_errors(project, old, new, where, words):
    content, out = project({"01.md": item(**{old: new})})
    assert_refused(content, out, where, words)


def test_unknown_jurisdiction(project):
    content, out = project(list_yaml=LIST_YAML.replace("shandong/weifang", "shandong/qingdao"))
    assert_refused(content, out, f"{LIST_PATH}:1: 错误 [jurisdiction]", "qingdao")


def test_duplicate_numbers_in_one_list(project):
    content, out = project({"01.md": item(), "一.md": item()})
    stderr = assert_refused(content, out, "错误 [number]", "重复")
    assert "01.md" in stderr and "一.md" in stderr


def test_two_lists_with_one_url(project):
    content, out = project()
    shutil.copytree(content / "weifang-2021-2", content / "weifang-copy")
    stderr = assert_refused(content, out, "错误 [batch]", "同一批次")
    assert "weifang-copy" in stderr or "weifang-2021-2" in stderr


def test_item_outside_any_list(project):
    content, out = project()
    (content / "stray.md").write_text(item(), encoding="utf-8")
    assert_refused(content, out, "content/stray.md: 错误", "不在任何清单文件夹中")


def test_item_in_a_folder_without_list_yaml(project):
    content, out = project()
    (content / "nolist").mkdir()
    (content / "nolist" / "01.md").write_text(item(), encoding="utf-8")
    assert_refused(content, out, "content/nolist/01.md: 错误", "_list.yaml")


# --- policies that warn and build --------------------------------------------------------------

def test_unknown_department_warns_naming_files_and_builds(project):
    text = item(**{"市财政局": "市不存在局"})
    content, out = project({"01.md": text, "02.md": text.replace("number: 1", "number: 2")})
    page = assert_built_with_warning(content, out, ITEM_PATH, "市不存在局")
    assert "市不存在局" in page
    assert (out / "shandong/weifang/2021-2/02/index.html").is_file()


def test_unreadable_deadline_is_kept_as_written(project):
    content, out = project({"01.md": item(**{"2021年12月底": "下半年抓紧推进"})})
    page = assert_built_with_warning(content, out, f"{ITEM_PATH}:4", "下半年抓紧推进")
    assert "下半年抓紧推进" in page


def test_empty_body_warns_and_builds(project):
    content, out = project({"01.md": item().split("---\n推动")[0] + "---\n"})
    assert_built_with_warning(content, out, f"{ITEM_PATH}:9", "正文为空")


# --- encodings and file names ------------------------------------------------------------------

def test_gbk_file_is_refused_with_how_to_convert(project):
    content, out = project({"01.md": item().encode("gbk")})
    stderr = assert_refused(content, out, f"{ITEM_PATH}:", "GBK")
    assert "iconv -f GB18030 -t UTF-8" in stderr


def test_gb18030_only_characters_are_refused_too(project):
    content, out = project({"01.md": item(**{"高质量": "高质量㐀"}).encode("gb18030")})
    assert_refused(content, out, f"{ITEM_PATH}:", "GB18030")


def test_bom_crlf_and_traditional_build_as_is(project):
    text = item(**{"高质量": "高質量"}).replace("\n", "\r\n")
    content, out = project({"01.md": b"\xef\xbb\xbf" + text.encode("utf-8")})
    result = run("--content", str(content), "--out", str(out), "--no-index")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    page = (out / "shandong/weifang/2021-2/01/index.html").read_text(encoding="utf-8")
    assert "高質量实施课后延时服务" in page and "\r" not in page and "\ufeff" not in page


def test_file_named_with_spaces_and_chinese_builds(project):
    content, out = project({"第 1 条 课后 服务.md": item()})
    result = run("--content", str(content), "--out", str(out), "--no-index")
    assert result.returncode == 0, result.stderr
    assert (out / "shandong/weifang/2021-2/01/index.html").is_file()


def test_ten_megabyte_body_is_refused(project):
    content, out = project({"01.md": item() + "很长的正文。" * 600_000})
    assert_refused(content, out, f"{ITEM_PATH}: 错误", "超过上限")


def test_nul_in_a_file_is_refused(project):
    content, out = project({"01.md": item(**{"推动": "推\x00动"})})
    assert_refused(content, out, f"{ITEM_PATH}:9: 错误", "空字符")


# --- nothing leaves the output folder ----------------------------------------------------------

@pytest.mark.parametrize("source", ["../../etc/passwd", "/etc/passwd", "sources/../../etc/passwd",
                                    "sources/demo.txt\x00.md"])
def test_source_outside_sources_is_refused(project, source):
    content, out = project(list_yaml=LIST_YAML.replace("sources/demo.txt", source.replace("\x00", "\\0")
                                                       if "\x00" in source else source))
    if "\x00" in source:   # YAML can carry a NUL only as an escape inside double quotes
        (content / "weifang-2021-2" / "_list.yaml").write_text(
            LIST_YAML.replace("sources/demo.txt", '"sources/demo.txt\\0.md"'), encoding="utf-8")
    assert_refused(content, out, f"{LIST_PATH}:7: 错误 [source]", "找不到原文文件")


@pytest.mark.parametrize("jurisdiction", ["../../etc", "/etc", "shandong/../../x"])
def test_jurisdiction_that_is_a_path_is_refused(project, jurisdiction):
    content, out = project(list_yaml=LIST_YAML.replace("shandong/weifang", jurisdiction))
    assert_refused(content, out, f"{LIST_PATH}:1: 错误 [jurisdiction]", "未知的行政区划")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 "JaVaScRiPt:alert(1)", "//evil.example/"])
def test_source_url_that_is_not_a_web_address_is_refused(project, url):
    content, out = project(list_yaml=LIST_YAML + f'source_url: "{url}"\n')
    assert_refused(content, out, f"{LIST_PATH}:8: 错误 [source_url]", "不是 http")


@pytest.mark.parametrize("number", ["-1", "1.5", "99999999999999999999", "../1"])
def test_numbers_that_are_not_sequence_numbers(project, number):
    content, out = project({"01.md": item(**{"number: 1": f"number: {number}"})})
    before = digest(out)
    result = run("--content", str(content), "--out", str(out), "--no-index")
    assert "Traceback" not in result.stderr
    if result.returncode:
        assert digest(out) == before
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../b", "a//b", "a\x00b", "", ".", "a\\b"])
def test_writer_refuses_paths_that_leave_the_output(tmp_path, path):
    with pytest.raises(UnsafePath):
        check_path(path)
    writer = Writer(tmp_path / "site")
    try:
        with pytest.raises(UnsafePath):
            writer.write(path, b"x")
    finally:
        writer.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock"]
