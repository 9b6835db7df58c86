"""The real content through the model and the open data contract (items.json records)."""
import datetime as dt
from collections import Counter

from archive.opendata import items_json
from archive.validate import build_archive
from contentfixture import ROOT

KEYS = {"id": str, "url": str, "province": str, "year": int, "list_id": str, "list_title": str,
        "number": int, "category": str, "title": str, "body": str, "deadline_text": str,
        "lead": list, "partners": list, "lead_as_printed": list, "partners_as_printed": list,
        "source": str, "source_lines": list, "flags": list, "status_text": str, "status": str, "overdue": bool,
        "progress": list}


def real():
    archive, problems = build_archive(ROOT, ROOT / "content", as_of=dt.date(2025, 6, 30))
    assert [p.format() for p in problems] == []     # not even a warning: every printed name is known
    return archive


def test_the_five_lists_with_their_counts():
    counts = {lst.jurisdiction.path: len(lst.items) for lst in real().lists}
    assert counts == {"anhui/unnamed-city": 50, "shandong/heze": 21, "shandong/jining/jining-gaoxinqu": 22,
                      "shandong/linyi": 59, "shandong/weifang": 22}


def test_records_follow_the_contract():
    records = items_json(real())
    assert len({r["id"] for r in records}) == len(records) == 174
    assert len({r["url"] for r in records}) == len(records)
    for record in records:
        for key, kind in KEYS.items():
            assert isinstance(record[key], kind), (record["id"], key)
        assert record["deadline"] is None or dt.date.fromisoformat(record["deadline"])
        assert len(record["lead"]) == len(record["lead_as_printed"])
        first, last = record["source_lines"]
        lines = (ROOT / record["source"]).read_text(encoding="utf-8").split("\n")
        assert 1 <= first <= last <= len(lines)


def test_no_real_item_has_a_report_and_every_passed_deadline_is_overdue():
    records = items_json(real())
    assert {(r["status"], r["status_date"], len(r["progress"])) for r in records} == {("未见通报", None, 0)}
    assert sum(r["overdue"] for r in records) == sum(r["deadline"] is not None for r in records) == 59


def test_categories_and_flags_of_the_real_lists():
    archive = real()
    by_jurisdiction = {lst.jurisdiction.path: lst for lst in archive.lists}
    assert len({item.category for item in by_jurisdiction["shandong/linyi"].items}) == 20
    assert len({item.category for item in by_jurisdiction["anhui/unnamed-city"].items}) == 10
    heze = by_jurisdiction["shandong/heze"].items
    fragment = [item for item in heze if "fragment" in item.flags]
    assert len(fragment) == 1 and fragment[0].number == 2 and fragment[0].title == ""
    assert any("uncertain" in item.flags and item.note for item in heze)
    flags = Counter(flag for item in by_jurisdiction["anhui/unnamed-city"].items for flag in item.flags)
    assert flags["redacted"] > 0
    weifang = by_jurisdiction["shandong/weifang"].items[0]
    assert weifang.deadline == dt.date(2021, 12, 31) and weifang.title == "高质量实施课后延时服务"
