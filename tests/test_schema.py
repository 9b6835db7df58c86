"""registry/schema.yaml as editors may break it: each mistake is an error with its line, in Chinese, from check,
build and `new`, never a traceback; the real schema passes and every type it may use has an editor widget."""
from __future__ import annotations

import pytest

from archive.admin import WIDGETS
from archive.commands import main
from archive.schema import TYPES, load_schema
from contentfixture import ROOT, make_project

REAL = (ROOT / "registry" / "schema.yaml").read_text(encoding="utf-8")
TITLE = '  title:        {label: 标题, type: string, required: true, help: "清单标题，照原文"}'


def test_the_real_schema_is_whole():
    schema, problems = load_schema(ROOT)
    assert problems == []
    assert list(schema["item"])[:2] == ["number", "title"] and schema["flags"] == ["redacted", "uncertain", "fragment"]


def test_every_type_has_a_browser_editor_widget():
    assert set(TYPES) == set(WIDGETS)


def broken(tmp_path, old: str, new: str):
    content = make_project(tmp_path)
    assert old in REAL
    (tmp_path / "registry" / "schema.yaml").write_text(REAL.replace(old, new, 1), encoding="utf-8")
    return content


def line_of(text: str) -> int:
    return REAL.splitlines().index(text) + 1


@pytest.mark.parametrize("new, words", [
    ('  title:        {type: string, required: true, help: "清单标题，照原文"}', ["缺少 label"]),
    ('  title:        {label: 标题, type: string, required: true}', ["缺少 help"]),
    ('  title:        {label: 标题, type: text, required: true, help: "清单标题"}', ["type “text”不认识", "string"]),
    ('  title:        {lable: 标题, type: string, required: true, help: "清单标题"}', ["不认识的键：lable"]),
    ('  title:        {label: 标题, type: string, required: yes please, help: "清单标题"}', ["required"]),
    ('  title:        {label: 标题, type: string, min: 1, help: "清单标题"}', ["min"]),
    ('  title:        标题', ["应写成"]),
])
def test_a_faulty_field_is_an_error_at_its_line(tmp_path, new, words):
    broken(tmp_path, TITLE, new)
    schema, problems = load_schema(tmp_path)
    assert [(p.path, p.line, p.field) for p in problems] == [("registry/schema.yaml", line_of(TITLE), "list.title")]
    assert all(w in problems[0].message + problems[0].hint for w in words), problems[0].format()
    assert "title" not in schema["list"] and "year" in schema["list"]      # the rest still runs


def test_a_missing_section_and_bad_flags(tmp_path):
    make_project(tmp_path)
    text = REAL.replace("flags: [redacted, uncertain, fragment]", "flags: redacted")
    text = text[:text.index("\ndepartment:")] + text[text.index("\nprogress:"):]
    (tmp_path / "registry" / "schema.yaml").write_text(text, encoding="utf-8")
    schema, problems = load_schema(tmp_path)
    assert sorted(p.field for p in problems) == ["department", "flags"]
    assert schema["department"] == {} and schema["flags"] == []


def test_unreadable_yaml_names_its_line(tmp_path):
    broken(tmp_path, TITLE, '  title:        {label: 标题, type: string')
    _, problems = load_schema(tmp_path)
    assert len(problems) == 1 and problems[0].line and "读不了" in problems[0].message


def run(argv, capsys):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_check_build_and_new_report_it_in_chinese(tmp_path, capsys):
    content = broken(tmp_path, TITLE, '  title:        {type: string, required: true, help: "清单标题"}')
    where = f"registry/schema.yaml:{line_of(TITLE)}: 错误 [list.title]"
    code, out, err = run(["check", "--content", content], capsys)
    assert code == 1 and where in err
    code, out, err = run(["--content", content, "--out", tmp_path / "site", "--no-index"], capsys)
    assert code == 1 and where in err and not (tmp_path / "site").exists()
    code, out, err = run(["new", "item", "weifang-2021-2", "--content", content], capsys)
    lines = (out + err).strip().splitlines()
    assert code != 0 and len(lines) == 1 and f"先改好 registry/schema.yaml 再新建：第 {line_of(TITLE)} 行 [list.title]" in lines[0]
    assert sorted(p.name for p in (content / "weifang-2021-2").iterdir()) == ["01.md", "_list.yaml"]
