"""Reading an uploaded plan (.docx, .pdf or text) into its lines, numbering labels restored."""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import List, Optional

from knowledge.errors import KnowledgeError
from knowledge.ingest.legacy_encodings import repair_legacy

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class PlanText:
    """A plan's lines in order (numbering labels at their start), where they came from, notes for the admin."""

    lines: List[str]
    source: str  # "docx" | "pdf" | "text"
    notes: List[str] = field(default_factory=list)


class IngestError(KnowledgeError):
    """An uploaded plan could not be read; the message tells the admin what to do."""

    message = "Không đọc được tệp này."

    def __init__(self, message: Optional[str] = None):
        super().__init__(message or self.message)


class EmptyFile(IngestError):
    """The file or pasted text is empty, or holds no text at all."""

    message = "Tệp trống hoặc không có chữ nào để nhập."


class TooLarge(IngestError):
    """The file is over MAX_BYTES; raised before any parsing."""

    message = "Tệp quá lớn (hơn 20 MB); hãy chia nhỏ hoặc bỏ bớt ảnh rồi tải lên lại."


class CorruptFile(IngestError):
    """A .docx or .pdf whose structure cannot be read."""

    message = "Tệp bị hỏng, không đọc được; hãy mở bằng Word hoặc trình đọc PDF, lưu lại rồi tải lên lại."


class EncryptedFile(IngestError):
    """A password-protected PDF or Word file."""

    message = "Tệp được đặt mật khẩu; hãy gỡ mật khẩu (lưu một bản không mật khẩu) rồi tải lên lại."


class ScannedPdf(IngestError):
    """A PDF with pages but no text layer."""

    message = "Tệp PDF này là ảnh quét, không có lớp chữ; cần nhận dạng chữ (OCR) trước khi nhập."


class UnsupportedFormat(IngestError):
    """A format the reader does not take (.doc, images, spreadsheets...); the message names it."""


_LEGACY_DOC = ("Tệp Word cũ (.doc, Word 97-2003) chưa nhập trực tiếp được; hãy mở bằng Word, "
               "chọn Lưu thành (Save As) định dạng .docx rồi tải lên lại.")
_RTF = "Tệp RTF chưa nhập trực tiếp được; hãy mở bằng Word và lưu lại dưới dạng .docx rồi tải lên lại."
_IMAGE = ("Tệp ảnh ({kind}) không có lớp chữ; cần nhận dạng chữ (OCR) hoặc dùng bản .docx/.pdf gốc "
          "của văn bản.")
_OFFICE_OTHER = ("Tệp {kind} không phải văn bản Word; hãy dán nội dung kế hoạch vào Word, lưu dạng .docx "
                 "rồi tải lên lại.")
_BINARY = ("Không nhận ra định dạng tệp; chỉ nhập được tệp .docx, .pdf có lớp chữ hoặc văn bản thuần "
           "(.txt).")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"),
           (b"GIF89a", "GIF"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))
_WHITESPACE = re.compile(r"\s+")


def normalise_line(text: str) -> str:
    """The line with whitespace collapsed to single spaces, trimmed, in Unicode NFC."""
    return unicodedata.normalize("NFC", _WHITESPACE.sub(" ", text)).strip()


def clean_lines(lines: List[str]) -> List[str]:
    """Normalised lines, empty ones dropped."""
    return [line for line in (normalise_line(raw) for raw in lines) if line]


def read_text(text: str) -> PlanText:
    """A pasted plan: one line per line, TCVN3/VNI mojibake converted."""
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8")) > MAX_BYTES:
        raise TooLarge()
    lines, encoding = repair_legacy(text.splitlines())
    notes = [legacy_note(encoding)] if encoding else []
    return _finish(lines, "text", notes)


def read_plan(data: bytes, filename: str) -> PlanText:
    """An uploaded plan, read by what its bytes are (Word, PDF or text) rather than by its name."""
    # The format readers are imported when a file of their kind arrives: they raise this module's
    # errors, and python-docx or pdfminer load only when needed.
    if not data:
        raise EmptyFile()
    if len(data) > MAX_BYTES:
        raise TooLarge()
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _read_zip(data, suffix)
    if b"%PDF-" in data[:1024]:
        from knowledge.ingest.read_pdf import read_pdf

        lines, notes = read_pdf(data)
        return _finish(lines, "pdf", notes)
    if data.startswith(_OLE_MAGIC):
        raise _ole_error(data)
    _reject_other_binaries(data, suffix)
    from knowledge.ingest.read_plain import decode_plain

    lines, notes = decode_plain(data)
    return _finish(lines, "text", notes)


def _read_zip(data: bytes, suffix: str) -> PlanText:
    """A zip package: a .docx is read, other Office/OpenDocument files are named and refused."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        raise CorruptFile() from None
    if "word/document.xml" in names:
        from knowledge.ingest.read_docx import read_docx

        lines, notes = read_docx(data)
        return _finish(lines, "docx", notes)
    if any(name.startswith("xl/") for name in names):
        raise UnsupportedFormat(_OFFICE_OTHER.format(kind="Excel (.xlsx)"))
    if any(name.startswith("ppt/") for name in names):
        raise UnsupportedFormat(_OFFICE_OTHER.format(kind="PowerPoint (.pptx)"))
    if "content.xml" in names:
        raise UnsupportedFormat("Tệp OpenDocument (.odt) chưa nhập trực tiếp được; hãy lưu lại dưới "
                                "dạng .docx rồi tải lên lại.")
    if suffix == ".docx":
        raise CorruptFile()
    raise UnsupportedFormat("Tệp nén (.zip) không nhập được; hãy tải lên từng tệp .docx hoặc .pdf.")


def _ole_error(data: bytes) -> IngestError:
    """The error for an OLE compound file: encrypted Office file, legacy .doc, or another Office file."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return EncryptedFile()
    if "WordDocument".encode("utf-16-le") in data:
        return UnsupportedFormat(_LEGACY_DOC)
    if "Workbook".encode("utf-16-le") in data:
        return UnsupportedFormat(_OFFICE_OTHER.format(kind="Excel (.xls)"))
    return UnsupportedFormat(_OFFICE_OTHER.format(kind="Office cũ"))


def _reject_other_binaries(data: bytes, suffix: str) -> None:
    """Raise for images, RTF, or a .docx/.pdf name over bytes of neither kind."""
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            raise UnsupportedFormat(_IMAGE.format(kind=kind))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise UnsupportedFormat(_IMAGE.format(kind="WEBP"))
    if data.lstrip()[:5] == b"{\\rtf":
        raise UnsupportedFormat(_RTF)
    if suffix in (".docx", ".pdf"):
        raise CorruptFile()
    if suffix == ".doc":
        raise UnsupportedFormat(_LEGACY_DOC)
    head = data[:4096]
    utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff") or max(head[1::2].count(0), head[::2].count(0)) > len(head) // 4
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    if not utf16 and controls > len(head) // 20:
        raise UnsupportedFormat(_BINARY)


# Whitespace, and the C0 bytes TCVN3 uses for capitals with tone marks.
_TEXT_CONTROLS = set(b"\t\n\r\f\v\x1a") | {0x01, 0x02, 0x04, 0x05, 0x06, *range(0x11, 0x18)}


def legacy_note(encoding: str) -> str:
    """The admin's note that a TCVN3 or VNI text was converted."""
    note = f"Đã chuyển bảng mã {encoding} sang Unicode."
    if encoding == "TCVN3":
        note += " Chữ hoa có dấu của bảng mã này dễ bị nhầm: hãy soát lại các tiêu đề viết hoa."
    return note


def _finish(lines: List[str], source: str, notes: List[str]) -> PlanText:
    """The PlanText, or EmptyFile when no line has text."""
    cleaned = clean_lines(lines)
    if not cleaned:
        raise EmptyFile()
    return PlanText(lines=cleaned, source=source, notes=notes)
