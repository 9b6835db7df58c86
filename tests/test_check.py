"""`build.py check` on broken content: one test per kind of problem, each naming file, line and field."""
from __future__ import annotations

import subprocess
import sys

import pytest

from archive.validate import build_archive
from contentfixture import ITEM, LIST_YAML, ROOT, make_project


def problems_for(tmp_path, items=None, **kwargs):
    content = make_project(tmp_path, items, **kwargs)
    archive, problems = build_archive(tmp_path, content)
    return archive, problems


def only_error(problems):
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1, [p.format() for p in problems]
    return errors[0]


def test_valid_fixture_has_no_problems(tmp_path):
    archive, problems = problems_for(tmp_path)
    assert problems == []
    item = archive.lists[0].items[0]
    assert item.url == "/shandong/weifang/2021-2/01/"
    assert item.deadline.isoformat() == "2021-12-31"
    assert [ref.canonical for ref in item.partners] == ["市发改委", "市财政局", "市人社局"]
    assert item.lead[0].printed == "市教育局(市委教育工委)" and item.lead[0].canonical == "市教育局"


def test_aliases_resolve_to_one_department(tmp_path):
    text = ITEM.format(number=1).replace("[市发改委, 市财政局, 市人社局]", "[市人力资源和社会保障局, 市卫生健康委, 市卫健委]")
    archive, problems = problems_for(tmp_path, {"01.md": text})
    partners = archive.lists[0].items[0].partners
    assert [ref.canonical for ref in partners] == ["市人社局", "市卫健委", "市卫健委"]
    assert partners[1].department is partners[2].department


@pytest.mark.parametrize("bad, line, field, words", [
    ("title: [unclosed\n", 3, "", "YAML 格式错误"),
    ("title：高质量\n", 3, "title", "全角冒号"),
    ("title: a\n\tdeadline: x\n", 4, "", "制表符"),
    ("number: 2\n", 3, "number", "重复出现"),
])
def test_form_errors_name_the_line(tmp_path, bad, line, field, words):
    text = ITEM.format(number=1).replace("title: 高质量实施课后延时服务\n", bad)
    _, problems = problems_for(tmp_path, {"01.md": text})
    error = only_error(problems)
    assert (error.path, error.line, error.field) == ("content/weifang-2021-2/01.md", line, field)
    assert words in error.message and error.hint


def test_front_matter_not_closed(tmp_path):
    _, problems = problems_for(tmp_path, {"01.md": "---\nnumber: 1\ntitle: x\n正文"})
    error = only_error(problems)
    assert "没有结束" in error.message and error.line == 1


def test_missing_required_field(tmp_path):
    text = ITEM.format(number=1).replace("source_lines: [1, 3]\n", "")
    error = only_error(problems_for(tmp_path, {"01.md": text})[1])
    assert error.field == "source_lines" and "缺少必填字段" in error.message


@pytest.mark.parametrize("right, wrong, field, words", [
    ("number: 1", 'number: "一"', "number", "应为整数"),
    ("number: 1", "number: 0", "number", "不能小于 1"),
    ("lead: [市教育局(市委教育工委)]", "lead: 市教育局、市财政局", "lead", "拆开"),
    ("source_lines: [1, 3]", "source_lines: [3, 1]", "source_lines", "起止行号"),
    ("deadline: 2021年12月底", "deadline: 2021-12-31", "deadline", "应为文字"),
])
def test_wrong_types(tmp_path, right, wrong, field, words):
    text = ITEM.format(number=1).replace(right, wrong)
    error = only_error(problems_for(tmp_path, {"01.md": text})[1])
    assert error.field == field and words in error.message
    assert error.line == text.split("\n").index(wrong) + 1


def test_unknown_field_suggests_the_known_ones(tmp_path):
    text = ITEM.format(number=1).replace("lead:", "lead_department:")
    error = only_error(problems_for(tmp_path, {"01.md": text})[1])
    assert error.field == "lead_department" and "partners" in error.hint


def test_unknown_jurisdiction(tmp_path):
    _, problems = problems_for(tmp_path, list_yaml=LIST_YAML.replace("shandong/weifang", "shandong/qingdao"))
    error = only_error(problems)
    assert error.path.endswith("_list.yaml") and error.field == "jurisdiction" and "qingdao" in error.message


def test_unknown_department_is_a_warning_naming_the_files(tmp_path):
    text = ITEM.format(number=1).replace("市财政局", "市不存在局")
    archive, problems = problems_for(tmp_path, {"01.md": text, "02.md": text.replace("number: 1", "number: 2")})
    (warning,) = problems
    assert not warning.is_error and "市不存在局" in warning.message
    assert "01.md" in warning.message and "02.md" in warning.message
    assert len(archive.lists[0].items) == 2


def test_generic_names_are_not_departments(tmp_path):
    text = ITEM.format(number=1).replace("[市发改委, 市财政局, 市人社局]", "[各级各有关部门单位, 各县市区]")
    archive, problems = problems_for(tmp_path, {"01.md": text})
    assert problems == []
    assert all(ref.generic and ref.department is None for ref in archive.lists[0].items[0].partners)


def test_duplicate_numbers_in_one_list(tmp_path):
    items = {"01.md": ITEM.format(number=1), "一.md": ITEM.format(number=1)}
    error = only_error(problems_for(tmp_path, items)[1])
    assert error.field == "number" and "01.md" in error.message and "一.md" in error.message


def test_item_outside_any_list(tmp_path):
    content = make_project(tmp_path)
    (content / "stray.md").write_text(ITEM.format(number=1), encoding="utf-8")
    (content / "nolist").mkdir()
    (content / "nolist" / "01.md").write_text(ITEM.format(number=1), encoding="utf-8")
    _, problems = build_archive(tmp_path, content)
    assert sorted(p.path for p in problems) == ["content/nolist/01.md", "content/stray.md"]
    assert all("清单" in p.message for p in problems)


def test_unreadable_deadline_is_kept_with_a_warning(tmp_path):
    text = ITEM.format(number=1).replace("2021年12月底", "下半年")
    archive, problems = problems_for(tmp_path, {"01.md": text})
    (warning,) = problems
    assert not warning.is_error and warning.field == "deadline"
    item = archive.lists[0].items[0]
    assert item.deadline_text == "下半年" and item.deadline is None


def test_gbk_file_is_refused_with_how_to_convert(tmp_path):
    error = only_error(problems_for(tmp_path, {"01.md": ITEM.format(number=1).encode("gbk")})[1])
    assert "GBK" in error.message and "UTF-8" in error.hint and "iconv" in error.hint


def test_bom_crlf_and_mixed_scripts_are_accepted(tmp_path):
    text = ITEM.format(number=1).replace("高质量", "高質量").replace("\n", "\r\n")
    archive, problems = problems_for(tmp_path, {"01.md": b"\xef\xbb\xbf" + text.encode("utf-8")})
    assert problems == []
    assert archive.lists[0].items[0].title == "高質量实施课后延时服务"


def test_empty_body_is_a_warning_unless_fragment(tmp_path):
    text = ITEM.format(number=1).split("---\n")[1]
    _, problems = problems_for(tmp_path, {"01.md": f"---\n{text}---\n"})
    assert [p.severity for p in problems] == ["warning"] and "正文为空" in problems[0].message
    fragment = f"---\n{text}flags: [fragment]\n---\n"
    assert problems_for(tmp_path / "b", {"01.md": fragment})[1] == []


def test_huge_body_is_refused(tmp_path):
    text = ITEM.format(number=1) + "很长" * 5_000_000
    error = only_error(problems_for(tmp_path, {"01.md": text})[1])
    assert "超过上限" in error.message


def test_uncertain_needs_a_note(tmp_path):
    text = ITEM.format(number=1).replace("source_lines", "flags: [uncertain]\nsource_lines")
    error = only_error(problems_for(tmp_path, {"01.md": text})[1])
    assert error.field == "note"


def test_source_outside_sources_is_rejected(tmp_path):
    _, problems = problems_for(tmp_path, list_yaml=LIST_YAML.replace("sources/demo.txt", "../../etc/passwd"))
    assert only_error(problems).field == "source"


def test_source_lines_beyond_the_source(tmp_path):
    text = ITEM.format(number=1).replace("[1, 3]", "[1, 300]")
    assert only_error(problems_for(tmp_path, {"01.md": text})[1]).field == "source_lines"


def test_file_named_with_spaces_and_chinese_builds(tmp_path):
    archive, problems = problems_for(tmp_path, {"第 1 条 课后服务.md": ITEM.format(number=1)})
    assert problems == [] and archive.lists[0].items[0].url.endswith("/01/")


def test_check_command_exit_codes_and_messages(tmp_path):
    content = make_project(tmp_path, {"01.md": ITEM.format(number=1).replace("number: 1", "number: x")})
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(content)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "content/weifang-2021-2/01.md:2: 错误 [number]" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_passes_on_the_real_content():
    result = subprocess.run([sys.executable, "build.py", "check", "--strict"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "5 份清单、174 条事项" in result.stdout
