"""The generic importer, on small fixtures: each recognised format, each label synonym,
numbering styles, Traditional characters and pinyin, encodings, writing list folders."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from archive.importer import SourceDecodeError, decode_bytes, front_matter, load_labels, parse
from archive.importer.files import scalar
from archive.importer.markdown_body import render
from archive.importer.numbering import cn_to_int

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"


def items(text: str) -> list[dict]:
    return [it.as_json() for it in parse(text).items]


def fixture(name: str) -> list[dict]:
    text, _ = decode_bytes((FIXTURES / name).read_bytes())
    return items(text)


def run_import(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "import", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True)


# ---------------------------------------------------------------- formats of the five sources

LABELLED = """\
某市公布重点民生项目清单

一、高质量实施课后延时服务

事项内容:推动各地多渠道筹资,完善课后服务。

完成时限:2021年12月底

牵头部门:市教育局(市委教育工委) 配合部门:市发改委、市财政局

二、开展安心乘梯守护行动

事项内容:加快推进电梯责任保险

落地;提升电梯困人应急处置效能。

完成时限:2021年供暖季前

牵头部门:市市场监督管理局

记者 张三
"""


def test_labelled_field_paragraphs_with_fields_sharing_a_line():
    result = parse(LABELLED)
    one, two = [it.as_json() for it in result.items]
    assert one["number"] == 1 and one["title"] == "高质量实施课后延时服务"
    assert one["body"] == "推动各地多渠道筹资,完善课后服务。"
    assert one["deadline_text"] == "2021年12月底"
    assert one["lead"] == ["市教育局(市委教育工委)"] and one["partners"] == ["市发改委", "市财政局"]
    assert one["source_lines"] == [3, 9]
    assert two["body"] == "加快推进电梯责任保险落地;提升电梯困人应急处置效能。"   # a wrapped sentence is joined
    assert two["partners"] == [] and two["deadline_text"] == "2021年供暖季前"
    assert [(no, text) for no, text, _ in result.unplaced] == [(21, "记者 张三")]
    assert (1, "某市公布重点民生项目清单", "preamble") in result.metadata_lines


CATEGORIES = """\
一、加强特殊困难群体关爱服务保障
1.提高困难群众救助保障水平
具体措施:将救助保障标准再提高10%,确保资金及时足额发放到位。
2.实施扶贫特惠保险
具体措施:为脱贫享受政策人口购买医疗商
业补充保险和意外伤害保险。
二、推动实现更高质量的就业
3.保障重点群体就业
具体措施:年内城镇新增就业9万人,高校毕业生总体就业率
90%以上。
"""


def test_numbered_items_under_category_headings():
    got = items(CATEGORIES)
    assert [(it["number"], it["category"]) for it in got] == [
        (1, "加强特殊困难群体关爱服务保障"), (2, "加强特殊困难群体关爱服务保障"), (3, "推动实现更高质量的就业")]
    assert got[1]["body"] == "为脱贫享受政策人口购买医疗商业补充保险和意外伤害保险。"
    assert got[2]["body"] == "年内城镇新增就业9万人,高校毕业生总体就业率90%以上。"
    assert got[0]["source_lines"] == [2, 3]


TABLE_THEN_MEASURES = """\
**市2024年实施民生实事落实方案
一、年度目标任务
类别 | 序号 | 年度目标任务 | 牵头 单位 |
一、 促进 就业 (2项) | 1 | 促进重点群体稳定就业。 | 市人社 局 |
2 | 实施放心家政行动。 | 市商 务局 | |
二、 教育 ** (1项) | 3 | 实施老有所学行动。 | ****体育局 |
二、推进措施
(一)促进就业(2项)
1.促进重点群体稳定就业。(牵头单位:市人社局)
推进措施:
(1)实施稳就业提质扩量服务。
(2)对认定的社区给予奖补。
2.实施放心家政行动。(牵头单位:市商务局)
推进措施:
按照省里要求推进。
(二)教育**(1项)
3.实施老有所学行动。(牵头单位:****体育局)
推进措施:
(1)持续扩大老年教育供给。
(2****学校示范点位建设。
"""


def test_pipe_table_then_items_with_measures():
    result = parse(TABLE_THEN_MEASURES)
    got = [it.as_json() for it in result.items]
    assert [it["number"] for it in got] == [1, 2, 3]
    assert [it["category"] for it in got] == ["促进就业", "促进就业", "教育**"]
    assert got[0]["title"] == "促进重点群体稳定就业。" and got[0]["lead"] == ["市人社局"]
    assert got[0]["body"] == "1. 实施稳就业提质扩量服务。\n2. 对认定的社区给予奖补。"
    assert got[1]["body"] == "按照省里要求推进。"
    assert got[2]["body"] == "1. 持续扩大老年教育供给。\n2. ****学校示范点位建设。"   # "(2" + redacted ")"
    assert got[2]["flags"] == ["redacted"] and got[0]["flags"] == []
    assert got[0]["source_lines"] == [9, 12]
    assert {no for no, _, role in result.metadata_lines if role == "table"} == {3, 4, 5, 6}
    assert result.unplaced == [] and result.notices == []


FRAGMENT_AND_INTERLEAVED = """\
我市公布重点民生项目清单(第一批)

(上接第1版)

完成时限:2021年12月底

牵头部门:市水务局

三、提高困难群众救助保障水平

事项内容:提高救助保障标准,力争年内全部达到三级乙

完成时限:2021年6月底

牵头部门:市民政局

等医院服务水平。

五、关心关爱军人军属

事项内容:持续推进“为烈士寻亲”活动。

完成时限:长期坚持

牵头部门:市退役军人事务局

高校招生咨询会 6月28日
"""


def test_fragment_before_the_first_item_and_text_after_the_fields():
    result = parse(FRAGMENT_AND_INTERLEAVED)
    got = [it.as_json() for it in result.items]
    assert [it["number"] for it in got] == [2, 3, 5]
    fragment = got[0]
    assert fragment["title"] == "" and fragment["flags"] == ["fragment"] and fragment["body"] == ""
    assert fragment["lead"] == ["市水务局"] and fragment["source_lines"] == [5, 7]
    three = got[1]
    assert three["body"] == "提高救助保障标准,力争年内全部达到三级乙\n\n等医院服务水平。"
    assert three["flags"] == ["uncertain"] and "第17行" in three["note"]
    assert [no for no, _, _ in result.unplaced] == [27]
    assert {no for no, _, role in result.metadata_lines if role == "preamble"} == {1, 3}
    meta = result.metadata
    assert meta["batch"] == 1 and meta["title"] == "我市公布重点民生项目清单(第一批)" and meta["year"] == 2021


# ---------------------------------------------------------------- formats of other cities

def test_table_flattened_one_cell_per_line_with_repeated_header_and_merged_cell():
    got = fixture("cell_table.txt")
    assert [(it["number"], it["title"], it["lead"], it["deadline_text"]) for it in got] == [
        (1, "新建城市书房5处", ["区文旅局"], "2023年12月底"),
        (2, "改造老旧小区12个", ["区住建局"], "2023年10月底"),
        (3, "新增停车泊位800个", ["区城管局"], "2023年10月底"),
        (4, "实施道路照明提升工程", ["区城管局"], "2023年9月底")]
    assert got[2]["flags"] == ["uncertain"] and "合并单元格" in got[2]["note"]
    assert got[3]["source_lines"] == [21, 24]


def test_pipe_table_with_sub_row_repeated_header_and_status_columns():
    got = fixture("pipe_table.txt")
    assert [it["number"] for it in got] == [1, 2, 3]
    assert got[0]["status"] == "已完成改造80公里,占年度任务的85% 是"      # progress columns, in column order
    assert got[1]["lead"] == ["县水利局", "县卫健局"] and got[1]["body"] == "同步实施水质提升"
    assert got[1]["flags"] == ["uncertain"] and got[1]["source_lines"] == [4, 5]
    assert got[2]["lead"] == ["县教体局", "县财政局"]


def test_progress_report_keeps_status():
    got = fixture("progress_report.txt")
    assert [it["title"] for it in got] == ["新建公办幼儿园3所", "改造农贸市场2处"]
    assert got[0]["status"] == "当前进度：95%\n1-11月推进情况：3所幼儿园主体已完工，正在进行内部装修。"
    assert got[0]["deadline_text"] == "2022年8月底" and got[0]["lead"] == ["区教育局"]


def test_circled_numerals_in_one_line_each():
    got = fixture("circled.txt")
    assert [(it["number"], it["title"], it["lead"]) for it in got] == [
        (1, "新建社区食堂2处。", ["民政办"]), (2, "改造背街小巷5条。", ["城建办"]),
        (3, "开展免费体检1000人次。", ["社会事务办"])]


def test_circled_numerals_within_one_paragraph():
    got = items("街道实事\n①新建社区食堂2处；②改造背街小巷5条；③开展免费体检。\n")
    assert [(it["number"], it["title"], it["source_lines"]) for it in got] == [
        (1, "新建社区食堂2处", [2, 2]), (2, "改造背街小巷5条", [2, 2]), (3, "开展免费体检", [2, 2])]      # the 。 closes the list, not the item


def test_unnumbered_items_in_one_paragraph_separated_by_semicolons():
    result = parse((FIXTURES / "semicolon_paragraph.txt").read_text(encoding="utf-8"))
    assert [it.title for it in result.items] == ["修建村内道路3公里", "新建文化广场2处", "改造农村危房20户",
                                                 "为60岁以上老人免费体检"]
    assert [it.number for it in result.items] == [1, 2, 3, 4]
    roles = {(no, role) for no, _, role in result.metadata_lines}
    assert (2, "intro") in roles and (3, "after the list") in roles


def test_unnumbered_title_line_followed_by_labelled_lines():
    got = fixture("title_then_labels.txt")
    assert [(it["number"], it["title"], it["lead"], it["partners"], it["deadline_text"]) for it in got] == [
        (1, "新建社区养老服务中心3处。", ["区民政局"], [], "2021年10月底"),
        (2, "实施老旧管网改造20公里。", ["区住建局"], ["区财政局"], "2021年12月底")]
    assert got[1]["source_lines"] == [5, 8]


def test_lead_given_once_in_a_group_header():
    got = fixture("group_lead.txt")
    assert [(it["number"], it["lead"]) for it in got] == [
        (1, ["区委办公室"]), (2, ["区委办公室"]), (3, ["区教育局"]), (4, ["区教育局"])]
    assert got[0]["title"] == "建立群众诉求快速响应机制"


def test_fields_inline_on_the_title_line():
    got = fixture("inline_fields.txt")
    assert got[0]["title"] == "农村道路畅通工程" and got[0]["lead"] == ["市交通局"]
    assert got[1]["title"] == "城乡供水一体化工程" and got[1]["partners"] == ["市财政局", "市住建局"]
    assert got[1]["deadline_text"] == "2022年12月底"


def test_page_that_starts_in_the_middle_of_an_item():
    got = fixture("fragment_start.txt")
    assert [it["number"] for it in got] == [24, 25]
    assert got[0]["title"] == "" and got[0]["flags"] == ["fragment"]
    assert got[0]["body"] == "城区段年底前全部完工，确保群众出行安全。" and got[0]["lead"] == ["市交通局"]


def test_page_that_stops_in_the_middle_of_an_item():
    got = fixture("fragment_stop.txt")
    assert got[1]["number"] == 6 and got[1]["flags"] == ["fragment"]
    assert got[1]["body"] == "新开通公交线路5条，优化调整线路" and got[0]["flags"] == []


def test_traditional_characters_pinyin_and_full_width_punctuation():
    got = fixture("traditional_pinyin.txt")
    assert got[0]["title"] == "改善農村供水"                      # text kept as published
    assert got[0]["lead"] == ["市水務局"] and got[0]["partners"] == ["市財政局"]
    assert got[0]["body"] == "完成50個村供水改造。" and got[0]["deadline_text"] == "2021年12月底"
    assert got[1]["body"] == "1. 新建小學2所；\n2. 改擴建中學1所。" and got[1]["lead"] == ["市教育局"]


# ---------------------------------------------------------------- labels, numbering, colons

LABELS = load_labels()


@pytest.mark.parametrize("role,label", [(r, l) for r in ("lead", "partners", "deadline", "body", "status")
                                        for l in LABELS.by_role[r]])
@pytest.mark.parametrize("colon", [":", "："])
def test_every_label_synonym(role, label, colon):
    text = f"一、某事项\n{label}{colon}甲乙丙\n二、另一事项\n牵头部门:丁\n"
    first = parse(text).items[0]
    got = {"lead": first.lead, "partners": first.partners, "deadline": first.deadline_text,
           "body": first.body, "status": first.status}
    assert got[role] in (["甲乙丙"], "甲乙丙")
    assert all(not v for r, v in got.items() if r != role)


@pytest.mark.parametrize("label", ["進展情況", "1-11月推进情况", "1—6月份进展情况", "責(zé)任單(dān)位",
                                   "牽（qiān）頭部門", "完成時間"])
def test_label_variants(label):
    it = parse(f"1.某事项\n{label}：甲\n").items[0]
    assert "甲" in (it.status, it.deadline_text, *it.lead)


@pytest.mark.parametrize("heading,number", [
    ("一、", 1), ("十二、", 12), ("二十六、", 26), ("1.", 1), ("1、", 1), ("１．", 1), ("12.", 12),
    ("(一)", 1), ("（三）", 3), ("(1)", 1), ("（12）", 12), ("①", 1), ("⑩", 10)])
def test_numbering_styles(heading, number):
    it = parse(f"清单\n{heading}新建学校\n牵头单位:市教育局\n").items[0]
    assert (it.number, it.title, it.lead) == (number, "新建学校", ["市教育局"])


def test_chinese_numerals():
    assert [cn_to_int(s) for s in ("一", "十", "十一", "二十", "二十六", "九十九", "一百零三", "两")] == \
        [1, 10, 11, 20, 26, 99, 103, 2]
    assert cn_to_int("十x") is None


def test_a_number_that_is_not_a_list_item():
    got = items("一、新建学校\n事项内容:\n2.5万人受益的工程。\n完成时限:2021年底\n")
    assert got[0]["body"] == "2.5万人受益的工程。"


def test_department_lists():
    it = parse("一、事项\n牵头部门:市大数据局\n配合部门:市直有关部门、单位,各县市区；市教育局(含市委教育工委、体育)。\n").items[0]
    assert it.partners == ["市直有关部门、单位", "各县市区", "市教育局(含市委教育工委、体育)"]


# ---------------------------------------------------------------- encodings

SAMPLE = "清单\n一、新建学校\n完成时限：2021年底\n牵头单位：市教育局\n"


@pytest.mark.parametrize("encode", [
    lambda s: s.encode("utf-8"), lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    lambda s: s.replace("\n", "\r\n").encode("utf-8"), lambda s: s.replace("\n", "\r").encode("utf-8"),
    lambda s: s.encode("gbk"), lambda s: s.replace("\n", "\r\n").encode("gb18030"),
    lambda s: s.encode("utf-16")])
def test_encodings_and_line_endings(encode):
    text, _ = decode_bytes(encode(SAMPLE))
    assert text == SAMPLE
    it = parse(text).items[0]
    assert (it.title, it.lead, it.source_lines) == ("新建学校", ["市教育局"], [2, 4])


def test_undecodable_input_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(SourceDecodeError, match="UTF-8"):
        decode_bytes(b"\xff\x80\x80\xff\xfe")
    with pytest.raises(SourceDecodeError, match="NUL"):
        decode_bytes(b"abc\x00def")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\x80\x80\xff\xfe")
    proc = run_import(bad, "--out", tmp_path / "content")
    assert proc.returncode == 2 and "convert it to UTF-8" in proc.stderr
    assert not (tmp_path / "content").exists()


# ---------------------------------------------------------------- Markdown and YAML

def test_body_markdown():
    assert render([("p", "第一段。", 1), ("m", 1, "措施一", 2), ("m", 2, "措施二。", 3), ("p", "结尾。", 4)]) == \
        "第一段。\n\n1. 措施一\n2. 措施二。\n\n结尾。"
    assert render([("p", "1. 不是列表", 1)]) == "1\\. 不是列表"
    assert render([("p", "- 不是列表", 1)]) == "\\- 不是列表"
    assert render([("p", "****社区建设。", 1)]) == "****社区建设。"        # redactions as printed
    assert render([("m", 3, "措施三，未完", 1), ("p", "续文。", 2)]) == "3. 措施三，未完续文。"


@pytest.mark.parametrize("value", ["*", "****敬老院", ":", "a: b", "#", "a #b", "-", "- x", "[", "{x}", "2021",
                                   "2021-07-30", "yes", "no", "null", "~", "“国家优质服务基层行”", "", " x",
                                   "市直有关部门、单位,各县市区", "5:5", "'", '"', "@", "%", "a\nb", "\u2028"])
def test_yaml_scalars_read_back_exactly(value):
    assert yaml.safe_load(f"k: {scalar(value)}")["k"] == value
    assert yaml.safe_load(f"k: [{scalar(value, flow=True)}]")["k"] == [value]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.lists(st.text(max_size=12), max_size=4))
def test_front_matter_round_trips(title, names):
    data = {"number": 3, "title": title, "category": "", "deadline": title, "lead": names, "partners": [],
            "source_lines": [1, 2], "flags": ["redacted"]}
    assert yaml.safe_load(front_matter(data)) == data


def test_front_matter_key_order():
    text = front_matter({"status": "x", "number": 1, "title": "t", "flags": [], "lead": ["甲"]})
    assert [line.split(":")[0] for line in text.splitlines()] == ["number", "title", "lead", "flags", "status"]


# ---------------------------------------------------------------- the command

def test_dry_run_json_writes_nothing(tmp_path):
    src = tmp_path / "list.txt"
    src.write_text(LABELLED, encoding="utf-8")
    proc = run_import(src, "--dry-run", "--json", "--out", tmp_path / "content")
    assert proc.returncode == 0 and not (tmp_path / "content").exists()
    got = json.loads(proc.stdout)
    assert [sorted(it) for it in got][0] == sorted(["number", "title", "category", "body", "deadline_text",
                                                    "lead", "partners", "source_lines", "flags"])
    assert f"{src}:21: not placed" in proc.stderr


def test_write_rerun_refuse_force(tmp_path):
    src = tmp_path / "list.txt"
    src.write_text(LABELLED, encoding="utf-8")
    out = tmp_path / "content"
    proc = run_import(src, "--out", out, "--list-id", "demo-2021")
    assert proc.returncode == 0, proc.stderr
    folder = out / "demo-2021"
    assert sorted(p.name for p in folder.iterdir()) == ["01.md", "02.md", "_list.yaml"]
    meta = yaml.safe_load((folder / "_list.yaml").read_text(encoding="utf-8"))
    assert meta["year"] == 2021 and meta["title"] == "某市公布重点民生项目清单" and meta["jurisdiction"] == ""
    one = (folder / "01.md").read_text(encoding="utf-8")
    assert one.startswith("---\nnumber: 1\ntitle: 高质量实施课后延时服务\n")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    again = run_import(src, "--out", out, "--list-id", "demo-2021")
    assert again.returncode == 0 and "unchanged, nothing written" in again.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    (folder / "02.md").write_text(one.replace("高质量", "高品质"), encoding="utf-8")      # an editor's correction
    (folder / "_list.yaml").write_text("jurisdiction: shandong/weifang\n", encoding="utf-8")
    refused = run_import(src, "--out", out, "--list-id", "demo-2021")
    assert refused.returncode == 1 and "02.md" in refused.stderr and "01.md" not in refused.stderr.split("refusing")[1]
    assert "高品质" in (folder / "02.md").read_text(encoding="utf-8")

    forced = run_import(src, "--out", out, "--list-id", "demo-2021", "--force")
    assert forced.returncode == 0
    assert (folder / "02.md").read_bytes() == before["02.md"]
    assert (folder / "_list.yaml").read_text(encoding="utf-8") == "jurisdiction: shandong/weifang\n"


def test_labels_file_is_plain_data():
    data = yaml.safe_load((ROOT / "archive" / "importer" / "labels.yaml").read_text(encoding="utf-8"))
    seen = [label for role in ("body", "deadline", "lead", "partners", "status") for label in data[role]]
    assert len(seen) == len(set(seen))
    assert {"牵头部门", "牵头单位", "责任单位", "主办单位"} <= set(data["lead"])
    assert {"配合部门", "配合单位", "协办单位", "责任部门"} <= set(data["partners"])
    assert {"完成时限", "完成时间", "时间节点"} <= set(data["deadline"])
    assert {"事项内容", "具体措施", "推进措施", "主要内容"} <= set(data["body"])
    assert {"进展情况", "当前进度", "是否达序"} <= set(data["status"])


# ---------------------------------------------------------------- never drop text

POOL = ["一、新建学校", "二十、改造道路", "(一)分类标题(3项)", "1.农村道路畅通工程", "2、城乡供水", "(1)措施一。",
        "（2）措施二，", "①社区食堂；②背街小巷", "事项内容:建设内容。", "具体措施:", "完成时限:2021年12月底",
        "牵头部门:市教育局 配合部门:市财政局、单位", "責(zé)任單(dān)位：市水務局", "当前进度:95%",
        "序号 | 项目 | 责任单位 |", "1 | 新建书房 | 区文旅局 |", "| 子行 | 区财政局 |", "序号", "项目", "责任单位", "3",
        "区委办公室(8项)", "修建道路；新建广场；改造危房", "正文一句没有结束", "（上接第1版）", "****社区建设。",
        "2021-07-30 大众报业", "", "   ", "0", "|", "1.5万人", "：", "(4****社区"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(POOL), max_size=25))
def test_every_line_ends_up_somewhere(lines):
    text = "\n".join(lines) + "\n"
    result = parse(text)
    covered = {no for no, _, _ in result.metadata_lines} | {no for no, _, _ in result.unplaced}
    for it in result.items:
        assert it.number is not None and it.source_lines[0] <= it.source_lines[1]
        covered.update(range(it.source_lines[0], it.source_lines[1] + 1))
        assert yaml.safe_load(front_matter({"title": it.title, "lead": it.lead}))["lead"] == it.lead
    for no, line in enumerate(lines, 1):
        if line.strip():
            assert no in covered, (no, line, text)


def test_table_rows_without_a_text_item_are_reported():
    result = parse("序号 | 项目 | 责任单位 |\n1 | 甲 | 市局 |\n9 | 乙 | 县局 |\n1.甲\n牵头单位:市局\n")
    assert [it.number for it in result.items] == [1]
    assert any("no item 9" in n for n in result.notices)
    assert {no for no, _, role in result.metadata_lines if role == "table"} == {1, 2, 3}
