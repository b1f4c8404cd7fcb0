"""Normalised text → the text the vocabulary is matched in: compatibility characters folded and the
script told and converted, every character kept at its offset (cells point into the stored text).
"""
from __future__ import annotations

import re
import unicodedata

# --- compatibility characters ----------------------------------------------------------------
# PDF text layers print Kangxi radicals for look-alike ideographs (⾏ U+2F8F for 行) and reports type
# full-width digits; NFKC folds both to the characters the vocabulary is written in. Only the
# characters that fold to exactly one character are folded, so every offset stays where it was.
_COMPAT_RANGES = ((0x2E80, 0x2EF3), (0x2F00, 0x2FD5), (0xF900, 0xFAFF), (0xFF10, 0xFF19))
_COMPAT = {cp: folded for lo, hi in _COMPAT_RANGES for cp in range(lo, hi + 1)
           if len(folded := unicodedata.normalize("NFKC", chr(cp))) == 1 and folded != chr(cp)}
# Radicals of the CJK Radicals Supplement that PDF text layers print for whole characters, which NFKC
# leaves as they are (⺠ U+2EA0 for 民): their equivalent ideographs (Unicode's EquivalentUnifiedIdeograph).
_COMPAT |= {ord(radical): ideograph for radical, ideograph in zip(
    "⺟⺠⺩⺼⻄⻅⻆⻉⻊⻋⻓⻔⻗⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳", "母民王月西见角贝足车长门雨页风飞食马骨鬼鱼鸟麦黄齐齿龙龟")}
_COMPAT_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _COMPAT_RANGES)
_HAS_COMPAT = re.compile(f"[{_COMPAT_CLASS}]")


def fold_compat(text: str) -> str:
    """Kangxi radicals and full-width digits as the characters they stand for, same length.

    >>> text = "行政复议"
    >>> fold_compat("⾏政复议 ２０２３"), fold_compat(text) is text
    ('行政复议 2023', True)
    """
    return text.translate(_COMPAT) if _HAS_COMPAT.search(text) else text


# --- script ------------------------------------------------------------------------------------
# Common characters that exist only in traditional script; a handful decide the script.
_TRADITIONAL_CHARS = "開報與為會關這個們來時說對發學經過動後當長還現從產種進實頭體應點處數業議訴訟復請區機華條門網資務據總結計審維糾審辦處認規範實聯營廢現"
_TRADITIONAL = re.compile(f"[{_TRADITIONAL_CHARS}]")


_SCRIPT_SAMPLE = 50000  # characters read to tell the script


def detect_script(text: str) -> str:
    """'traditional' when traditional-only characters are common, else 'simplified'.

    >>> detect_script("政府信息公開工作年度報告，總體情況"), detect_script("政府信息公开工作年度报告")
    ('traditional', 'simplified')
    """
    return _script(len(_TRADITIONAL.findall(text, 0, _SCRIPT_SAMPLE)))


def _script(traditional_hits: int) -> str:
    return "traditional" if traditional_hits >= 3 else "simplified"


# A compatibility form or a traditional-only character: both found in one scan.
_COMPAT_OR_TRADITIONAL = re.compile(f"[{_COMPAT_CLASS}{_TRADITIONAL_CHARS}]")


def fold_and_detect(text: str) -> tuple[str, str]:
    """``fold_compat(text)`` and its script, in one scan of the text where it holds no compatibility
    form (most text: folding can make a traditional-only character, ⾨ → 門, so such text is folded first).

    >>> fold_and_detect("政府信息公開工作年度報告，總體情況"), fold_and_detect("⾏政复议 ２０２３")
    (('政府信息公開工作年度報告，總體情況', 'traditional'), ('行政复议 2023', 'simplified'))
    """
    hits = _COMPAT_OR_TRADITIONAL.findall(text, 0, _SCRIPT_SAMPLE)
    if _HAS_COMPAT.search("".join(hits)) or _HAS_COMPAT.search(text, _SCRIPT_SAMPLE):
        folded = fold_compat(text)
        return folded, detect_script(folded)
    return text, _script(len(hits))


_converter = None
_to_traditional = None


def to_traditional(text: str) -> str:
    """Simplified → traditional with OpenCC: a word of the vocabulary as a report in traditional script prints it.

    >>> to_traditional("收到和处理政府信息公开申请")
    '收到和處理政府信息公開申請'
    """
    global _to_traditional
    if _to_traditional is None:
        import opencc

        _to_traditional = opencc.OpenCC("s2t")
    return _to_traditional.convert(text)


def to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC, keeping every character at its offset.

    Offsets must survive so that a cell found in the converted text points at the same place
    in the stored original; lines whose phrase conversion changes length fall back to
    character-by-character conversion.

    >>> to_simplified("錢江經濟開發區")
    '钱江经济开发区'
    """
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    converted = _converter.convert(text)
    if len(converted) == len(text):
        return converted
    lines = []
    for line in text.split("\n"):
        new = _converter.convert(line)
        if len(new) != len(line):
            new = "".join(c if len(c) == 1 else ch for ch, c in ((ch, _converter.convert(ch)) for ch in line))
        lines.append(new)
    return "\n".join(lines)
