"""Small content trees for tests: the real registries, a tiny source, items written by the test."""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LIST_YAML = """\
jurisdiction: shandong/weifang
year: 2021
batch: 2
title: 潍坊市“我为群众办实事”重点民生项目清单（第二批）
publisher: 大众报业·半岛网
published: 2021-07-30
source: sources/demo.txt
"""

ITEM = """\
---
number: {number}
title: 高质量实施课后延时服务
deadline: 2021年12月底
lead: [市教育局(市委教育工委)]
partners: [市发改委, 市财政局, 市人社局]
source_lines: [1, 3]
---
推动县市区课后延时服务，实现义务教育阶段学校全覆盖。
"""


def make_project(tmp: Path, items: dict[str, str | bytes] | None = None,
                 list_yaml: str = LIST_YAML, folder: str = "weifang-2021-2") -> Path:
    """A project root with registry/, sources/demo.txt and content/<folder>/; returns content/."""
    shutil.copytree(ROOT / "registry", tmp / "registry")
    (tmp / "sources").mkdir()
    (tmp / "sources" / "demo.txt").write_text("一、高质量实施课后延时服务\n事项内容:推动\n完成时限:2021年12月底\n",
                                             encoding="utf-8")
    list_dir = tmp / "content" / folder
    list_dir.mkdir(parents=True)
    (list_dir / "_list.yaml").write_text(list_yaml, encoding="utf-8")
    for name, text in (items if items is not None else {"01.md": ITEM.format(number=1)}).items():
        path = list_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return tmp / "content"


PROGRESS_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "progress"


def progress_project(tmp: Path) -> Path:
    """A project with one invented list (潍坊市 2022, ten items) whose items carry progress entries of every
    status, two reports kept in sources/ and entries citing web pages; returns content/."""
    shutil.copytree(ROOT / "registry", tmp / "registry")
    shutil.copytree(PROGRESS_FIXTURE / "sources", tmp / "sources")
    shutil.copytree(PROGRESS_FIXTURE / "content", tmp / "content")
    return tmp / "content"
