"""Decoding a plain-text plan: UTF-8, UTF-16, Windows-1258/1252, TCVN3 or VNI."""
from __future__ import annotations

import codecs
import re
import unicodedata
from typing import List, Optional, Tuple

from knowledge.ingest.legacy_encodings import DECODERS, repair_legacy, vietnamese_score

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# A legacy reading must beat Windows-1252/1258 by this many Vietnamese words.
_LEGACY_MARGIN = 2


def decode_plain(data: bytes) -> Tuple[List[str], List[str]]:
    """The lines of a text file and the admin's notes on how it was decoded."""
    from knowledge.ingest.read import legacy_note

    text = _unicode_text(data)
    if text is not None:
        lines, encoding = repair_legacy(_LINE_BREAK.split(text))
        return lines, [legacy_note(encoding)] if encoding else []
    text, encoding = _eight_bit_text(data)
    notes = []
    if encoding in DECODERS:
        notes.append(legacy_note(encoding))
    elif encoding == "cp1258":
        notes.append("Tệp được đọc theo bảng mã Windows-1258 và đã chuyển sang Unicode.")
    return _LINE_BREAK.split(text), notes


def _unicode_text(data: bytes) -> Optional[str]:
    """The text of a UTF-8 (with or without BOM) or UTF-16 file, or None for an 8-bit one."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    head = data[:4096]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _eight_bit_text(data: bytes) -> Tuple[str, str]:
    """The best reading of 8-bit bytes (by Vietnamese words) and its encoding name."""
    western = data.decode("cp1252", errors="replace")
    vietnamese = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    best_text, best_name = western, "cp1252"
    if vietnamese_score(vietnamese) > vietnamese_score(western):
        best_text, best_name = vietnamese, "cp1258"
    best_score = vietnamese_score(best_text)
    for name, decode in DECODERS.items():
        text = decode(data)
        if vietnamese_score(text) > best_score + _LEGACY_MARGIN:
            best_text, best_name, best_score = text, name, vietnamese_score(text)
    return best_text, best_name
