"""The review page (`build.py import SRC --review FILE.html`) in Chromium: self-contained, no
console errors, one colour band per item, uncertain fields and unplaced lines marked."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SOURCE = """某区2024年实事清单
1.新建菜市场。
牵头单位:区商务局
配合单位:区城管局、
— 2 —
各街道办事处
2.新增车位300个。
牵头单位:区交警大队
3.改造公厕<b>5</b>座。
牵头单位:区城管局
联系电话:12345
"""


def review(tmp_path, text: str) -> tuple[Path, subprocess.CompletedProcess]:
    src = tmp_path / "list.txt"
    src.write_text(text, encoding="utf-8")
    page = tmp_path / "review.html"
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "import", str(src), "--dry-run",
                           "--review", str(page)], cwd=tmp_path, capture_output=True, text=True)
    return page, proc


def test_review_page_bands_flags_and_unplaced(tmp_path, browser):
    page_file, proc = review(tmp_path, SOURCE)
    assert proc.returncode == 0, proc.stderr
    html = page_file.read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link)\b|src=["']?http""", html)      # self-contained, nothing fetched
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri())
    assert page.locator("article.item").count() == 3
    for k in range(3):        # one band per item: its lines are one unbroken run
        numbers = [int(n) for n in page.locator(f".ln.item-{k}").evaluate_all("els => els.map(e => e.id.slice(1))")]
        assert numbers and numbers == list(range(numbers[0], numbers[-1] + 1)), (k, numbers)
        assert page.locator(f".ln.item-{k}.start").count() == 1
    colours = page.locator(".ln.start").evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(colours)) == 3
    assert page.locator('#item-0 dd.uncertain[data-field="partners"]').inner_text() == "区城管局、各街道办事处"
    assert page.locator("#L11").get_attribute("class") == "ln unplaced"
    assert page.locator("#item-2 dd[data-field=title]").inner_text() == "改造公厕<b>5</b>座。"   # escaped
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert errors == []
    page.close()


def test_review_page_of_a_document_without_items_shows_the_diagnosis(tmp_path, browser):
    page_file, proc = review(tmp_path, "通知\n序号\n项目\n牵头单位\n")
    assert proc.returncode == 1 and page_file.exists()
    page = browser.new_page()
    page.goto(page_file.as_uri())
    assert "第2行" in page.locator(".diagnosis").inner_text()
    page.close()
