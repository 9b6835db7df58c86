"""The open data of the real content: items.csv and the per-list CSVs against items.json, the JSON Schema,
the Frictionless data package, the one declaration they are all made from, and the data page."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import re

import frictionless
import jsonschema
import pytest
from hypothesis import given, strategies as st

from archive.commands.build import build_site
from archive.csvdata import BOM, JOIN, ROWS_PER_CHUNK, cell, csv_chunks, restore
from archive.opendata import Field, indented, item_record, load_declaration
from archive.pages.data import size
from archive.validate import build_archive
from conftest import ROOT
from contentfixture import progress_project

META, FIELDS = load_declaration()
NAMES = [f.name for f in FIELDS]


@pytest.fixture(scope="module")
def progress_site(tmp_path_factory):
    """The invented list whose items carry progress entries of every status (the real content has none)."""
    root = tmp_path_factory.mktemp("progress")
    archive, problems = build_archive(root, progress_project(root), as_of=dt.date(2023, 3, 31))
    assert [p.format() for p in problems if p.is_error] == []
    assert {i.status for i in archive.items} > {"已完成", "滞后", "未见通报"} and any(i.overdue for i in archive.items)
    build_site(archive, root, root / "site", index=False, jobs=1)
    return root / "site"


@pytest.fixture(scope="module", params=["real content", "progress fixture"])
def data_site(request, built_site, progress_site):
    return built_site if request.param == "real content" else progress_site


@pytest.fixture(scope="module")
def records(data_site) -> list[dict]:
    return json.loads((data_site / "data" / "items.json").read_text(encoding="utf-8"))


def read_csv(path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    with open(path, encoding="utf-8-sig", newline="") as f:
        return raw, list(csv.reader(f))


def as_cell(value, kind: str) -> str:
    """The documented CSV form of a JSON value, before neutralising: null empty, lists joined with 、,
    true/false, progress entries as JSON text."""
    if value is None:
        return ""
    if kind == "progress":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return JOIN.join(str(v) for v in value)
    return str(value)


def test_every_key_of_items_json_is_declared_once_in_order():
    archive, _ = build_archive(ROOT, ROOT / "content")
    assert list(item_record(archive.items[0])) == NAMES
    assert len(set(NAMES)) == len(NAMES)


def test_items_csv_round_trips_items_json(data_site, records):
    raw, rows = read_csv(data_site / "data" / "items.csv")
    assert raw.startswith(BOM.encode())
    assert rows[0] == NAMES
    assert len(rows) == len(records) + 1
    # Every record ends in CRLF: the number of record ends is one per row (bodies hold bare \n only).
    assert raw.count(b"\r\n") == len(rows) and b"\r\n" == raw[-2:]
    for row, record in zip(rows[1:], records):
        assert [restore(c) for c in row] == [as_cell(record[f.name], f.type) for f in FIELDS], record["id"]
        progress = restore(row[NAMES.index("progress")])
        assert (json.loads(progress) if progress else []) == record["progress"]
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row), record["id"]
        assert int(row[NAMES.index("number")]) == record["number"]


def test_each_list_has_its_own_csv_with_its_rows(data_site, records):
    _, whole = read_csv(data_site / "data" / "items.csv")
    list_ids = list(dict.fromkeys(r["list_id"] for r in records))
    together = []
    for list_id in list_ids:
        raw, rows = read_csv(data_site / "data" / f"{list_id}.csv")
        assert raw.startswith(BOM.encode()) and rows[0] == NAMES
        assert {r[NAMES.index("list_id")] for r in rows[1:]} == {list_id}
        together += rows[1:]
    assert together == whole[1:]


def test_cells_a_spreadsheet_would_run_get_a_quote_and_come_back_intact():
    tricky = ["=1+1", "+86 123", "-3", "@SUM(A1)", "'quoted", "\tTab", "\rCR", "a=b", "", "正常"]
    fields = [Field(f"c{n}", "string", "") for n in range(len(tricky))] + [Field("names", "names", "")]
    record = {f"c{n}": v for n, v in enumerate(tricky)} | {"names": ["=HYPERLINK()", "市教育局"]}
    text = b"".join(csv_chunks([record], fields)).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert row[:-1] == ["'=1+1", "'+86 123", "'-3", "'@SUM(A1)", "''quoted", "'\tTab", "'\rCR", "a=b", "", "正常"]
    assert row[-1] == "'=HYPERLINK()、市教育局"
    assert [restore(c) for c in row[:-1]] == tricky
    assert cell(None, "date") == "" and cell(2021, "integer") == "2021" and cell([7, 15], "line_range") == "7、15"
    assert cell(True, "boolean") == "true" and cell([], "progress") == ""
    assert cell([{"text": "=1"}], "progress") == '[{"text":"=1"}]'      # JSON text starts with [: never a formula


def test_csv_is_written_a_few_hundred_rows_at_a_time():
    fields = [Field("id", "string", "")]
    chunks = list(csv_chunks(({"id": f"x-{n}"} for n in range(3 * ROWS_PER_CHUNK + 1)), fields))
    assert len(chunks) == 5      # the header, three full chunks, the last row
    assert max(map(len, chunks)) < 20 * ROWS_PER_CHUNK
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 3 * ROWS_PER_CHUNK + 2


ENTRY = {"date": "2022-06-30", "status": "推进中", "as_printed": "", "percent": None, "text": "",
         "source": {"path": "sources/a.txt", "lines": [1, 2]}}


def validator(site):
    schema = json.loads((site / "data" / "items.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_items_json_is_valid_against_its_schema(data_site, records):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(data_site).iter_errors(records)]
    assert errors == []


@pytest.mark.parametrize("damage", [
    lambda r: r.pop("status"),
    lambda r: r.update(extra=1),
    lambda r: r.update(number="三"),
    lambda r: r.update(deadline="2021-13-45"),
    lambda r: r.update(deadline="2021年底"),
    lambda r: r.update(flags=["invented"]),
    lambda r: r.update(source_lines=[7]),
    lambda r: r.update(lead="市教育局"),
    lambda r: r.update(id=""),
    lambda r: r.update(year=1900),
    lambda r: r.update(title=None),
    lambda r: r.update(status="完成"),
    lambda r: r.update(overdue="否"),
    lambda r: r["progress"].append(ENTRY | {"status": "未见通报"}),     # no report is not a report's status
    lambda r: r["progress"].append(ENTRY | {"percent": 120}),
    lambda r: r["progress"].append(ENTRY | {"source": {"path": "sources/a.txt"}}),
    lambda r: r["progress"].append(ENTRY | {"source": {"url": "javascript:x", "title": "", "publisher": ""}}),
    lambda r: r["progress"].append({k: v for k, v in ENTRY.items() if k != "text"}),
])
def test_the_schema_rejects_records_that_break_the_contract(data_site, records, damage):
    record = copy.deepcopy(records[0])
    assert validator(data_site).is_valid([record])
    damage(record)
    assert list(validator(data_site).iter_errors([record])) != []


def test_the_data_package_validates_with_frictionless(data_site, records):
    package = frictionless.Package(str(data_site / "data" / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    assert [t.stats["rows"] for t in report.tasks] == [len(records), len(records)]
    descriptor = json.loads((data_site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        assert [f["name"] for f in resource["schema"]["fields"]] == NAMES
        assert all(f["description"] for f in resource["schema"]["fields"])
    assert descriptor["resources"][0]["bytes"] == (data_site / "data" / "items.csv").stat().st_size
    assert descriptor["licenses"][0]["name"] == META["license"]["name"]
    assert len(descriptor["sources"]) == len({r["list_id"] for r in records})


def test_an_unknown_field_type_is_refused_in_chinese(tmp_path):
    path = tmp_path / "opendata.yaml"
    path.write_text("title: t\nfields:\n- {name: a, type: text, description: 说明}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="未知的字段类型 a: text"):
        load_declaration(path)


def test_the_data_page_lists_every_download_with_its_size_and_every_column(data_site, records):
    html = (data_site / "data" / "index.html").read_text(encoding="utf-8")
    for name in ["items.csv", "items.json", "items.schema.json", "datapackage.json"]:
        file = data_site / "data" / name
        assert f'href="/data/{name}"' in html
        assert size(file.stat().st_size) in html
    for list_id in {r["list_id"] for r in records}:
        file = data_site / "data" / f"{list_id}.csv"
        assert f'href="/data/{list_id}.csv"' in html and size(file.stat().st_size) in html
    for name in NAMES + [e.name for f in FIELDS for e in f.entry]:
        assert f"<code>{name}</code>" in html
    assert META["license"]["path"] in html
    cited = re.search(r'<blockquote class="cite">.*?(https?://\S+?/)，', html, re.S)
    assert cited and any(cited.group(1).endswith(r["url"]) for r in records)


def test_the_data_page_names_the_newest_lists_and_counts_them_all(tmp_path):
    from archive.downloads import write_open_data
    from archive.pages import Site
    from archive.pages.data import LISTS_SHOWN, data_page
    from contentfixture import ITEM, LIST_YAML, make_project
    content = make_project(tmp_path)
    for batch in range(3, 3 + LISTS_SHOWN + 5):
        folder = content / f"weifang-2021-{batch}"
        folder.mkdir()
        (folder / "_list.yaml").write_text(LIST_YAML.replace("batch: 2", f"batch: {batch}")
                                           .replace("2021-07-30", f"2021-08-{batch:02d}"), encoding="utf-8")
        (folder / "01.md").write_text(ITEM.format(number=1), encoding="utf-8")
    archive, problems = build_archive(tmp_path, content)
    assert not [p for p in problems if p.is_error]
    written = write_open_data(archive, "https://example.org", lambda path, chunks: sum(map(len, chunks)))
    context = data_page(Site(archive, [], tmp_path), lambda: written)
    assert context["list_total"] == LISTS_SHOWN + 6
    assert [l["csv"] for l in context["lists"]] == [f"/data/weifang-2021-{b}.csv"
                                                   for b in range(LISTS_SHOWN + 7, 7, -1)]
    assert context["list_csv_size"] == size(sum(written[f"data/{l.id}.csv"].bytes for l in archive.lists))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    | st.dictionaries(st.integers(0, 9), inner, max_size=2),
    max_leaves=20)


@given(JSON_VALUES, st.sampled_from(["\n", "\n "]))
def test_indented_is_what_json_dumps_writes(value, pad):
    """items.json's records are written by `indented`, not json.dumps: byte for byte the same text."""
    assert indented(value, pad) == json.dumps(value, ensure_ascii=False, indent=1).replace("\n", pad)
