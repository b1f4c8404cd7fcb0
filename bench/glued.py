"""Hostile glued digits: ``python bench/glued.py [ROOT]`` (ROOT: a checkout to measure, default this one).

Times, on one core, what reading glued digit runs costs where it costs most: 1,500 random runs of 8 to 40
digits cut into 7 and into 15 cells (split_run, its cache cleared before each), and 200 reports as text
whose every table-3 row is a long run that many readings fit (the whole reading: row, table, blanks).
Prints CPU seconds; compare two checkouts by running it with each as ROOT.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders.assembly.report import parse_report  # noqa: E402
from loaders.text import glued  # noqa: E402

T3 = ("I3", lambda v: v[-1] == sum(v[:-1]))


def runs(n: int, seed: int = 1) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    return [("".join(rng.choice("0123456789") for _ in range(rng.randint(8, 40))),) for _ in range(n)]


def hostile_reports(n: int, seed: int = 2) -> list[str]:
    """Reports whose table-3 rows are 12-digit runs of ones and twos: hundreds of splits, dozens fit I3."""
    rng = random.Random(seed)
    labels = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开", "（二）部分公开",
              "（三）不予公开 1.属于国家秘密", "（四）无法提供 1.本机关不掌握相关政府信息", "（七）总计", "四、结转下年度继续办理"]
    out = []
    for _ in range(n):
        rows = "\n".join(f"{label} {''.join(rng.choice('12') for _ in range(12))}" for label in labels)
        out.append("某区2023年度政府信息公开工作年度报告\n一、总体情况\n三、收到和处理政府信息公开申请情况\n申请人情况\n"
                   f"自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服务机构 其他\n{rows}\n"
                   "五、存在的主要问题及改进情况\n无。\n")
    return out


def main() -> None:
    sample = runs(1500)
    started = time.process_time()
    for cells, identity in ((7, T3), (15, None)):
        glued.split_run.cache_clear()
        for tokens in sample:
            glued.split_run(tokens, cells, identity)
    print(f"{ROOT}: 1,500 random runs into 7 and 15 cells: {time.process_time() - started:.2f} s")
    reports = hostile_reports(200)
    started = time.process_time()
    for text in reports:
        parse_report(text)
    print(f"{ROOT}: 200 reports of long ambiguous runs: {time.process_time() - started:.2f} s")


if __name__ == "__main__":
    main()
