"""Every command, every option, given what a newcomer types by mistake: one line in Chinese, a non-zero exit,
never a traceback. Run in-process through `archive.commands.main`, exactly as build.py calls it."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest

from archive.commands import COMMANDS, main
from contentfixture import ROOT, make_project

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def cli(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit:          # argparse's --help and errors leave through sys.exit
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_chinese_line(code: int, out: str, err: str, *words: str) -> None:
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert code != 0, (out, err)
    assert len(lines) == 1, lines
    assert CHINESE.search(lines[0]) and "Traceback" not in lines[0] and "Error" not in lines[0], lines[0]
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def project(tmp_path):
    """A small project: the real registries, one list with one item; returns its content folder."""
    return make_project(tmp_path)


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file.txt"
    path.write_text("不是文件夹\n", encoding="utf-8")
    return path


def bad_inputs(project, a_file, tmp_path):
    """(argv, words the one line must contain) for every option of every command."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("x", encoding="utf-8")
    no_registry = tmp_path / "loose" / "content"
    no_registry.mkdir(parents=True)
    missing = tmp_path / "nonexistent"
    content = ["--content", project]
    cases = [
        (["chek"], "不认识的命令"),
        (["--bogus"], "不认识的选项"),
    ]
    for command in ("build", "check", "serve"):
        cases += [
            ([command, "--content", missing], "找不到文件夹"),
            ([command, "--content", a_file], "是文件"),
            ([command, "--content", no_registry], "registry/schema.yaml"),
            ([command, "--content"], "后面要写一个值"),
            ([command, *content, "--unknown-option"], "不认识的选项"),
        ]
    for command in ("build", "serve"):
        cases += [
            ([command, *content, "--out", a_file], "是文件"),
            ([command, *content, "--out", elsewhere], "不像生成的网站"),
            ([command, *content, "--no-index=yes"], "不带值"),
        ]
    cases += [
        (["build", *content, "--jobs", "0"], "不小于 1"),
        (["build", *content, "--jobs", "two"], "不是整数"),
        (["check", *content, "--strict=yes"], "不带值"),
        (["check", *content, "--format", "xml"], "github"),
        (["serve", *content, "--port", "http"], "不是整数"),
        (["serve", *content, "--port", "70000"], "超出范围"),
        (["import"], "缺少必填参数"),
        (["import", missing], "找不到原文文件"),
        (["import", tmp_path], "是文件夹"),
        (["import", a_file, "--out", a_file], "是文件"),
        (["import", a_file, "--list-id", "../outside"], "不能用作清单文件夹名"),
        (["import", a_file, "--list-id", ".hidden"], "不能用作清单文件夹名"),
        (["import", a_file, "--unknown-option"], "不认识的选项"),
    ]
    cases += [(["import", a_file, f"{flag}=yes"], "不带值")
              for flag in ("--dry-run", "--json", "--force", "--verbose")]
    for command in ("build", "check", "serve"):
        cases.append(([command, *content, "--as-of", "2022-13-01"], "YYYY-MM-DD"))
    report = ["--list", "weifang-2021-2", "--date", "2021-10-31"]
    cases += [
        (["progress"], "缺少必填参数"),
        (["progress", missing, *report, *content], "找不到"),
        (["progress", tmp_path, *report, *content], "是文件夹"),
        (["progress", a_file, *report, *content], "sources/"),               # a report is kept in sources/ first
        (["progress", a_file, "--list", "../x", "--date", "2021-10-31", *content], "不能用作清单文件夹名"),
        (["progress", a_file, "--list", "weifang-2021-2", *content], "--date"),
        (["progress", a_file, "--list", "weifang-2021-2", "--date", "10/31", *content], "YYYY-MM-DD"),
        (["progress", a_file, *report, "--content", a_file], "是文件"),
        (["progress", a_file, *report, *content, "--dry-run=yes"], "不带值"),
    ]
    cases += [
        (["new"], "缺少必填参数"),
        (["new", "chapter"], "不能取"),
        (["new", "list", *content, "--year", "2022"], "--jurisdiction"),
        (["new", "list", *content, "--jurisdiction", "shandong/weifang"], "--year"),
        (["new", "list", *content, "--jurisdiction", "weifang", "--year", "2022"], "是不是 shandong/weifang"),
        (["new", "list", *content, "--jurisdiction", "shandong/weifang", "--year", "22"], "四位年份"),
        (["new", "list", *content, "--jurisdiction", "shandong/weifang", "--year", "2022", "--batch", "0"], "不小于 1"),
        (["new", "list", *content, "--jurisdiction", "shandong/weifang", "--year", "2021", "--batch", "2"], "已有同一"),
        (["new", "list", "--content", missing, "--jurisdiction", "shandong/weifang", "--year", "2022"], "找不到文件夹"),
        (["new", "item", *content], "缺少必填参数"),
        (["new", "item", *content, "no-such-list"], "找不到清单文件夹"),
        (["new", "item", *content, "../x"], "不能用作清单文件夹名"),
        (["new", "item", "--content", a_file, "weifang-2021-2"], "是文件"),
        (["new", "jurisdiction", *content], "缺少必填参数"),
        (["new", "jurisdiction", *content, "潍坊市", "--parent", "shandong"], "已有行政区划 shandong/weifang"),
        (["new", "jurisdiction", *content, "某区", "--parent", "shandong/nowhere"], "没有上级行政区划"),
        (["new", "jurisdiction", *content, "某区", "--parent", "shandong/jining/jining-gaoxinqu"], "最多三级"),
        (["new", "jurisdiction", *content, "某区", "--parent", "shandong", "--slug", "Not A Slug"], "--slug"),
        (["new", "jurisdiction", "--content", no_registry, "某区"], "registry/schema.yaml"),
    ]
    return cases


def test_every_option_of_every_command_refuses_bad_input_in_one_chinese_line(project, a_file, tmp_path, capsys):
    registry_before = (project.parent / "registry" / "jurisdictions.yaml").read_bytes()
    for argv, words in bad_inputs(project, a_file, tmp_path):
        code, out, err = cli(argv, capsys)
        try:
            assert_one_chinese_line(code, out, err, words)
        except AssertionError as failure:
            raise AssertionError(f"build.py {' '.join(map(str, argv))}: {failure}") from None
    assert (project.parent / "registry" / "jurisdictions.yaml").read_bytes() == registry_before
    assert sorted(p.name for p in project.iterdir()) == ["weifang-2021-2"]


def test_the_example_from_the_issue_no_longer_ends_in_a_traceback():
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", "/nonexistent"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == ("build.py build: 选项 --content：找不到文件夹 /nonexistent："
                                     "写项目里的 content 文件夹，如 --content content")


def test_build_py_ends_at_once_with_its_output_flushed_and_its_status(project, tmp_path):
    """build.py leaves through os._exit (archive.commands.exit_now): what the build printed into a pipe must
    still arrive, in order, and the exit status be the command's. (Block-buffered, as in CI's logs.)"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(project), "--out",
                             str(tmp_path / "site"), "--no-index"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2].startswith("生成 ") and lines[-1] == "0 个错误，0 个警告", lines[-3:]
    assert (tmp_path / "site" / "index.html").is_file()
    (next(project.glob("*/*.md"))).write_text("不是 front matter\n", encoding="utf-8")
    failed = subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(project), "--out",
                             str(tmp_path / "site"), "--no-index"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert failed.returncode == 1 and "front matter" in failed.stderr and failed.stderr.rstrip().endswith("警告")


def test_serve_on_a_port_in_use_says_so(project, tmp_path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, out, err = cli(["serve", "--content", project, "--out", tmp_path / "site", "--no-index",
                              "--port", taken.getsockname()[1]], capsys)
    assert code == 1 and err.strip().splitlines() == ["build.py serve: 端口已被占用：用 --port 换一个，如 --port 8001"]


def test_a_build_out_folder_with_other_files_is_never_replaced(project, tmp_path, capsys):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_bytes(b"years of work")
    code, _, err = cli(["--content", project, "--out", precious], capsys)
    assert code == 2 and (precious / "thesis.docx").read_bytes() == b"years of work"
    code, _, _ = cli(["--content", project, "--out", tmp_path / "site", "--no-index"], capsys)
    assert code == 0
    code, _, _ = cli(["--content", project, "--out", tmp_path / "site", "--no-index"], capsys)   # its own site
    assert code == 0


@pytest.mark.parametrize("argv", [[name] for name in COMMANDS] + [["new", kind] for kind in ("list", "item",
                                                                                               "jurisdiction")])
def test_every_help_ends_with_examples(argv, capsys):
    code, out, _ = cli([*argv, "--help"], capsys)
    assert code == 0
    examples = out.split("示例：\n", 1)[1]
    commands = [line.split()[:2] for line in examples.splitlines() if line.strip()]
    assert commands and all(words == ["python", "build.py"] for words in commands), examples


# --- check: the summary line and GitHub annotations ------------------------------------------------

BROKEN = "---\nnumber: 1\ntitle: x\nlead: 甲、乙\nsource_lines: [1, 3]\n---\n正文\n"
UNKNOWN_DEPT = "---\nnumber: 2\ntitle: y\nlead: [不存在的局]\nsource_lines: [1, 3]\n---\n正文\n"


def test_check_ends_with_counts(tmp_path, capsys):
    content = make_project(tmp_path, {"01.md": BROKEN, "02.md": UNKNOWN_DEPT})
    code, out, err = cli(["check", "--content", content], capsys)
    assert code == 1
    assert out.splitlines()[-1] == "检查了 1 份清单、1 条事项：1 个错误，1 个警告，未通过"
    assert "content/weifang-2021-2/01.md:4: 错误 [lead]" in err


def test_check_format_github_annotates_the_line(tmp_path, capsys):
    content = make_project(tmp_path, {"01.md": BROKEN, "02.md": UNKNOWN_DEPT})
    code, out, err = cli(["check", "--content", content, "--format", "github"], capsys)
    assert code == 1 and err == ""
    error, warning, last = out.splitlines()
    assert error.startswith("::error file=content/weifang-2021-2/01.md,line=4,title=lead::应为名称列表")
    assert "→ " in error     # the hint travels with the message
    assert warning.startswith("::warning file=content/weifang-2021-2/02.md,title=lead/partners::部门名称“不存在的局”")
    assert last.endswith("1 个错误，1 个警告，未通过")


def test_github_annotations_escape_what_would_end_them():
    from archive.problems import Problem, github_annotation
    line = github_annotation(Problem("a,b:c.md", 3, "f", "100% 不对\n第二行", "改"))
    assert line == "::error file=a%2Cb%3Ac.md,line=3,title=f::100%25 不对%0A第二行 → 改"


# --- new: files with every field, the next number, jurisdictions by pinyin -------------------------

def test_new_list_and_items_then_filled_in_pass_check(project, capsys):
    code, out, _ = cli(["new", "list", "--content", project, "--jurisdiction", "shandong/weifang", "--year", "2022"],
                       capsys)
    assert code == 0 and "weifang-2022/_list.yaml" in out
    meta = (project / "weifang-2022" / "_list.yaml").read_text(encoding="utf-8")
    schema_fields = ("jurisdiction", "year", "batch", "title", "publisher", "published", "source", "source_url",
                     "note")
    assert [line.split(":")[0] for line in meta.splitlines()[1:]] == list(schema_fields)
    assert all("# " in line and CHINESE.search(line.split("#", 1)[1]) for line in meta.splitlines())
    for expected in (1, 2):
        code, out, _ = cli(["new", "item", "--content", project, "weifang-2022"], capsys)
        assert code == 0 and f"weifang-2022/{expected:02d}.md" in out
    item = (project / "weifang-2022" / "02.md").read_text(encoding="utf-8")
    assert item.startswith("---\nnumber: 2 ") and item.endswith("---\n")

    code, out, err = cli(["check", "--content", project], capsys)
    assert code == 1 and "必填字段“title”是空的" in err and "content/weifang-2022/_list.yaml:5" in err

    meta = (meta.replace("title:   ", "title: 潍坊市2022年民生实事", 1).replace("publisher:   ", "publisher: 市政府", 1)
            .replace("source:   ", "source: sources/demo.txt", 1))
    (project / "weifang-2022" / "_list.yaml").write_text(meta, encoding="utf-8")
    for name in ("01.md", "02.md"):
        path = project / "weifang-2022" / name
        path.write_text(path.read_text(encoding="utf-8").replace("title:   ", "title: 某事项", 1)
                        .replace("source_lines:   ", "source_lines: [1, 2]", 1) + "照原文。\n", encoding="utf-8")
    code, out, err = cli(["check", "--content", project], capsys)
    assert code == 0, err
    assert out.splitlines()[-1] == "检查了 2 份清单、3 条事项：0 个错误，0 个警告，通过"


def test_new_item_takes_the_number_after_the_highest(project, capsys):
    folder = project / "weifang-2021-2"
    (folder / "07.md").write_text((folder / "01.md").read_text(encoding="utf-8").replace("number: 1", "number: 9"),
                                  encoding="utf-8")
    code, out, _ = cli(["new", "item", "--content", project, "weifang-2021-2"], capsys)
    assert code == 0 and (folder / "10.md").read_text(encoding="utf-8").startswith("---\nnumber: 10 ")


def test_new_list_with_a_batch_and_a_taken_folder_name(project, capsys):
    (project / "weifang-2023").mkdir()      # say, a folder someone started by hand
    code, out, _ = cli(["new", "list", "--content", project, "--jurisdiction", "shandong/weifang", "--year", "2023"],
                       capsys)
    assert code == 0 and (project / "shandong-weifang-2023" / "_list.yaml").is_file()
    code, out, _ = cli(["new", "list", "--content", project, "--jurisdiction", "shandong/weifang", "--year", "2023",
                        "--batch", "2"], capsys)
    assert code == 0 and "batch: 2 " in (project / "weifang-2023-2" / "_list.yaml").read_text(encoding="utf-8")


def test_new_jurisdiction_pinyin_slug_keeps_the_registry_comments(project, capsys):
    registry = project.parent / "registry"
    before = (registry / "jurisdictions.yaml").read_text(encoding="utf-8")
    for argv in (["奎文区", "--parent", "shandong/weifang"], ["江苏省"], ["南京市", "--parent", "jiangsu"],
                 ["高新区", "--parent", "shandong/jining", "--slug", "jining-gaoxin"]):
        code, out, err = cli(["new", "jurisdiction", "--content", project, *argv], capsys)
        assert code == 0, err
    after = (registry / "jurisdictions.yaml").read_text(encoding="utf-8")
    assert [line for line in after.splitlines() if line.startswith("#")] == \
           [line for line in before.splitlines() if line.startswith("#")]
    from archive.registry import load_registry
    loaded, problems = load_registry(registry, project.parent)
    assert problems == []
    assert loaded.jurisdictions["shandong/weifang/kuiwenqu"].name == "奎文区"
    assert loaded.jurisdictions["jiangsu"].level == "province"
    assert loaded.jurisdictions["jiangsu/nanjing"].name == "南京市"
    assert loaded.jurisdictions["shandong/jining/jining-gaoxin"].parent == "shandong/jining"
    assert "jurisdiction: jiangsu/nanjing" in (registry / "departments" / "jiangsu-nanjing.yaml").read_text("utf-8")
    code, out, err = cli(["new", "list", "--content", project, "--jurisdiction", "jiangsu/nanjing", "--year", "2022"],
                         capsys)
    assert code == 0 and (project / "nanjing-2022" / "_list.yaml").is_file()


def test_pinyin_slugs():
    from archive.scaffold import pinyin_slug
    assert [pinyin_slug(name) for name in ("潍坊市", "山东省", "奎文区", "蚌埠市", "绿春县", "沙市")] == \
           ["weifang", "shandong", "kuiwenqu", "bengbu", "lvchunxian", "shashi"]


def test_build_ends_with_counts_whether_it_builds_or_not(tmp_path, capsys):
    content = make_project(tmp_path, {"01.md": BROKEN.replace("lead: 甲、乙", "lead: [另一个不存在的处]"),
                                      "02.md": UNKNOWN_DEPT})
    code, out, err = cli(["--content", content, "--out", tmp_path / "site", "--no-index"], capsys)
    assert code == 0 and out.splitlines()[-1] == "0 个错误，2 个警告"
    (content / "weifang-2021-2" / "03.md").write_text(BROKEN.replace("number: 1", "number: 3"), encoding="utf-8")
    code, out, err = cli(["--content", content, "--out", tmp_path / "site", "--no-index"], capsys)
    assert code == 1 and err.splitlines()[-1] == "1 个错误，2 个警告"
    assert "上一次生成的网站保持不变" in err
