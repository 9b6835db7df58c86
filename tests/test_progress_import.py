"""`build.py progress`: fixture reports (tests/fixtures/progress/) against the fixture list, matching by
number and by title, what is listed instead of guessed, re-runs, and the edits to item files."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from archive.commands import main
from archive.model import Item, ItemList, Jurisdiction
from archive.progress import load_statuses
from archive.progress_import import Row, append_entries, match_rows, split_status
from archive.validate import build_archive
from contentfixture import PROGRESS_FIXTURE, ROOT, progress_project

STATUSES = load_statuses(ROOT / "registry" / "status.yaml")
LIST = ["--list", "weifang-2022"]


@pytest.fixture
def project(tmp_path) -> Path:
    """The fixture list without any progress, and every fixture report in sources/."""
    content = progress_project(tmp_path)
    for path in (content / "weifang-2022").glob("*.md"):
        head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
        path.write_text(head.split("\nprogress:\n")[0] + sep + body, encoding="utf-8")
    for report in (PROGRESS_FIXTURE / "reports").glob("*.txt"):
        shutil.copy(report, tmp_path / "sources" / report.name)
    return tmp_path


def run(project: Path, report: str, date: str, *more: str) -> int:
    return main(["progress", str(project / "sources" / report), *LIST, "--date", date,
                 "--content", str(project / "content"), *more])


def progress_of(project: Path) -> dict[int, list[tuple]]:
    archive, problems = build_archive(project, project / "content", as_of=dt.date(2023, 3, 31))
    assert [p.format() for p in problems] == []
    return {i.number: [(p.date.isoformat(), p.status, p.as_printed, p.percent, p.lines) for p in i.progress]
            for i in archive.lists[0].items if i.progress}


def files(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project / "content" / "weifang-2022").glob("*.md"))}


def test_a_report_numbered_as_the_list_adds_one_entry_per_row(project, capsys):
    assert run(project, "fixture-jindu-2022-06.txt", "2022-06-30") == 0
    assert "写入 6 条" in capsys.readouterr().out
    assert progress_of(project) == {
        1: [("2022-06-30", "推进中", "按序时推进", None, (4, 4))],
        2: [("2022-06-30", "滞后", "慢序时", None, (5, 5))],
        3: [("2022-06-30", "推进中", "超序时", None, (6, 6))],
        4: [("2022-06-30", "已完成", "提前完成", None, (7, 7))],
        5: [("2022-06-30", "推进中", "完成45%", 45, (8, 8))],
        6: [("2022-06-30", "未开始", "未开工", None, (9, 9))],
    }
    text = (project / "content" / "weifang-2022" / "05.md").read_text(encoding="utf-8")
    assert text.endswith("    text: 新增城镇就业3.2万人。\n"
                         "    source: {path: sources/fixture-jindu-2022-06.txt, lines: [8, 8]}\n---\n城镇新增就业7万人。\n")


def test_re_running_is_a_no_op_and_a_second_report_appends(project, capsys):
    run(project, "fixture-jindu-2022-06.txt", "2022-06-30")
    before = files(project)
    assert run(project, "fixture-jindu-2022-06.txt", "2022-06-30") == 0
    assert files(project) == before
    assert "已经写入过、不再重复的 6 条" in capsys.readouterr().out
    run(project, "fixture-jindu-2022-10.txt", "2022-10-31")
    got = progress_of(project)
    assert [e[:2] for e in got[2]] == [("2022-06-30", "滞后"), ("2022-10-31", "滞后")]
    assert got[9] == [("2022-10-31", "已调整", "已调整", None, (6, 6))]
    assert got[10] == [("2022-10-31", "已终止", "已终止", None, (7, 7))]


def test_dry_run_shows_the_entries_and_writes_nothing(project, capsys):
    before = files(project)
    assert run(project, "fixture-jindu-2022-10.txt", "2022-10-31", "--dry-run") == 0
    assert files(project) == before
    out = capsys.readouterr().out
    assert "将写入 4 条" in out and "content/weifang-2022/09.md 的 progress 将加上" in out
    assert "    source: {path: sources/fixture-jindu-2022-10.txt, lines: [6, 6]}" in out


def test_a_report_with_its_own_numbering_is_matched_by_title_and_lists_what_it_cannot_place(project, capsys):
    assert run(project, "jindu-2022-09-by-title.txt", "2022-09-30") == 0
    out = capsys.readouterr().out
    got = progress_of(project)
    assert {n: [e[:4] for e in entries] for n, entries in got.items()} == {
        2: [("2022-09-30", "滞后", "滞后", None)],          # 老旧小区改造提升
        3: [("2022-09-30", "推进中", "完成70%", 70)],       # 城乡养老服务
        4: [("2022-09-30", "已完成", "已完成", None)],      # 公厕改造
        6: [("2022-09-30", "推进中", "按序时推进", None)],   # 智慧停车泊位建设
        9: [("2022-09-30", "滞后", "慢序时", None)],        # 城区易积水点改造
    }
    assert "报告第 9 行“农村集贸市场建设”：没有标题相近的事项" in out          # the list holds no such item
    assert "报告第 10 行“就业服务”：报告对第 5 项只有叙述，没有写出状态用语" in out   # 正在招标: never guessed
    assert "（按标题）" in out and "（按序号）" not in out


def test_a_narrative_report_takes_status_words_only_where_it_prints_them(project, capsys):
    run(project, "jindu-2022-12-headings.txt", "2022-12-31")
    out = capsys.readouterr().out
    got = progress_of(project)
    assert got == {1: [("2022-12-31", "已完成", "已完成", None, (2, 3))]}
    assert "报告第 4 行“老旧小区改造”：报告对第 2 项只有叙述" in out


def test_an_older_report_is_not_appended_after_a_newer_entry(project, capsys):
    run(project, "fixture-jindu-2022-10.txt", "2022-10-31")
    run(project, "fixture-jindu-2022-06.txt", "2022-06-30")
    out = capsys.readouterr().out
    assert "第 2 项已有更晚的通报（2022-10-31）" in out
    assert [e[0] for e in progress_of(project)[2]] == ["2022-10-31"]


def test_the_report_must_be_kept_in_sources(project, tmp_path, capsys):
    outside = tmp_path / "report.txt"
    shutil.copy(project / "sources" / "fixture-jindu-2022-06.txt", outside)
    before = files(project)
    assert main(["progress", str(outside), *LIST, "--date", "2022-06-30", "--content", str(project / "content")]) == 2
    assert "sources/" in capsys.readouterr().err and files(project) == before


def test_two_items_within_the_margin_are_ambiguous_never_guessed():
    lst = ItemList("x", Jurisdiction("x", "x", "某市", "city", None, "某市"), 2022, None, "", "", None, "")
    items = [Item(lst, n, title, "", "", "", None, [], [], (1, 1))
             for n, title in enumerate(["社区养老服务中心建设", "农村养老服务中心建设", "城市公厕改造"], 1)]
    row = Row(None, "养老服务中心建设", "按序时推进", "推进中", None, "", (3, 3))
    (match,) = match_rows([row], items)
    assert match.item is None and [i.number for i, _ in match.candidates] == [1, 2]
    assert "第 1 项" in match.why and "第 2 项" in match.why
    (clear,) = match_rows([Row(None, "公厕改造", "已完成", "已完成", None, "", (4, 4))], items)
    assert clear.item is items[2] and clear.by == "title"


@pytest.mark.parametrize("status, words, text", [
    ("按序时推进 已开工18所。", "按序时推进", "已开工18所。"),
    ("完成60% 新增就业", "完成60%", "新增就业"),
    ("已完成。30所全部投入使用。", "已完成", "已完成。30所全部投入使用。"),
    ("截至12月底，已完工240个小区。", "", "截至12月底，已完工240个小区。"),
    ("已完成主体工程，正在装修。", "", "已完成主体工程，正在装修。"),     # a long opening clause is text
    ("未完成 剩余60个结转", "未完成", "剩余60个结转"),              # status words without a code
])
def test_split_status(status, words, text):
    assert split_status(STATUSES, status) == (words, text)


def test_append_entries_keeps_everything_else_and_the_order_of_keys():
    text = "---\nnumber: 1\nprogress:\n  - date: 2022-01-01\n    status: 推进中\n    source: {url: 'https://a', title: t}\nnote: 说明\n---\n正文\n"
    new = append_entries(text, [{"date": dt.date(2022, 6, 30), "status": "已完成", "text": "*市: 完成",
                                 "source": {"path": "sources/r.txt", "lines": [2, 3]}}])
    assert new == text.replace("\nnote:", "\n  - date: 2022-06-30\n    status: 已完成\n    text: '*市: 完成'\n"
                                          "    source: {path: sources/r.txt, lines: [2, 3]}\nnote:")
    empty = append_entries("---\nprogress: []\n---\n", [{"date": dt.date(2022, 6, 30), "status": "滞后"}])
    assert empty == "---\nprogress:\n  - date: 2022-06-30\n    status: 滞后\n---\n"
    with pytest.raises(ValueError):
        append_entries("---\nprogress: [{date: 2022-01-01}]\n---\n", [{"date": dt.date(2022, 6, 30)}])
    assert re.search(r"progress:\n  - date", append_entries("---\nnumber: 1\n---\n", [{"date": dt.date(2022, 1, 1)}]))
