"""The shapes of print the stages look for, in one place: enumerators (一、 （三） 2.), page numbers and footers,
and how short a heading is.

Each stage matches numbering in its own context (a PDF line, a table-3 label, a flattened page, a section
heading), so there is one pattern per context, all built from the same numerals; keep them together so that
a new way of numbering is taught to every stage at once.

>>> bool(ROW_ENUMERATOR.search("（三）不予公开")), bool(PAGE_FOOTER.match("— 3 —")), bool(PAGE_FOOTER.match("第 3 页"))
(True, True, True)
"""
from __future__ import annotations

import re

# The Chinese numerals section and row numbers are printed with (一、 … 十、; （一） … （十）).
NUMERAL = "一二三四五六七八九十"

# --- how short a heading is ---------------------------------------------------------------------
# A heading is a short line: its key words start within its first HEADING_MAX_CHARS characters, and it
# holds at most that many; a line with no numbering before its words is a heading only up to
# UNNUMBERED_HEADING_MAX_CHARS.
HEADING_MAX_CHARS = 40
UNNUMBERED_HEADING_MAX_CHARS = 30

# --- enumerators ----------------------------------------------------------------------------------
# A section heading's numbering (with a markdown # or emphasis before it), removed to read its words.
HEADING_NUMBER = re.compile(rf"^[#*\s]*(?:[{NUMERAL}]+[、.．]|[（(][{NUMERAL}]+[)）]|\d+[、.．])?")
# A report section's own numbering as the sections reader takes it: 五、 五. 五． 5、 第五部分, markdown #, a
# numeral alone on its line (wrapped), or none; never （一） (a sub-heading) nor 1.1.
SECTION_NUMBER = re.compile(rf"^[#*\s]*(?:第?[{NUMERAL}]{{1,2}}(?:部分)?[、.．,，\s]|[1-9][、.．](?!\d)|[{NUMERAL}]\s*$)?")
# Numbering that starts a heading or a table row in a PDF line: 一、 （一） (1) 1. 1、
LINE_NUMBERED = re.compile(rf"^\s*(?:[{NUMERAL}]+\s*[、.．]|[（(]\s*[{NUMERAL}\d]+\s*[)）]|\d+\s*[、.．](?!\d))")
# Row numbers inside a table-3 label run together from several cells ("（三）不予公开1.属于国家秘密").
ROW_ENUMERATOR = re.compile(rf"[{NUMERAL}]+、|[（(][{NUMERAL}]+[）)]|(?<![\d.])\d{{1,2}}\s*[.．、](?!\d)")
# The numbering at the start of a label after norm_label (brackets folded to ASCII, no punctuation).
LABEL_NUMBERING = re.compile(rf"^(?:[{NUMERAL}]+|\([{NUMERAL}]+\)|\d{{1,2}})+")
# Where a row label begins on a flattened page: its number (一、 （三） 2.), but not 第二十条第（一）项.
FLAT_LABEL_START = re.compile(rf"(?<!第)(?=[（(][{NUMERAL}][）)])|(?=[{NUMERAL}]、)|(?=\d\.[^\d])")

# --- page numbers and footers ----------------------------------------------------------------------
# A page footer line of a text dump: "— 3 —", "-3-", "第 3 页", "第3页，共12页".
PAGE_FOOTER = re.compile(r"^\s*(?:[—–\-－]+\s*\d{1,4}\s*[—–\-－]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?)\s*$")
# Every page footer holds one of these; only lines holding one are matched against PAGE_FOOTER.
FOOTER_MARK = re.compile(r"[—–\-－第]")
# A PDF page's running number in its top or bottom band: "3", "- 3 -", "第3页 共12页", "3/12".
PDF_PAGE_NUMBER = re.compile(r"^[\s\-—–－~·•_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/,，]?\s*共\s*\d{1,4}\s*页)?"
                             r"(?:\s*/\s*\d{1,4})?[\s\-—–－~·•_]*$")
