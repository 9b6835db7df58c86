"""Progress entries: `check` on each kind of bad entry (file, line, field), the derived status and overdue,
the as-of date, and the mapping from a report's words to a code (registry/status.yaml)."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from archive.model import NO_REPORT
from archive.progress import as_of_date, load_statuses, map_words
from archive.validate import build_archive
from contentfixture import ITEM, ROOT, make_project

AS_OF = dt.date(2022, 12, 31)
REPORT = "关于2022年民生实事进展情况的通报\n一、课后延时服务\n按序时推进，完成80%。\n二、养老\n已完成。\n"
GOOD = """\
progress:
  - date: 2022-06-30
    status: 推进中
    as_printed: 按序时推进
    percent: 80
    text: 完成80%。
    source: {path: sources/report.txt, lines: [2, 3]}
  - date: 2022-10-31
    status: 已完成
    source: {url: https://example.gov.cn/a.html, title: 进展通报, publisher: 市政府办公室}
"""


def item_with(progress: str, deadline: str = "2021年12月底") -> str:
    return ITEM.format(number=1).replace("source_lines: [1, 3]\n", "source_lines: [1, 3]\n" + progress).replace(
        "2021年12月底", deadline)


def build(tmp_path, text: str, as_of: dt.date = AS_OF):
    content = make_project(tmp_path, {"01.md": text})
    (tmp_path / "sources" / "report.txt").write_text(REPORT, encoding="utf-8")
    return build_archive(tmp_path, content, as_of=as_of)


def only_error(problems):
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1, [p.format() for p in problems]
    return errors[0]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def test_good_entries_give_the_latest_status(tmp_path):
    archive, problems = build(tmp_path, item_with(GOOD))
    assert problems == []
    item = archive.lists[0].items[0]
    assert [p.status for p in item.progress] == ["推进中", "已完成"]
    assert item.progress[0].lines == (2, 3) and item.progress[0].percent == 80
    assert item.progress[1].url.startswith("https://") and item.progress[1].publisher == "市政府办公室"
    assert (item.status, item.status_date, item.overdue) == ("已完成", dt.date(2022, 10, 31), False)
    assert archive.as_of == AS_OF


def test_no_entry_is_no_report_found_never_not_started(tmp_path):
    archive, _ = build(tmp_path, ITEM.format(number=1))
    item = archive.lists[0].items[0]
    assert (item.status, item.status_date) == (NO_REPORT, None) == ("未见通报", None)


@pytest.mark.parametrize("progress, deadline, as_of, overdue", [
    ("", "2021年12月底", AS_OF, True),                                 # deadline passed, nothing reported
    ("", "2021年12月底", dt.date(2021, 12, 31), False),                # due today is not overdue
    ("", "长期坚持", AS_OF, False),                                     # no machine deadline, never overdue
    (GOOD.split("  - date: 2022-10-31")[0], "2021年12月底", AS_OF, True),   # latest says 推进中
    (GOOD, "2021年12月底", AS_OF, False),                               # latest says 已完成
    (GOOD.replace("status: 已完成", "status: 已终止"), "2021年12月底", AS_OF, False),
    (GOOD.replace("status: 已完成", "status: 已调整"), "2021年12月底", AS_OF, False),
    (GOOD.replace("status: 已完成", "status: 滞后"), "2021年12月底", AS_OF, True),
])
def test_overdue(tmp_path, progress, deadline, as_of, overdue):
    archive, problems = build(tmp_path, item_with(progress, deadline), as_of)
    assert [p for p in problems if p.is_error] == []
    assert archive.lists[0].items[0].overdue is overdue


def test_unknown_status_code_names_the_codes_and_the_printed_words(tmp_path):
    text = item_with(GOOD.replace("status: 推进中", "status: 按序时推进"))
    error = only_error(build(tmp_path, text)[1])
    assert (error.path, error.line, error.field) == ("content/weifang-2021-2/01.md", line_of(text, "按序时推进"),
                                                     "progress[1].status")
    assert "未知的状态代码“按序时推进”" in error.message and "第 1 条进展" in error.message
    assert "已完成、推进中" in error.hint and "status: 推进中" in error.hint and "as_printed: 按序时推进" in error.hint


def test_date_after_the_as_of_date(tmp_path):
    text = item_with(GOOD.replace("2022-10-31", "2023-01-05"))
    error = only_error(build(tmp_path, text)[1])
    assert (error.line, error.field) == (line_of(text, "2023-01-05"), "progress[2].date")
    assert "2023-01-05 晚于本次生成的状态截止日期 2022-12-31" in error.message and "--as-of" in error.hint


def test_date_that_is_not_a_date(tmp_path):
    text = item_with(GOOD.replace("date: 2022-06-30", "date: 2022年6月30日"))
    error = only_error(build(tmp_path, text)[1])
    assert error.field == "progress[1].date" and "YYYY-MM-DD" in error.message


@pytest.mark.parametrize("percent", ["120", "-5"])
def test_percent_out_of_range(tmp_path, percent):
    text = item_with(GOOD.replace("percent: 80", f"percent: {percent}"))
    error = only_error(build(tmp_path, text)[1])
    assert (error.line, error.field) == (line_of(text, f"percent: {percent}"), "progress[1].percent")
    assert "超出 0–100" in error.message


def test_percent_written_with_a_sign(tmp_path):
    error = only_error(build(tmp_path, item_with(GOOD.replace("percent: 80", 'percent: "80%"')))[1])
    assert error.field == "progress[1].percent" and "不加 %" in error.message


def test_source_file_missing(tmp_path):
    text = item_with(GOOD.replace("sources/report.txt", "sources/nothere.txt"))
    error = only_error(build(tmp_path, text)[1])
    assert (error.line, error.field) == (line_of(text, "nothere"), "progress[1].source")
    assert "找不到原文文件“sources/nothere.txt”" in error.message and "sources/" in error.hint


def test_source_outside_sources_is_missing_too(tmp_path):
    error = only_error(build(tmp_path, item_with(GOOD.replace("sources/report.txt", "content/../README.md")))[1])
    assert "找不到原文文件" in error.message


def test_source_lines_beyond_the_file(tmp_path):
    text = item_with(GOOD.replace("lines: [2, 3]", "lines: [2, 40]"))
    error = only_error(build(tmp_path, text)[1])
    assert error.field == "progress[1].source" and "只有 6 行，行号 40 超出范围" in error.message


def test_source_page_needs_a_web_address_and_title(tmp_path):
    text = item_with(GOOD.replace("url: https://example.gov.cn/a.html, title: 进展通报", "url: javascript:alert(1)"))
    _, problems = build(tmp_path, text)
    messages = [p.message for p in problems if p.is_error]
    assert len(messages) == 2 and "不是 http" in messages[0] and "title" in messages[1]


def test_entries_out_of_date_order(tmp_path):
    text = item_with(GOOD.replace("2022-10-31", "2022-03-31"))
    error = only_error(build(tmp_path, text)[1])
    assert (error.line, error.field) == (line_of(text, "2022-03-31"), "progress[2].date")
    assert "2022-03-31 早于上一条的 2022-06-30" in error.message and "从早到晚" in error.hint


def test_missing_required_and_unknown_fields_in_an_entry(tmp_path):
    text = item_with("progress:\n  - date: 2022-06-30\n    state: 推进中\n")
    _, problems = build(tmp_path, text)
    got = sorted((p.field, p.line) for p in problems if p.is_error)
    assert got == [("progress[1].source", 9), ("progress[1].state", 10), ("progress[1].status", 9)]


def test_progress_must_be_a_list(tmp_path):
    error = only_error(build(tmp_path, item_with("progress: 推进中\n"))[1])
    assert error.field == "progress" and "列表" in error.message


# --- as-of date and report words ----------------------------------------------------------------

def test_as_of_date_prefers_the_flag_then_source_date_epoch_in_china():
    assert as_of_date("2022-10-31", {"SOURCE_DATE_EPOCH": "0"}) == dt.date(2022, 10, 31)
    # 2022-10-31 20:00 UTC is already 1 November in Shanghai
    assert as_of_date(None, {"SOURCE_DATE_EPOCH": "1667246400"}) == dt.date(2022, 11, 1)
    today = as_of_date(None, {})
    assert abs((today - dt.date.today()).days) <= 1


STATUSES = load_statuses(ROOT / "registry" / "status.yaml")


@pytest.mark.parametrize("words, code, percent", [
    ("按序时推进", "推进中", None),
    ("超序时", "推进中", None),
    ("提前完成", "已完成", None),
    ("已完成", "已完成", None),
    ("完成", "已完成", None),
    ("完成60%", "推进中", 60),
    ("完成100%", "已完成", 100),
    ("已完成85.5％", "推进中", 85.5),
    ("慢序时", "滞后", None),
    ("滞后，完成40%", "滞后", 40),
    ("未完成", None, None),              # never guessed: an editor reads the report
    ("尚未开工", "未开始", None),
    ("未开工", "未开始", None),
    ("正在招标", None, None),
])
def test_report_words_map_to_codes(words, code, percent):
    assert map_words(STATUSES, words) == (code, percent)


def test_status_registry_holds_exactly_the_contract_codes():
    data = yaml.safe_load((ROOT / "registry" / "status.yaml").read_text(encoding="utf-8"))
    assert [c["code"] for c in data["codes"]] == ["已完成", "推进中", "滞后", "未开始", "已调整", "已终止"]
    assert {c["code"] for c in data["codes"] if c["closes"]} == {"已完成", "已调整", "已终止"}
    assert data["none"]["code"] == NO_REPORT
    assert all(rule["code"] in STATUSES.codes or rule["code"] is None for rule in data["words"])


def test_items_json_progress_keys_follow_the_documented_contract(tmp_path):
    import jsonschema
    from archive.datapackage import items_schema
    from archive.opendata import items_json, load_declaration
    archive, _ = build(tmp_path, item_with(GOOD))
    records = items_json(archive)
    meta, fields = load_declaration()     # registry/opendata.yaml: every key, its type and description
    jsonschema.validate(records, items_schema(meta, fields, "https://example.org"),
                        format_checker=jsonschema.FormatChecker())
    (record,) = records
    assert record["progress"][0]["source"] == {"path": "sources/report.txt", "lines": [2, 3]}
    assert record["progress"][1]["source"]["url"] == "https://example.gov.cn/a.html"
    assert (record["status"], record["status_date"], record["overdue"]) == ("已完成", "2022-10-31", False)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{f.name}`" in readme for f in fields)
