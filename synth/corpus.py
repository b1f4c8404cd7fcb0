"""``python -m synth``: realistic synthetic annual reports with known defects and their ground truth.

Agencies across levels and regions publish consecutive years; every identity holds by
construction (I1–I7, carry-overs across years), and a chosen share of reports gets one defect
whose expected findings are written to ``truth.csv`` beside the corpus:

| defect | what changes | expected finding (severity) |
|---|---|---|
| identity | one table-3 cell off by a few | identity.I1 or .I2, and .I3 (error) |
| carry_over | 二 of year Y no longer equals 四 of Y−1 (I1 still holds) | cross_year.I5 (error) |
| template | a 2021+ report printed in the 2019 layout | structure.template_year_mismatch (error) |
| narrative | 办结 N 件 disagrees with （七）总计 | narrative.mismatch (warning) |
| blank | empty legal-person columns left blank | structure.blank_cells (warning) |
| glued | one row's cells glued into one cell ("230000023") of a table with rows, the row most ambiguous to split | structure.unresolved_cells (warning): only text with no rows is cut |
| flattened | (a shape, not a defect) a crawler page on one line with every cell glued | structure.unresolved_cells (warning) for each row the table's identities leave with more than one reading |

What the loader can read of glued digits is worked out here independently of it, from the values the
report was made of: every split of the digits (no count starts with 0), the row's sum, then the column
identities over every combination of the ambiguous rows' readings.
"""
from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

from loaders.vocabulary import HEADER_WORDS, IDENTITIES, seed_rows

PROVINCES = ["浙江省", "江苏省", "广东省", "山东省", "福建省", "四川省", "湖北省", "河南省", "安徽省", "湖南省"]
CITIES = ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "台州市", "南京市", "苏州市", "无锡市",
          "广州市", "深圳市", "青岛市", "济南市", "福州市", "厦门市", "成都市", "武汉市", "郑州市", "合肥市", "长沙市"]
DISTRICTS = ["西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区", "临平区", "富阳区", "鼓楼区", "海曙区", "江北区",
             "鹿城区", "南湖区", "吴兴区", "越城区", "婺城区", "椒江区", "玄武区", "姑苏区", "天河区", "南山区", "市南区"]
DEPARTMENTS = ["人民政府办公室", "发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局",
               "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "农业农村局",
               "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局"]
# Town and zone names are two syllables from this list: 2,304 names, enough agencies for a national corpus.
SYLLABLES = list("东南西北新良星崇塘仁五闲瓶径黄百长许袁丁乔运笕清安平和兴华泰丰宁康永福吉祥瑞云山河湖桥塘溪")
ZONES = ["经济技术开发区", "高新技术产业开发区", "经济开发区", "港区", "综合保税区"]
# What the reports print is the seeds' vocabulary: the tables' labels, the sections' headings.
_T3_ROWS, _T3_COLUMNS = seed_rows("t3_rows"), seed_rows("t3_columns")
_T4_ROWS, _T4_COLUMNS = seed_rows("t4_rows"), seed_rows("t4_columns")
HEADINGS = {s["section_key"]: f"{s['numeral']}、{s['title']}" for s in seed_rows("report_section_titles")}
_SECTION_NUMBERS = tuple(h[:2] for h in HEADINGS.values())  # 一、 … 六、: a line so numbered is a heading
# The note the template prints in table 3's corner: the table's anchor when its heading is lost (section_words).
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
# The applicant columns (自然人, then the legal persons'), printed without a 小计 column.
COLS = [c["col_key"] for c in _T3_COLUMNS if c["is_applicant"] == "true"]
LEGAL = [c["col_key"] for c in _T3_COLUMNS if c["is_applicant"] == "true" and c["group_label"]]
_PRINTED_COLUMNS = [c for c in _T3_COLUMNS if c["col_key"] in (*COLS, "total")]
# The identities of table 3 the checks verify: along each row (I3) and down each column (I1, I2).
_ROW_IDENTITIES = [i for i in IDENTITIES if i.table_id == "t3" and i.axis == "row"]
_COLUMN_IDENTITIES = [i for i in IDENTITIES if i.table_id == "t3" and i.axis == "col"]
# A numbered row printed under its group's heading drops the group's number: （三）1.属于国家秘密 → 1.属于国家秘密.
_GROUP_NUMBER = re.compile(r"^（[三四五六]）(?=\d)")


def _t3_labels() -> dict[str, tuple[str, ...]]:
    """Each table-3 row's label cells as the template prints them: a group's heading beside the group's first
    row (（三）不予公开, 1.属于国家秘密), then the row's own label and note."""
    out: dict[str, tuple[str, ...]] = {}
    opened: set[str] = set()
    for r in _T3_ROWS:
        group = (r["group_label"],) if r["group_label"] and r["group_label"] not in opened else ()
        opened.add(r["group_label"])
        out[r["row_key"]] = (*group, _GROUP_NUMBER.sub("", r["label"]) + r["printed_note"])
    return out


T3_LABELS = _t3_labels()
OUTCOMES = {  # relative weight of each outcome row
    "granted": 40, "partially_granted": 8, "denied_state_secret": 0.3, "denied_prohibited_by_law": 0.5,
    "denied_security_stability": 0.3, "denied_third_party_rights": 1, "denied_internal_affairs": 1,
    "denied_process_info": 1.5, "denied_enforcement_file": 0.5, "denied_inquiry_matter": 0.5, "unable_not_held": 25,
    "unable_needs_creation": 2, "unable_unclear": 2, "rejected_petition": 3, "rejected_duplicate": 2,
    "rejected_publication": 0.5, "rejected_excessive": 0.5, "rejected_confirmation": 0.5, "other_handling": 4,
    "other_overdue_correction": 2, "other_overdue_fee": 0.5, "other_misc": 2,
}
_T2_ROWS, _T2_COLUMNS = seed_rows("t2_rows"), seed_rows("t2_columns")


def _t2_layout(template: str) -> list[tuple[str, list[str], list[str]]]:
    """Table 2 as the template prints it: each sub-table's item (第二十条第（一）项), its column headers (a money
    column's with the unit the template states) and its rows' labels."""
    rows = [r for r in _T2_ROWS if r["templates"] in ("both", template)]
    layout = []
    for item in dict.fromkeys(r["article_item"] for r in rows):
        headers = [c["label"] + (f"（单位：{c['stated_unit']}）" if c["stated_unit"] else "") for c in _T2_COLUMNS
                   if c["template"] == template and item in c["article_items"].split("|")]
        labels = [(template == "2019" and r["label_2019"]) or r["label"] for r in rows if r["article_item"] == item]
        layout.append((item, headers, labels))
    return layout


T2_2019, T2_2021 = _t2_layout("2019"), _t2_layout("2021")
DEFECTS = ["identity", "carry_over", "template", "narrative", "blank", "glued"]
# Shares of the shapes reports reach us in, calibrated on the real corpus and the seeds (bench/RESULTS.md):
# Word/WPS HTML pages, tab dumps, crawler pages flattened to one line, one-cell-per-line dumps, PDF→markdown.
FORMATS = [("html", 0.3), ("tab", 0.25), ("flattened", 0.2), ("lines", 0.1), ("markdown", 0.15)]
# Narrative length (characters of prose) is log-normal: fitted on the 17 real reports and seeds,
# log mean 7.80 and log sd 0.52 (median 2,440 characters).
PROSE_LOG_MEAN, PROSE_LOG_SD = 7.80, 0.52
# Sentences of the parts of the narrative that state no table figure, as real reports write them.
FILLER = {
    HEADINGS["s1"]: [
        "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
        "紧紧围绕中心工作，不断提升政务公开质效，有效保障了人民群众的知情权、参与权和监督权。",
        "（一）主动公开情况。严格落实“公开为常态、不公开为例外”原则，全年通过门户网站主动公开政府信息{n1}条，"
        "其中机构职能类信息{n2}条，规划计划类信息{n3}条，重点领域信息{n4}条。",
        "加强政策解读，围绕重要政策文件开展图文解读{n2}篇，做到政策文件与解读材料同步起草、同步审签、同步发布。",
        "（三）政府信息管理情况。健全信息发布审核机制，严格执行“三审三校”制度，从严把好政治关、法律关、政策关、保密关和文字关，"
        "全年组织开展信息公开专项检查{n5}次，对发现的问题及时督促整改。",
        "（四）平台建设情况。持续优化政府门户网站栏目设置，门户网站全年访问量{n6}人次，政务新媒体发布信息{n4}条，"
        "做好政务服务热线与网站留言的衔接，确保群众诉求件件有回音。",
        "（五）监督保障情况。将政务公开工作纳入年度考核，组织业务培训{n5}场，参训人员{n7}人次，"
        "进一步提升工作人员的业务能力和服务水平。",
    ],
    HEADINGS["s5"]: [
        "{year}年，政府信息公开工作取得了一定成效，但仍存在一些不足：一是政策解读形式还不够丰富，"
        "二是公开内容的深度和广度有待拓展，三是基层工作人员业务水平有待提高。",
        "下一步，将进一步完善工作机制，丰富解读形式，加强业务培训，推动政务公开工作再上新台阶。",
        "针对上述问题，我们将加强统筹协调，细化工作任务，压实工作责任，持续提升政务公开标准化规范化水平。",
    ],
    HEADINGS["s6"]: [
        "本年度共办理人大代表建议{n5}件、政协委员提案{n2}件，均已按时办结。",
        "按照《政府信息公开信息处理费管理办法》规定，本年度未收取信息处理费。",
    ],
}


@dataclass
class Report:
    agency: str
    year: int
    template: str
    t3: dict[str, dict[str, int | None]]  # row → col → value (None: blank)
    t4: list[list[int]]  # three blocks of 维持, 纠正, 其他, 尚未审结, 总计
    t2: list[tuple[str, list[str], list[tuple[str, list[str]]]]]  # (item, headers, [(row label, cells)])
    narrative_concluded: int | None = None
    prose: dict[str, list[str]] = field(default_factory=dict)  # section heading → sentences stating no table figure
    fmt: str = "tab"
    traditional: bool = False
    glued_row: str | None = None
    glued_page: bool = False  # a flattened page whose table cells are glued with no separator
    truth: list[dict] = field(default_factory=list)


def agencies(rng: random.Random, n: int) -> list[str]:
    """n distinct agency names across levels: departments, district and city governments, towns, zones."""
    names: set[str] = set()
    out = []
    misses = 0
    while len(out) < n:
        if misses > 10_000:
            raise ValueError(f"only {len(out)} distinct agency names could be made; {n} were asked for")
        town = rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
        city, district = rng.choice(CITIES), rng.choice(DISTRICTS)
        kind = rng.random()
        if kind < 0.45:
            name = f"{city}{district}{rng.choice(DEPARTMENTS)}"
        elif kind < 0.6:
            name = f"{city}{rng.choice(DEPARTMENTS)}"
        elif kind < 0.8:
            name = f"{city}{district}{town}{rng.choice(['街道办事处', '镇人民政府', '街道'])}"
        elif kind < 0.9:
            name = f"{city[:-1]}{town}{rng.choice(ZONES)}管理委员会"
        elif kind < 0.97:
            name = f"{city}{district}人民政府"
        else:
            name = f"{rng.choice(PROVINCES)}{rng.choice(DEPARTMENTS).replace('局', '厅')}"
        if name in names:
            misses += 1
            continue
        misses = 0
        names.add(name)
        out.append(name)
    return out


def _split(rng: random.Random, total: int, weights: dict[str, float]) -> dict[str, int]:
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=[weights[k] for k in keys], k=total):
        out[key] += 1
    return out


def _t3(rng: random.Random, template: str, carried_over: dict[str, int], size: float, no_legal: bool) -> dict:
    rows = [r["row_key"] for r in _T3_ROWS if r["templates"] in ("both", template)]
    outcome_weights = {r: w for r, w in OUTCOMES.items() if r in rows}
    t3: dict[str, dict[str, int | None]] = {r: {} for r in rows}
    for col, share in zip(COLS, (0.85, 0.1, 0.01, 0.01, 0.01, 0.02)):
        new = 0 if (no_legal and col != "natural_person") else int(rng.expovariate(1 / max(size * share, 0.2)))
        carried = 0 if (no_legal and col != "natural_person") else carried_over.get(col, 0)
        forward = min(new + carried, int(rng.random() < 0.3) * rng.randint(0, 3))
        processed = new + carried - forward
        t3["new_received"][col], t3["carried_over"][col] = new, carried
        t3["total_processed"][col], t3["carried_forward"][col] = processed, forward
        for row, n in _split(rng, processed, outcome_weights).items():
            t3[row][col] = n
    for row in rows:
        t3[row]["total"] = sum(t3[row][c] for c in COLS)
    return t3


def _t4(rng: random.Random, size: float) -> list[list[int]]:
    blocks = []
    for scale in (0.05, 0.03, 0.01):
        parts = [int(rng.expovariate(1 / max(size * scale * w, 0.05))) for w in (0.6, 0.1, 0.2, 0.1)]
        blocks.append(parts + [sum(parts)])
    return blocks


def _t2(rng: random.Random, template: str, state: dict) -> list:
    if template == "2021":
        out = []
        for item, headers, rows in T2_2021:
            cells = []
            for label in rows:
                if item.endswith("（一）项"):
                    issued, repealed = rng.randint(0, 12), rng.randint(0, 3)
                    in_force = state.get(("in_force", label), rng.randint(10, 80)) + issued - repealed
                    state[("in_force", label)] = in_force
                    cells.append((label, [str(issued), str(repealed), str(in_force)]))
                elif item.endswith("（八）项"):
                    cells.append((label, [f"{rng.randint(0, 500) / 10:g}"]))
                else:
                    cells.append((label, [str(rng.randint(0, 3000))]))
            out.append((item, headers, cells))
        return out
    out = []
    for item, headers, rows in T2_2019:
        cells = []
        for label in rows:
            if item.endswith("（一）项"):
                made = rng.randint(0, 30)
                cells.append((label, [str(made), str(made), str(made + rng.randint(0, 200))]))
            elif item.endswith("（九）项"):
                amount = rng.randint(0, 90_000_000)
                unit = rng.choice([f"{amount}元", f"{amount / 10_000:.2f}万元", f"{amount}（单位：元）"])
                cells.append((label, [str(rng.randint(0, 200)), unit if amount else "0"]))
            else:
                prior = state.get(("prior", label), rng.randint(0, 1500))
                change = rng.randint(-30, 60)
                state[("prior", label)] = max(prior + change, 0)
                change = state[("prior", label)] - prior
                cells.append((label, [str(prior), f"{change:+d}" if change else "0"] +
                              ([str(rng.randint(0, 5000))] if len(headers) == 3 else [])))
        out.append((item, headers, cells))
    return out


def generate(n: int, seed: int, defect_rate: float = 0.1) -> list[Report]:
    """n reports: agencies publishing consecutive years (2019–2025), defects at ``defect_rate``."""
    return list(iter_reports(n, seed, defect_rate))


def iter_reports(n: int, seed: int, defect_rate: float = 0.1,
                 shapes: Iterable[str] | None = None) -> Iterator[Report]:
    """The reports of ``generate``, one at a time: a national corpus does not fit in memory as objects.

    ``shapes``: only these of FORMATS' shapes, in their calibrated proportions (all by default).
    """
    formats = [(f, w) for f, w in FORMATS if shapes is None or f in shapes]
    if not formats:
        raise ValueError(f"no known shape in {sorted(shapes or ())}: choose from {', '.join(f for f, _ in FORMATS)}")
    rng = random.Random(seed)
    years_per_agency = [rng.randint(2, 7) for _ in range(n)]
    plan, total = [], 0
    for span in years_per_agency:
        if total >= n:
            break
        span = min(span, n - total)
        plan.append(span)
        total += span
    names = agencies(rng, len(plan))
    for name, span in zip(names, plan):
        start = rng.randint(2019, 2026 - span)
        size = rng.choice([3, 8, 20, 60, 200])
        fmt = rng.choices([f for f, _ in formats], weights=[w for _, w in formats])[0]
        glued = fmt == "flattened" and rng.random() < 0.6  # a site's crawler dumps every year alike
        traditional = rng.random() < 0.1
        carried, t2_state, previous = {}, {}, None
        for year in range(start, start + span):
            defect = rng.choice(DEFECTS) if rng.random() < defect_rate else None
            if defect == "carry_over" and year == start:
                defect = None
            if defect == "template" and year < 2021:
                defect = None
            if defect in ("blank", "glued") and fmt == "lines":
                defect = None  # that dialect cannot show blank cells, nor glue them
            if defect in ("blank", "glued", "identity") and fmt == "flattened":
                defect = None  # blanks vanish from a flattened page, and a row that breaks its sum stays unread
            if defect == "blank" and any(carried.get(c) for c in LEGAL):
                defect = None  # blanking would hide numbers carried over from last year
            template = "2021" if year >= 2021 and defect != "template" else "2019"
            t3 = _t3(rng, template, carried, size, no_legal=defect == "blank")
            carried = {c: t3["carried_forward"][c] for c in COLS}
            r = Report(name, year, template, t3, _t4(rng, size), _t2(rng, template, t2_state), fmt=fmt,
                       traditional=traditional, prose=_prose(rng, name, year))
            _inject(rng, r, defect, previous)
            if glued:
                _glue_page(r, previous)
            previous = r
            yield r


def _inject(rng: random.Random, r: Report, defect: str | None, previous: Report | None) -> None:
    """Apply ``defect`` to ``r`` and record the findings it must cause in ``r.truth``.

    ``previous``: the agency's report of the year before. A carry-over into a column whose 四 it left
    blank cannot be checked (blank is not 0), so the defect goes in a column that can.
    """
    def expect(check_id, severity, table_id=None, row_key=None, col_key=None):
        r.truth.append(dict(defect=defect, check_id=check_id, severity=severity, table_id=table_id,
                            row_key=row_key, col_key=col_key))

    if defect is None:
        r.truth.append(dict(defect="none", check_id="", severity="", table_id=None, row_key=None, col_key=None))
    elif defect == "identity":
        row = rng.choice(["new_received", "granted", "unable_not_held", "rejected_duplicate"])
        col = rng.choice(COLS)
        r.t3[row][col] += rng.randint(1, 5)
        expect("identity.I1" if row == "new_received" else "identity.I2", "error", "t3", None, col)
        expect("identity.I3", "error", "t3", row, None)
    elif defect == "carry_over":
        printed = [c for c in COLS if previous.t3["carried_forward"][c] is not None]
        col = max(printed, key=lambda c: r.t3["new_received"][c])
        shift = min(r.t3["new_received"][col], rng.randint(1, 3)) or 0
        if shift == 0:  # nothing received to move: state more carried over than last year forwarded
            r.t3["carried_over"][col] += 1
            r.t3["total_processed"][col] += 1
            r.t3["granted"][col] += 1
            for row in ("carried_over", "total_processed", "granted"):
                r.t3[row]["total"] += 1
        else:
            for c in (col, "total"):
                r.t3["new_received"][c] -= shift
                r.t3["carried_over"][c] += shift
        expect("cross_year.I5", "error", "t3", None, col)
        expect("cross_year.I5", "error", "t3", None, "total")
    elif defect == "template":
        expect("structure.template_year_mismatch", "error")
    elif defect == "narrative":
        r.narrative_concluded = r.t3["total_processed"]["total"] + rng.randint(1, 9)
        expect("narrative.mismatch", "warning", "narrative", "applications_concluded", None)
    elif defect == "blank":
        for c in LEGAL:
            for row in r.t3:
                r.t3[row][c] = None
            expect("structure.blank_cells", "warning", "t3", None, c)
    elif defect == "glued":
        # One row's cells glued into one cell of a table that has rows (HTML, tab, markdown): a row with one
        # cell for seven columns, left unresolved whatever its digits (only text with no rows is cut).
        splits = {row: _splits(_row_values(r.t3[row])) for row in r.t3}
        r.glued_row = max(splits, key=lambda row: (len(splits[row]), rng.random()))
        expect("structure.unresolved_cells", "warning", "t3", r.glued_row, None)


def _glue_page(r: Report, previous: Report | None) -> None:
    """Glue the cells of a flattened page. The rows the table's identities leave with more than one reading
    must be left unresolved; a defect that only those rows would show cannot be found."""
    r.glued_page = True
    unread = _unread_when_glued(r.t3)
    last_unread = _unread_when_glued(previous.t3) if previous else set()
    hidden = {"narrative.mismatch": "total_processed" in unread,
              "cross_year.I5": "carried_over" in unread or "carried_forward" in last_unread}
    r.truth[:] = [t for t in r.truth if not hidden.get(t["check_id"])]
    r.truth += [dict(defect="flattened", check_id="structure.unresolved_cells", severity="warning", table_id="t3",
                     row_key=row, col_key=None) for row in r.t3 if row in unread]


def _row_values(per_col: dict[str, int | None]) -> list[int | None]:
    return [per_col[c] for c in [*COLS, "total"]]


def _splits(values: list[int | None]) -> list[tuple[int, ...]]:
    """Every way to read a row's digits, glued, as its cells: no cell starts with 0 unless it is 0, none has
    more than 7 digits.

    >>> _splits([23, 0, 0, 0, 0, 0, 23])
    [(2, 30, 0, 0, 0, 0, 23), (2, 300, 0, 0, 0, 2, 3), (23, 0, 0, 0, 0, 0, 23), (230, 0, 0, 0, 0, 2, 3)]
    """
    if None in values:
        return []
    digits = "".join(map(str, values))

    def cut(start: int, left: int) -> list[tuple[int, ...]]:
        if left == 0:
            return [()] if start == len(digits) else []
        widths = [1] if digits[start:start + 1] == "0" else range(1, min(7, len(digits) - start) + 1)
        return [(int(digits[start:start + w]),) + rest for w in widths for rest in cut(start + w, left - 1)]
    return cut(0, len(values))


def _unread_when_glued(t3: dict[str, dict[str, int | None]]) -> set[str]:
    """The table-3 rows a flattened page leaves unread: those with several splits whose 总计 is the sum of
    their parts (I3) that the column identities (I1, I2), over every combination of those rows' readings,
    do not narrow to one value a cell."""
    cols = [*COLS, "total"]
    readings = {row: list(dict.fromkeys(s for s in _splits(_row_values(per_col)) if _holds(_ROW_IDENTITIES,
                                                                                          dict(zip(cols, s)))))
                for row, per_col in t3.items()}
    ambiguous = [row for row, options in readings.items() if len(options) > 1]
    if not ambiguous:
        return set()
    kept = []
    for combo in product(*(readings[row] for row in ambiguous)):
        value = {row: dict(zip(cols, _row_values(per_col))) for row, per_col in t3.items()}
        for row, reading in zip(ambiguous, combo):
            value[row] = dict(zip(cols, reading))
        if all(_holds(_COLUMN_IDENTITIES, {row: value[row][c] for row in value}) for c in cols):
            kept.append(combo)
    return {row for k, row in enumerate(ambiguous) if len({combo[k] for combo in kept}) != 1}


def _holds(identities: list, values: dict[str, int]) -> bool:
    """Whether ``values`` (a row's cells by column, or a column's by row) satisfy the identities, each over the
    terms there are (a template's rows), as the checks verify them."""
    return all(sum(values[t] for t in i.lhs if t in values) == sum(values[t] for t in i.rhs if t in values)
               for i in identities if any(t in values for t in i.lhs) and any(t in values for t in i.rhs))


# --- rendering ---------------------------------------------------------------------------------
def _num(v: int | None) -> str:
    return "" if v is None else str(v)


def _t3_rows(r: Report) -> list[tuple[list[str], list[str]]]:
    """(label cells, value cells) per table-3 row, group labels only on a group's first row."""
    cols = [*COLS, "total"]
    out = []
    for row, per_col in r.t3.items():
        labels = list(T3_LABELS[row])
        values = [_num(per_col[c]) for c in cols]
        if row == r.glued_row:
            values = ["".join(values)]
        out.append((labels, values))
    return out


def _prose(rng: random.Random, agency: str, year: int) -> dict[str, list[str]]:
    """Sentences for the narrative, as long as real reports' narratives (log-normal, PROSE_LOG_*)."""
    target = min(max(rng.lognormvariate(PROSE_LOG_MEAN, PROSE_LOG_SD), 500), 8000)
    out: dict[str, list[str]] = {section: [] for section in FILLER}
    length = 0
    while length < target:
        section = rng.choices(list(FILLER), weights=(6, 2, 1))[0]
        # Fresh figures in every sentence: no two lines of a report, or of two reports, alike.
        numbers = {f"n{k}": rng.randint(lo, hi) for k, (lo, hi) in enumerate(
            [(200, 20000), (5, 200), (5, 100), (50, 5000), (1, 20), (10_000, 3_000_000), (20, 800)], 1)}
        sentence = rng.choice(FILLER[section]).format(year=year, agency=agency, **numbers)
        out[section].append(sentence)
        length += len(sentence)
    return out


def _narrative(r: Report) -> list[str]:
    """一、总体情况: the real reports' paragraphs, and the one stating the applications received."""
    t3 = r.t3
    concluded = r.narrative_concluded if r.narrative_concluded is not None else t3["total_processed"]["total"]
    received = t3["new_received"]["total"]
    general = r.prose.get(HEADINGS["s1"], [])
    return [HEADINGS["s1"], *general[:1],
            f"（二）依申请公开情况。{r.year}年共收到政府信息公开申请{received}件，办结{concluded}件，"
            f"结转下年度继续办理{t3['carried_forward']['total']}件。", *general[1:]]


def _closing(r: Report, section: str, default: str) -> list[str]:
    """Section five or six: its heading and the report's sentences for it."""
    return [section, *(r.prose.get(section) or [default])]


def _sections(r: Report):
    """Table 4's three header rows (行政复议 and the 行政诉讼 its litigation blocks share; the results, and those
    blocks; their results) and its one row of values."""
    results = [c["label"] for c in _T4_COLUMNS]
    shared = [b for b in _T4_ROWS if b["group_label"]]
    t4_header = [[b["label"] for b in _T4_ROWS if not b["group_label"]] + list(dict.fromkeys(b["group_label"]
                                                                                           for b in shared)),
                 results + [b["label"] for b in shared],
                 results * len(shared)]
    return t4_header, [str(v) for block in r.t4 for v in block]


def _t3_header() -> list[list[str]]:
    """Table 3's header as the template prints it: 申请人情况 over all, then 自然人, 法人或其他组织 and 总计, then
    the legal persons' columns."""
    return [HEADER_WORDS["t3"][:1], list(dict.fromkeys(c["group_label"] or c["label"] for c in _PRINTED_COLUMNS)),
            [c["label"] for c in _PRINTED_COLUMNS if c["group_label"]]]


def render_tab(r: Report) -> str:
    out = [f"{r.agency}{r.year}年度政府信息公开工作年度报告", "", *_narrative(r), HEADINGS["t2"]]

    def row(cells):
        out.extend("\t" + c for c in cells)
        out.append("")

    for item, headers, rows in r.t2:
        row([item])
        row(["信息内容", *headers])
        for label, cells in rows:
            row([label, *cells])
    out += [HEADINGS["t3"]]
    spanning, top, legal = _t3_header()
    row([T3_NOTE, *spanning])
    row(["", *top])
    row(["", "", *legal, ""])
    for labels, values in _t3_rows(r):
        placeholders = [""] * (2 - len(labels)) if labels[0][0] not in "一二四" else []
        row([*placeholders, *labels, *values])
    out += [HEADINGS["t4"]]
    header, values = _sections(r)
    row(header[0])
    row(header[1])
    row([""] * len(_T4_COLUMNS) + header[2][len(_T4_COLUMNS):])
    row(values)
    out += [*_closing(r, HEADINGS["s5"], "公开内容还需进一步细化。"),
            *_closing(r, HEADINGS["s6"], "本年度未收取信息处理费。")]
    return "\n".join(out) + "\n"


def render_flattened(r: Report) -> str:
    """A crawler's text dump of the report's page (the real 002–007): a few lines of page metadata,
    then the whole body on one line, table cells run together, glued (``r.glued_page``) or spaced."""
    separator = "" if r.glued_page else " "
    body = []
    for line in render_tab(r).split("\n"):
        if line.startswith("\t"):
            if line.strip():
                body.append(separator + line.strip())
        elif line.strip():
            body.append(line.strip())
    title = f"{r.agency}{r.year}年度政府信息公开工作年度报告"
    return (f"标题: {title}\n发布时间: {r.year + 1}-01-20 15:22\n文号: \n发布机构: \n栏目: 政府信息公开年报\n"
            f"==================== 正文 ====================\n{''.join(body)} 附件下载\n")


def render_lines(r: Report) -> str:
    """Each cell on its own line between blank lines, as some crawlers dump tables (seed 002's shape)."""
    tab = render_tab(r)
    return "\n\n".join(line.lstrip("\t") for line in tab.split("\n") if line.strip()) + "\n"


def render_markdown(r: Report) -> str:
    tab = render_tab(r)
    out, row = [], []
    for line in tab.split("\n") + [""]:
        if line.startswith("\t"):
            row.append(line[1:])
            continue
        if row:
            cells = row if len(row) > 1 else row + [""]
            out.append("| " + " | ".join(cells) + " |")
            if len(out) == 1 or not out[-2].startswith("|"):
                out.append("|" + "---|" * len(cells))
            row = []
        if line:
            out.append(("## " if line[:2] in _SECTION_NUMBERS else "") + line)
    return "\n".join(out) + "\n"


def render_html(r: Report, rng: random.Random) -> str:
    def td(text: str, attrs: str = "") -> str:
        if text.isdigit() and len(text) > 1 and rng.random() < 0.3:  # Word splits numbers across runs
            k = rng.randint(1, len(text) - 1)
            text = f"{text[:k]}</span><span lang=EN-US>{text[k:]}"
        return f"<td{attrs}><p class=MsoNormal><span>{text}</span></p></td>" if text else f"<td{attrs}>&nbsp;</td>"

    body = [f"<h1>{r.agency}{r.year}年度政府信息公开工作年度报告</h1>"] + [f"<p>{p}</p>" for p in _narrative(r)]
    body.append(f"<p><b>{HEADINGS['t2']}</b></p><table border=1>")
    for item, headers, rows in r.t2:
        width = 1 + max(len(headers), 1)
        body.append(f"<tr>{td(item, f' colspan={width}')}</tr><tr>{td('信息内容')}{''.join(td(h) for h in headers)}</tr>")
        body += [f"<tr>{td(label)}{''.join(td(c) for c in cells)}</tr>" for label, cells in rows]
    body.append(f"</table><p><b>{HEADINGS['t3']}</b></p><table border=1>")
    (spanning,), (person, legal_persons, total), legal = _t3_header()
    body.append(f"<tr>{td(T3_NOTE, ' colspan=3 rowspan=3')}"
                f"{td(spanning, f' colspan={len(_PRINTED_COLUMNS)}')}</tr><tr>{td(person, ' rowspan=2')}"
                f"{td(legal_persons, f' colspan={len(legal)}')}"
                f"{td(total, ' rowspan=2')}</tr><tr>{''.join(td(h) for h in legal)}</tr>")
    for labels, values in _t3_rows(r):
        span = " colspan=3" if labels[0][0] in "一二四" else (" colspan=2" if len(labels) == 1 and "（" in labels[0][:1] else "")
        body.append(f"<tr>{''.join(td(label, span if i == len(labels) - 1 else '') for i, label in enumerate(labels))}"
                    f"{''.join(td(v) for v in values)}</tr>")
    header, values = _sections(r)
    body.append(f"</table><p><b>{HEADINGS['t4']}</b></p><table border=1>")
    (review, litigation), width = header[0], len(_T4_COLUMNS)
    body.append(f"<tr>{td(review, f' colspan={width}')}{td(litigation, f' colspan={len(header[2])}')}</tr>"
                f"<tr>{''.join(td(h, ' rowspan=2') for h in header[1][:width])}"
                f"{''.join(td(block, f' colspan={width}') for block in header[1][width:])}</tr>"
                f"<tr>{''.join(td(h) for h in header[2][width:])}</tr>"
                f"<tr>{''.join(td(v) for v in values)}</tr></table>")
    for section, default in ((HEADINGS["s5"], "公开内容还需进一步细化。"),
                             (HEADINGS["s6"], "本年度未收取信息处理费。")):
        heading, *sentences = _closing(r, section, default)
        body += [f"<p><b>{heading}</b></p>", *(f"<p>{p}</p>" for p in sentences)]
    chrome = ('<div class="nav"><a href="/">首页</a> &gt; 政务公开 &gt; 年度报告</div>'
              '<table class="meta"><tr><td>索引号：</td><td>000000/2020-00001</td></tr></table>')
    return (f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{r.agency}</title></head><body>{chrome}"
            + "\n".join(body) + "<div class=footer>版权所有</div></body></html>\n")


def write_corpus(n: int, seed: int, out: str | Path, defect_rate: float = 0.1,
                 shapes: Iterable[str] | None = None) -> tuple[int, Path]:
    """Write the corpus and truth.csv; returns (reports written, truth path)."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    rng = random.Random(seed + 1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    truth_path = out / "truth.csv"
    written = 0
    with open(truth_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["file", "agency", "year", "defect", "check_id", "severity", "table_id",
                                     "row_key", "col_key"])
        writer.writeheader()
        for i, r in enumerate(iter_reports(n, seed, defect_rate, shapes)):
            text = {"tab": render_tab, "lines": render_lines, "markdown": render_markdown,
                    "flattened": render_flattened}.get(r.fmt)
            content = text(r) if text else render_html(r, rng)
            if r.traditional:
                content = to_traditional.convert(content)
            name = f"{i:07d}.{ {'html': 'html', 'markdown': 'md'}.get(r.fmt, 'txt') }"
            sub = out / f"{i // 10_000:03d}"
            sub.mkdir(exist_ok=True)
            (sub / name).write_text(content, encoding="utf-8")
            for t in r.truth:
                writer.writerow({"file": name, "agency": r.agency, "year": r.year, **t})
            written += 1
    return written, truth_path


def evaluate(db_path: str | Path, truth_path: str | Path) -> dict:
    """Score the warehouse's findings against the ground truth.

    recall: share of expected findings (per defect kind) that were found with the same check and
    cell; false_errors: error findings on reports where the truth expects none of that check.
    """
    from xxgk.warehouse import connect

    with open(truth_path, encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    with connect(db_path, read_only=True) as con:
        found = con.execute("""
            select regexp_extract(r.source_path, '[^/]+$'), f.check_id, f.severity, f.table_id, f.row_key, f.col_key
            from dq.findings f join marts.dim_report r using (report_id)""").fetchall()
        n_reports = con.execute("select count(*) from marts.dim_report").fetchone()[0]
    found_keys = {(f, c, t or "", r or "", k or "") for f, c, _, t, r, k in found}
    expected = [t for t in truth if t["defect"] != "none"]
    recall: dict[str, list[int]] = {}
    for t in expected:
        hit = (t["file"], t["check_id"], t["table_id"], t["row_key"], t["col_key"]) in found_keys
        recall.setdefault(t["defect"], [0, 0])
        recall[t["defect"]][0] += hit
        recall[t["defect"]][1] += 1
    expected_keys = {(t["file"], t["check_id"], t["table_id"], t["row_key"], t["col_key"]) for t in expected}
    errors = [(f, c, t or "", r or "", k or "") for f, c, s, t, r, k in found if s == "error"]
    false_errors = [e for e in errors if e not in expected_keys]
    clean = {t["file"] for t in truth if t["defect"] == "none"}
    return {
        "reports": n_reports,
        "recall": {d: f"{hit}/{total}" for d, (hit, total) in sorted(recall.items())},
        "missed": [t for t in expected if (t["file"], t["check_id"], t["table_id"], t["row_key"], t["col_key"])
                   not in found_keys],
        "error_findings": len(errors),
        "false_errors": false_errors,
        "precision": 1 - len(false_errors) / len(errors) if errors else 1.0,
        "clean_reports_with_errors": len({e[0] for e in false_errors} & clean),
        "clean_reports": len(clean),
    }
