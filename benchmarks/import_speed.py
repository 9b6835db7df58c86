#!/usr/bin/env python3
"""Time the importer on generated documents of about 1 MB (and 2 MB, to see that time grows
linearly), one per layout family, plus random text:

    python benchmarks/import_speed.py [--mb 1] [--repeat 3]

Each document is decoded text; the figures are the best of --repeat runs of
`archive.importer.parse` (what `build.py import` does after reading the file), in-process:
CPU seconds of this process (what the importer costs, whatever else the machine is running)
and wall seconds. The target (issue 10): under 2 s for 1 MB, and time growing linearly.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.importer import parse  # noqa: E402

MEASURE = "统筹资金渠道,细化工作方案,明确时间节点和责任人,按月调度推进情况,确保按期完成建设任务并投入使用。"
UNITS = ["县住建局", "县教体局", "县卫健局", "县民政局", "县交通运输局", "各乡镇", "县财政局"]


def labelled(n: int, rng) -> str:
    out = ["某县民生实事项目清单", ""]
    for i in range(1, n + 1):
        out += [f"{i}.新建项目{i}处,惠及群众{rng.randint(100, 9999)}人。",
                f"事项内容:实施第{i}项工程,年内完成投资{rng.randint(1, 99)}万元。",
                "推进措施:", *[f"({k}){MEASURE * rng.randint(1, 3)}" for k in range(1, 4)],
                f"完成时限:{rng.randint(1, 12)}月底前",
                f"牵头单位:{rng.choice(UNITS)} 配合单位:{rng.choice(UNITS)}、{rng.choice(UNITS)}"]
    return "\n".join(out) + "\n"


def cells(n: int, rng) -> str:
    out = ["某县实事推进情况", "序号", "项目内容", "当前进度", "牵头单位", "备注"]
    for i in range(1, n + 1):
        out += [str(i), f"新建项目{i}处,新增学位{rng.randint(10, 900)}个。" + MEASURE, f"{rng.randint(1, 100)}%",
                rng.choice(UNITS), "", "县级民生实事", ""]
    return "\n".join(out) + "\n"


def pipes(n: int, rng) -> str:
    out = ["| 序号 | 项目名称 | 年度目标 | 牵头单位 | 配合单位 | 一季度进展 | 是否序时 |", "|---|---|---|---|---|---|---|"]
    for i in range(1, n + 1):
        out.append(f"| {i} | 项目{i} | 新建{rng.randint(1, 50)}个 | {rng.choice(UNITS)} | {rng.choice(UNITS)} | "
                   f"已完成{rng.randint(1, 99)}% | {rng.choice('是否')} |")
    return "\n".join(out) + "\n"


def inline(n: int, rng) -> str:
    parts = [f"{i}.新建项目{i}处。 责任单位:{rng.choice(UNITS)} 实际完成情况:已完成{rng.randint(1, 99)}%。"
             + MEASURE * 3
             for i in range(1, n + 1)]
    return "某市实事进展情况\n现公布如下。 " + " ".join(parts) + "\n"


def random_text(size: int, rng) -> str:
    alphabet = "的一是在了人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后" \
               "|、，。；:：()（）①②③1234567890一二三四五六七八九十序号牵头单位 \n"
    return "".join(rng.choice(alphabet) for _ in range(size))


def sized(make, target: int, rng) -> str:
    n = 64
    while len(make(n, random.Random(0)).encode()) < target:
        n *= 2
    lo, hi = n // 2, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if len(make(mid, random.Random(0)).encode()) < target:
            lo = mid
        else:
            hi = mid
    return make(hi, rng)


def best_of(text: str, repeat: int) -> tuple[float, float, int]:
    cpu, wall, items = [], [], 0
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        result = parse(text)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        items = len(result.items)
    return min(cpu), min(wall), items


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(10)
    print(f"{'document':<12} {'MB':>5} {'lines':>6} {'items':>5} {'cpu s':>6} {'wall s':>6}"
          f"   {'x2 size: cpu s':>14} {'ratio':>5}")
    for name, make in (("labelled", labelled), ("cell table", cells), ("pipe table", pipes),
                       ("inline list", inline), ("random text", None)):
        figures = []
        for factor in (1, 2):
            size = int(args.mb * factor * 1_000_000)
            text = random_text(size // 2, rng) if make is None else sized(make, size, rng)
            cpu, wall, items = best_of(text, args.repeat)
            figures.append((len(text.encode()) / 1e6, text.count("\n"), items, cpu, wall))
        (mb, lines, items, c1, w1), (_, _, _, c2, _) = figures
        print(f"{name:<12} {mb:>5.2f} {lines:>6} {items:>5} {c1:>6.2f} {w1:>6.2f}   {c2:>14.2f} {c2 / c1:>5.2f}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
