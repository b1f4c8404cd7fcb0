"""HTML → a Document: prose lines as the page shows them, each innermost table row a row of its cells."""
from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from ..document import Document, table
from .decode import RejectedInput

_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article",
          "header", "footer", "ul", "ol", "tbody", "thead", "table", "title", "center", "blockquote", "pre", "hr"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "button", "select", "option"}
SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u3000]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


def html_document(markup: str) -> Document:
    """Flatten HTML: prose becomes lines, each innermost table row a row of its cells.

    Tables that contain tables are layout (site chrome), so their cells are treated as blocks.
    Inline runs are concatenated, so "20</span><span>23" reads 2023.

    >>> html_document("<p>一、总体情况</p><table><tr><td>规章</td><td>1<span>0</span></td></tr></table>").blocks
    ['一、总体情况\\n', Table(rows=[['规章', '10']], laid_out=False, page=None, box=None)]
    >>> html_document("<table><tr><td><p>3</p><p>5</p></td><td>26<sup>1</sup></td><td>4<br>0</td></tr></table>").blocks[0].rows
    [['3 5', '26', '4 0']]
    """
    if any(m in markup for m in _MARKERS) or "&#" in markup:
        markup = _MARKER_CHARACTER.sub("\ufffd", markup)
    try:
        root = lxml_html.document_fromstring(_XML_DECL.sub("", markup, count=1), parser=_HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise RejectedInput(f"unreadable HTML: {exc}") from None
    _drop_hidden(root)
    # The page's <title> first: some crawled pages print the report's title nowhere else.
    title = SPACE.sub(" ", root.findtext(".//title") or "").strip()
    marked = str(_FLATTEN(root))
    # Each text node is folded on its own (a run of spaces split by a tag stays two), a cell's text as a
    # whole, then trimmed; the markers stop a run of spaces at a node's end and keep the line breaks the
    # stylesheet wrote out of the folding. A row's cells stay marked until the text is cut into rows.
    text = SPACE.sub(" ", marked).replace(_NODE_END, "").replace(_BREAK, "\n")
    text = _BLANK_LINES.sub("\n\n", (f"{title}\n" if title else "") + text).strip("\n")
    return Document(_blocks(_ROW.split(text)), [])


def _blocks(parts: list[str]) -> list:
    """The text cut at its rows (prose, row, prose, …, prose) → blocks: rows with nothing between them are one
    table. A row starts on a line of its own and ends with a blank line; the prose between two rows is what
    is printed between them.

    >>> _blocks(["标题\\n", f"a{_ROW_CELL_BREAK}1", "\\n\\n", "b", "\\n\\n \\n", "c", ""])
    ['标题', Table(rows=[['a', '1'], ['b']], laid_out=False, page=None, box=None), ' ', Table(rows=[['c']], laid_out=False, page=None, box=None)]
    """
    if len(parts) == 1:
        return [parts[0]] if parts[0] else []
    blocks: list = [parts[0][:-1]] if parts[0] else []  # the line break before the first row left out
    rows = None
    for k in range(1, len(parts), 2):
        between = parts[k - 1]
        if rows is None or len(between) != 2:
            if k > 1 and len(between) > 2:
                blocks.append(between[2:-1])
            rows = []
            blocks.append(table(rows))
        rows.append(list(map(str.strip, parts[k].split(_ROW_CELL_BREAK))))  # in C: no Python call a cell
    if parts[-1]:
        blocks.append(parts[-1][2:])
    return blocks


# Plain lxml elements: lxml.html's element classes cost a Python lookup for every element walked.
_HTML_PARSER = etree.HTMLParser(recover=True, huge_tree=False, remove_comments=True)
# Markers the stylesheet writes around what it lays out: noncharacters, which no text should hold; a page
# that does hold one (as a character or a reference) has it read as U+FFFD, so every marker is the stylesheet's.
_BREAK, _NODE_END, _CELL_START, _CELL_END = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
_MARKERS = "".join((_BREAK, _NODE_END, _CELL_START, _CELL_END))
_MARKER_CHARACTER = re.compile(f"[{_MARKERS}]|&#(?:[xX]0*[fF][dD][dD][0-3](?![0-9a-fA-F])|0*6497[6-9](?![0-9]));?")
# A row: its cells, each marked, one a line (the markers of its first and last cell are left out of the split).
_ROW = re.compile(f"{_CELL_START}((?:[^{_CELL_END}]*{_CELL_END}\n{_CELL_START})*[^{_CELL_END}]*){_CELL_END}")
_ROW_CELL_BREAK = f"{_CELL_END}\n{_CELL_START}"
_BLANK_LINES = re.compile(r"\n{3,}")


def _stylesheet() -> etree.XSLT:
    """The page laid out in one pass in C (libxslt): a block is its text between line breaks; a table row
    that holds no table is its cells, one a line; skipped elements give nothing.

    Inside a cell, what a browser shows on one line: the text of its paragraphs and lines kept apart by
    a space ("3<br>5" is two numbers, not 35: Word splits numbers across inline runs, never across
    lines), superscripts (footnote marks) left out, "26<sup>1</sup>" is 26.
    """
    blocks = "|".join(sorted(_BLOCK | {"td", "th", "tr"}))
    skipped = "|".join(sorted(_SKIP))
    br, end, cell, cell_end = (f"&#x{ord(c):X};" for c in _MARKERS)
    return etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="/"><xsl:apply-templates select="*"/></xsl:template>
<xsl:template match="{skipped}"/>
<xsl:template match="{blocks}">{br}<xsl:apply-templates/>{br}</xsl:template>
<xsl:template match="tr[not(.//table)]"><xsl:if test="td|th">{br}<xsl:for-each select="td|th"><xsl:if
  test="position() &gt; 1">{br}</xsl:if>{cell}<xsl:apply-templates mode="cell"/>{cell_end}</xsl:for-each
  >{br}{br}</xsl:if></xsl:template>
<xsl:template match="text()"><xsl:value-of select="."/>{end}</xsl:template>
<xsl:template match="sup" mode="cell"/>
<xsl:template match="p|div|li" mode="cell"><xsl:text> </xsl:text><xsl:apply-templates mode="cell"/></xsl:template>
<xsl:template match="br" mode="cell"><xsl:text> </xsl:text></xsl:template>
</xsl:stylesheet>"""))


_FLATTEN = _stylesheet()


# Text a browser does not show: Word's hidden runs and tracked deletions. Read, "26" with a deleted "0"
# would be 260.
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all|visibility\s*:\s*hidden", re.I)
_STYLES = etree.XPath("//@style")  # a third of the time of "//*[@style]"


def _drop_hidden(root) -> None:
    """Remove what is not shown (``<del>``, hidden styles), keeping the text that follows it."""
    hidden = [el for el in root.iter("del", "DEL") if el.getparent() is not None]
    hidden += [style.getparent() for style in _STYLES(root) if _HIDDEN.search(style)]
    for el in hidden:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
