"""The date a web page says it published the report (「发布时间: 2021-03-05 08:58」, 「发布日期：2020-01-31」).

Closer to publication than the signing date: a crawler's page or a saved HTML page prints it above the
report. Read only from the text's first lines, where the page's own header is, and only in the year
reported on or the two after it; a 发布日期 inside the report's prose (「规范标注成文日期、发布日期」) has no
date after it and is not taken.
"""
from __future__ import annotations

import datetime as dt
import re

_PAGE_DATE = re.compile(r"发布(?:时间|日期)\s*[:：]\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
_HEAD = 2_000  # characters: the page's header, before the report's title and first section


def page_date(text: str, year: int | None) -> dt.date | None:
    """The page's publication date, or None.

    >>> page_date("标题: …\\n发布时间: 2021-03-05 08:58\\n…", 2020), page_date("发布日期：2020-01-31", 2019)
    (datetime.date(2021, 3, 5), datetime.date(2020, 1, 31))
    >>> page_date("发布时间: 2030-01-01", 2020) is None
    True
    """
    m = _PAGE_DATE.search(text, 0, _HEAD)
    if m is None:
        return None
    try:
        date = dt.date(*map(int, m.groups()))
    except ValueError:
        return None
    return date if year is None or year <= date.year <= year + 2 else None
