"""Each layout reader on small invented fixtures: what it detects, what it reads, what it
flags as uncertain, and what the importer says when no reader finds anything."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.importer import read_document
from archive.importer.doc import Doc
from archive.importer.labels import load_labels
from archive.importer.readers import choose

ROOT = Path(__file__).resolve().parent.parent


def read(text: str):
    items, unplaced, diagnosis = read_document(text.split("\n"))
    return items, unplaced, diagnosis


def fields(it):
    return (it.number, it.title, it.lead, it.partners, it.deadline_text, it.status)


def winner(text: str) -> str:
    doc = Doc.from_text(text, load_labels())
    from archive.importer.readers import tables
    tables.find(doc)
    best = choose(doc)
    return best.NAME if best else ""


# ---------------------------------------------------------------- headings

GROUPS = """某区办实事项目公示
区文旅局(2项)
1.项目名称:城市书房建设。工作进展:已开放3家。
2.项目名称:夜间公园开放。工作进展:试运行中。
区卫健局（1项）
1.项目名称:家庭医生签约。工作进展:签约率达70%,区文旅局配合宣传。
"""


def test_headings_group_header_gives_the_lead_and_numbering_restarts():
    items, unplaced, _ = read(GROUPS)
    assert [fields(it) for it in items] == [
        (1, "城市书房建设", ["区文旅局"], [], "", "已开放3家。"),
        (2, "夜间公园开放", ["区文旅局"], [], "", "试运行中。"),
        (1, "家庭医生签约", ["区卫健局"], [], "", "签约率达70%,区文旅局配合宣传。")]
    assert unplaced == [] and {it.reader for it in items} == {"headings"}


def test_headings_units_in_a_trailing_bracket_group_and_list_separators():
    items, _, _ = read("实事如下:\n①修缮祠堂2处(县文旅局、县住建局);\n②开通公交专线(每日6班)(县交通局);\n"
                       "③新建公厕;\n④绿化河堤(城关镇)。\n")
    assert [(it.title, it.lead) for it in items] == [
        ("修缮祠堂2处", ["县文旅局", "县住建局"]), ("开通公交专线(每日6班)", ["县交通局"]),
        ("新建公厕", []), ("绿化河堤(城关镇)", [])]          # 城关镇 alone is a place, not a unit


def test_headings_page_break_inside_a_unit_list_is_joined_and_flagged():
    text = ("1.新建菜市场。\n牵头单位:区商务局\n配合单位:区城管局、\n— 4 —\n序号 项目名称 牵头单位 配合单位\n"
            "各街道办事处\n完成时限:9月底前\n2.新增车位。\n牵头单位:区交警大队\n")
    items, _, _ = read(text)
    one = items[0]
    assert one.partners == ["区城管局", "各街道办事处"] and one.deadline_text == "9月底前"
    assert "uncertain" in one.flags and one.note.startswith("配合单位：第6行") and one.uncertain_fields == ["partners"]


def test_headings_item_glued_after_a_sentence_is_split():
    items, _, _ = read("一、修路,牵头部门:县交通局。已完工。二、修桥,牵头部门:县水利局。在建。\n三、建站,牵头部门:县民政局。\n")
    assert [(it.number, it.title, it.lead) for it in items] == [
        (1, "修路", ["县交通局"]), (2, "修桥", ["县水利局"]), (3, "建站", ["县民政局"])]


# ---------------------------------------------------------------- progress

REPORT = """某县民生实事第二季度进展情况通报
一、改造供热管网5公里(县住建局)
已完成3公里,
剩余路段7月开工。
二、新建养老院1所(县民政局、县卫健局)
主体封顶。一是加快装修;二是招聘护理员。
县政府办公室
2024年7月5日
"""


def test_progress_report_text_is_status_and_the_signature_is_not():
    assert winner(REPORT) == "progress"
    items, _, _ = read(REPORT)
    assert [fields(it) for it in items] == [
        (1, "改造供热管网5公里", ["县住建局"], [], "", "已完成3公里, 剩余路段7月开工。"),
        (2, "新建养老院1所", ["县民政局", "县卫健局"], [], "", "主体封顶。一是加快装修;二是招聘护理员。")]
    assert items[1].source_lines == [5, 6] and items[0].body == ""


def test_progress_office_glued_after_the_last_sentence_is_a_flagged_signature():
    items, _, _ = read("进展通报\n1、修路,牵头部门:县交通局。完成八成。\n2、修桥,牵头部门:县水利局。已通车。 县交通办\n")
    assert items[1].status == "已通车。" and "uncertain" in items[1].flags and "县交通办" in items[1].note


# ---------------------------------------------------------------- labelled

LABELLED = """某县十件实事分解
類別 教育(jiào)
新建幼兒園2所。
責(zé)任單(dān)位:縣教育局
主管領導:李某某
進度安排:6月開工;12月竣工。
改造校舍。
責任單位:縣教育局,縣財政局
"""


def test_labelled_unnumbered_items_are_numbered_by_position_and_flagged():
    assert winner(LABELLED) == "labelled"
    items, _, _ = read(LABELLED)
    assert [fields(it) for it in items] == [
        (1, "新建幼兒園2所。", ["縣教育局"], [], "6月開工;12月竣工。", ""),
        (2, "改造校舍。", ["縣教育局", "縣財政局"], [], "", "")]
    assert items[0].category == "教育(jiào)" and all("uncertain" in it.flags and "序号" in it.note for it in items)


# ---------------------------------------------------------------- inline list

@pytest.mark.parametrize("a,b,c", [("1.", "2.", "3."), ("(1)", "(2)", "(3)"), ("（1）", "（2）", "（3）"),
                                   ("①", "②", "③"), ("一是", "二是", "三是"), ("1、", "2、", "3、")])
def test_inline_numbered_list_in_one_paragraph(a, b, c):
    text = f"今年办好三件事:{a}硬化村道8公里;{b}建设文化广场;{c}为老人体检。\n"
    items, _, _ = read(text)
    assert [(it.number, it.title) for it in items] == [(1, "硬化村道8公里"), (2, "建设文化广场"), (3, "为老人体检")]
    assert {it.reader for it in items} == ({"headings"} if a == "①" else {"inline_list"})   # ① lines are split early


def test_inline_labels_and_a_unit_list_followed_by_other_text():
    text = ("半年进展公布如下。 1.修建步道3公里。 责任单位:市住建局 实际完成情况:完成2公里。"
            " 2.新建驿站5个。 责任单位:市总工会 配合单位:各区人民政府 甲区 乙区 合计 2 3 5"
            " 3.更新路灯1.5万盏。 牵头领导:赵某某 责任单位:市城管局 实际完成情况:完成60%。\n")
    items, _, _ = read(text)
    assert [fields(it) for it in items] == [
        (1, "修建步道3公里。", ["市住建局"], [], "", "完成2公里。"),
        (2, "新建驿站5个。", ["市总工会"], ["各区人民政府"], "", "甲区 乙区 合计 2 3 5"),
        (3, "更新路灯1.5万盏。", ["市城管局"], [], "", "完成60%。")]
    assert "uncertain" in items[1].flags and "配合单位" in items[1].note and items[1].uncertain_fields == ["partners"]


def test_inline_semicolon_list_without_numbers():
    items, _, _ = read("实事是:修路;建桥;挖渠;植树。\n")
    assert [it.title for it in items] == ["修路", "建桥", "挖渠", "植树"]
    assert all("uncertain" in it.flags for it in items)


def test_inline_list_ends_at_the_sentence_that_closes_it():
    items, _, _ = read("推进会\n会议明确五件实事：一是新建卫生院；二是硬化道路12公里；三是新建广场。会议要求倒排工期。\n")
    assert [(it.number, it.title, it.source_lines) for it in items] == [
        (1, "新建卫生院", [2, 2]), (2, "硬化道路12公里", [2, 2]), (3, "新建广场", [2, 2])]


def test_inline_quoted_names_joined_by_commas():
    items, _, _ = read("新闻\n今年将实施“暖心工程”、“安居工程”、“光明工程”。\n")
    assert [(it.number, it.title) for it in items] == [(1, "“暖心工程”"), (2, "“安居工程”"), (3, "“光明工程”")]
    assert all("uncertain" in it.flags for it in items)


# ---------------------------------------------------------------- paragraphs

PARAGRAPHS = """某县2023年十件民生实事
县人大会议票决通过了今年的民生实事项目，具体如下：
新建城东幼儿园，新增学位360个。
改造老旧小区8个，惠及居民2100户。
为全县65岁以上老人免费体检。
实施城区背街小巷改造；
据了解，上述项目总投资约3.2亿元，县政府将按月调度推进，年底前全部完成，确保群众满意，并将结果向社会公开，接受人大代表和群众的监督评议。
县融媒体中心
"""


def test_unnumbered_parallel_paragraphs_after_an_introduction():
    assert winner(PARAGRAPHS) == "paragraphs"
    items, unplaced, _ = read(PARAGRAPHS)
    assert [(it.number, it.title) for it in items] == [
        (1, "新建城东幼儿园，新增学位360个"), (2, "改造老旧小区8个，惠及居民2100户"), (3, "为全县65岁以上老人免费体检"),
        (4, "实施城区背街小巷改造")]
    assert all("uncertain" in it.flags and it.uncertain_fields == ["number"] for it in items)
    assert unplaced == []           # the closing paragraph and the byline are list metadata


def test_paragraphs_lose_to_numbers():
    text = "办好以下实事：\n1.新建学校。\n2.改造道路。\n3.建设公园。\n4.新建公厕。\n"
    assert winner(text) == "headings"


# ---------------------------------------------------------------- tables

def test_cell_table_with_a_category_column_before_the_number():
    text = ("项目表\n类别\n序号\n项目名称\n责任单位\n完成时限\n教育\n1\n新建小学1所\n**局\n12月底\n"
            "2\n改造校舍\n县教育局\n10月底\n医疗\n3\n新建卫生院\n县卫健局\n11月底\n")
    items, unplaced, _ = read(text)
    assert [(it.number, it.title, it.lead, it.category, it.deadline_text, it.source_lines) for it in items] == [
        (1, "新建小学1所", ["**局"], "教育", "12月底", [7, 11]), (2, "改造校舍", ["县教育局"], "教育", "10月底", [12, 15]),
        (3, "新建卫生院", ["县卫健局"], "医疗", "11月底", [16, 20])]     # 新建卫生院: a project, not a unit
    assert items[0].flags == ["redacted"] and unplaced == []


def test_vote_count_table_keeps_the_votes_out_of_the_fields():
    items, _, _ = read("票决结果\n序号\n项目名称\n得票数\n1\n新建学校\n56\n2\n改造道路\n49\n")
    assert [(it.number, it.title, it.body, it.status) for it in items] == [(1, "新建学校", "56", ""),
                                                                         (2, "改造道路", "49", "")]


CELLS = """附件
序号

实事项目

责任单位

时间节点

当前进度
8
新建停车场2处。
区城管局
区交警大队
10月底前
60%
9
改造公厕20座。
区城管局
12月底前
已完成12座
同步改造化粪池。
11月底前
10
建设口袋公园。
区园林局
年底前
— 2 —
序号
实事项目
责任单位
时间节点
当前进度
已完成设计
【关闭窗口】
"""


def test_cell_table_rebuilt_by_what_each_column_holds():
    assert winner(CELLS) != "table"
    items, unplaced, _ = read(CELLS)
    assert [fields(it) for it in items] == [
        (8, "新建停车场2处。", ["区城管局", "区交警大队"], [], "10月底前", "60%"),
        (9, "改造公厕20座。", ["区城管局"], [], "12月底前", "已完成12座"),
        (10, "建设口袋公园。", ["区园林局"], [], "年底前", "已完成设计")]
    assert "uncertain" in items[1].flags and "同步改造化粪池" in items[1].body    # the sub-row
    assert [no for no, _, _ in unplaced] == []


def test_cell_table_with_bars_and_people_left_out():
    text = ("序号 |\n事项 |\n分管 领导 |\n牵头 单位 |\n是否序时 |\n说明 |\n"
            "5 |\n增设路灯。 |\n钱某某 |\n镇建设办 |\n是 |\n||\n"
            "6 |\n疏浚河道。 |\n孙某某 |\n镇水利站 |\n否 |\n汛期推迟。 |\n|\n")
    items, _, _ = read(text)
    assert [fields(it) for it in items] == [(5, "增设路灯。", ["镇建设办"], [], "", "是"),
                                            (6, "疏浚河道。", ["镇水利站"], [], "", "否 汛期推迟。")]


def test_pipe_table_continuation_rows_and_status_in_column_order():
    text = ("| 序号 | 项目名称 | 年度目标 | 责任单位 | 一季度进展 | 是否序时 |\n|---|---|---|---|---|---|\n"
            "| 1 | 农贸市场 | 改造2个 | 县商务局,县城管局 | 完成设计 | 是 |\n续建1个 | ||||\n"
            "| 2 | 公交站亭 | 新建30座 | 县交通局 | | 否 |\n")
    items, _, _ = read(text)
    assert [fields(it) for it in items] == [(1, "农贸市场", ["县商务局", "县城管局"], [], "", "完成设计 是"),
                                            (2, "公交站亭", ["县交通局"], [], "", "否")]
    assert "改造2个" in items[0].body


RUNON = ("预览文档.docx\n1、某镇2025年实事分解表序号实事名称主要内容镇分管领导牵头单位配合单位1道路硬化"
         "完成村道硬化8公里,惠及3个村。周某某镇建设办镇财政所、各村2饮水安全改造新建水厂1座。吴某某镇水利站镇卫生院各\n"
         "2、村序号实事名称主要内容镇分管领导牵头单位配合单位3文化广场建设新建广场2处。周某某镇文化站\n")


def test_runon_viewer_table_rebuilt_from_the_shapes_of_values():
    items, unplaced, _ = read(RUNON)
    assert [fields(it) for it in items] == [
        (1, "道路硬化", ["镇建设办"], ["镇财政所", "各村"], "", ""),
        (2, "饮水安全改造", ["镇水利站"], ["镇卫生院", "各村"], "", ""),      # "各" / "2、村": the viewer's cut
        (3, "文化广场建设", ["镇文化站"], [], "", "")]
    assert items[0].body == "完成村道硬化8公里,惠及3个村。" and all("uncertain" in it.flags for it in items)
    assert "周某某" not in str([fields(it) for it in items]) and unplaced == []


# ---------------------------------------------------------------- never silent

def test_no_items_gives_a_diagnosis_naming_lines():
    items, _, diagnosis = read("情况说明\n序号\n项目内容\n当前进度\n牵头单位\n备注\n详见附件。\n")
    assert items == []
    assert any(d.startswith("第2行") and "5列" in d and "序号/项目内容/当前进度/牵头单位/备注" in d for d in diagnosis)
    _, _, plain = read("会议纪要\n大家认真讨论。\n")
    assert plain and "没有编号" in plain[0]


def test_import_command_exits_non_zero_and_explains(tmp_path):
    src = tmp_path / "memo.txt"
    src.write_text("会议纪要\n编号\n名称\n参会人员\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "import", str(src), "--dry-run", "--json"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout.strip() == "[]"
    assert "没有读出任何事项" in proc.stderr and "第2行" in proc.stderr


# ---------------------------------------------------------------- the gallery

GALLERY = Path(os.environ.get("IMPORTER_GALLERY", ROOT.parent / "shared" / "importer-gallery"))
DOCS = sorted(p.name for p in GALLERY.glob("[0-9][0-9]_*.txt"))


@pytest.mark.skipif(not (GALLERY / "check.py").exists(),
                    reason=f"no importer gallery at {GALLERY} (set IMPORTER_GALLERY to its folder)")
def test_every_gallery_document_matches():
    """check.py --all, as the issue runs it: N/N."""
    proc = subprocess.run([sys.executable, str(GALLERY / "check.py"), "--all", sys.executable, "build.py", "import",
                           "--dry-run", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.stdout.strip().splitlines()[-1] == f"gallery: {len(DOCS)}/{len(DOCS)} documents match", proc.stdout
    assert proc.returncode == 0
