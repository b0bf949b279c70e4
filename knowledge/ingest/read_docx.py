"""Reading a .docx: body paragraphs and table rows in order, Word's numbering labels restored."""
from __future__ import annotations

import io
import zipfile
from typing import Dict, List, Optional, Set, Tuple

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from knowledge.ingest.legacy_encodings import (DECODERS, TCVN3, VNI, repair_legacy, to_legacy_bytes,
                                               vietnamese_score)
from knowledge.ingest.read import CorruptFile, TooLarge, legacy_note
from knowledge.ingest.read_docx_numbering import Numbering, bullet_text, w, wval

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# A 20 MB upload that unpacks past this is a zip bomb, not a plan.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024

_SKIPPED = {w("pPr"), w("rPr"), w("del"), w("moveFrom"), w("instrText"), w("delText"),
            f"{{{MC}}}Fallback", w("footnoteReference"), w("endnoteReference"), w("commentReference")}
_BLOCK_CONTAINERS = {w("sdt"), w("sdtContent"), w("customXml"), w("ins"), w("moveTo"), w("smartTag")}


def read_docx(data: bytes) -> Tuple[List[str], List[str]]:
    """The body's lines (paragraphs, table rows, text boxes) and notes for the admin."""
    _check_unpacked_size(data)
    try:
        document = Document(io.BytesIO(_as_document(data)))
        styles = _Styles(document.styles.element)
        numbering = Numbering(_numbering_root(document), styles.numbering_styles)
        body = document.element.body
        reader = _BodyReader(styles, numbering, _legacy_fonts_in_use(body, styles))
        lines = reader.block(body)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
        raise CorruptFile() from None
    encodings = set(reader.legacy_encodings)
    if not encodings:
        lines, detected = repair_legacy(lines)
        encodings = {detected} if detected else set()
    return lines, [legacy_note(name) for name in sorted(encodings)]


_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Main parts python-docx refuses though their body is the same: macro-enabled documents and templates.
_OTHER_MAINS = (b"application/vnd.ms-word.document.macroEnabled.main+xml",
                b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
                b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml")


def _as_document(data: bytes) -> bytes:
    """The package, a .docm/.dotx/.dotm relabelled as a plain document so python-docx opens it."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml")
        if not any(other in types for other in _OTHER_MAINS):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as relabelled:
            for info in package.infolist():
                body = package.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    for other in _OTHER_MAINS:
                        body = body.replace(other, _MAIN.encode())
                relabelled.writestr(info, body)
    return out.getvalue()


def _check_unpacked_size(data: bytes) -> None:
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError):
        raise CorruptFile() from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise TooLarge("Tệp .docx giải nén ra quá lớn (hơn 400 MB); hãy bỏ bớt ảnh rồi tải lên lại.")


def _numbering_root(document):
    """The numbering part's XML, or None when the document has no lists."""
    try:
        part = document.part.part_related_by(RT.NUMBERING)
    except KeyError:
        return None
    element = getattr(part, "element", None)
    return element if element is not None else etree.fromstring(part.blob)


def legacy_font(font: Optional[str]) -> Tuple[Optional[str], bool]:
    """(TCVN3 or VNI, upper-case font) for a legacy Vietnamese font name like .VnTimeH or VNI-Times."""
    if not font:
        return None, False
    name = font.strip().lower()
    if name.startswith("vni"):
        return VNI, False
    if name.startswith((".vn", "vn")):
        return TCVN3, name.endswith("h")
    return None, False


def _font_of(rpr) -> Optional[str]:
    if rpr is None:
        return None
    fonts = rpr.find(w("rFonts"))
    if fonts is None:
        return None
    return fonts.get(w("ascii")) or fonts.get(w("hAnsi"))


class _Styles:
    """What paragraphs inherit from their style chain: numbering and font."""

    def __init__(self, root):
        self._based_on: Dict[str, str] = {}
        self._num: Dict[str, Tuple[Optional[str], Optional[str]]] = {}
        self._font: Dict[str, str] = {}
        self.numbering_styles: Dict[str, str] = {}
        self.default_paragraph: Optional[str] = None
        defaults = root.find(w("docDefaults"))
        rpr_default = defaults.find(f"{w('rPrDefault')}/{w('rPr')}") if defaults is not None else None
        self.default_font = _font_of(rpr_default)
        for style in root.iter(w("style")):
            style_id = style.get(w("styleId"))
            kind = style.get(w("type"))
            based = wval(style, "basedOn")
            if based:
                self._based_on[style_id] = based
            ppr = style.find(w("pPr"))
            num_pr = ppr.find(w("numPr")) if ppr is not None else None
            if num_pr is not None:
                entry = (wval(num_pr, "numId"), wval(num_pr, "ilvl"))
                if kind == "numbering":
                    self.numbering_styles[style_id] = entry[0] or ""
                else:
                    self._num[style_id] = entry
            font = _font_of(style.find(w("rPr")))
            if font:
                self._font[style_id] = font
            if kind == "paragraph" and style.get(w("default")) in ("1", "true"):
                self.default_paragraph = style_id

    def _chain(self, style_id: Optional[str]) -> List[str]:
        chain: List[str] = []
        while style_id and style_id not in chain and len(chain) < 20:
            chain.append(style_id)
            style_id = self._based_on.get(style_id)
        return chain

    def numbering(self, style_id: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
        """(numId, ilvl) the style gives its paragraphs, each None when not set."""
        for sid in self._chain(style_id):
            if sid in self._num:
                return self._num[sid]
        return None, None

    def font(self, style_id: Optional[str]) -> Optional[str]:
        for sid in self._chain(style_id):
            if sid in self._font:
                return self._font[sid]
        return self.default_font


class _BodyReader:
    """Walks body content in document order, producing lines and counting numbered paragraphs."""

    def __init__(self, styles: _Styles, numbering: Numbering, legacy: Set[str]):
        self._styles = styles
        self._numbering = numbering
        self._legacy_fonts = legacy  # encodings whose fonts hold 8-bit text in this document
        self.legacy_encodings: Set[str] = set()

    def block(self, element) -> List[str]:
        """The lines of a body, cell, content control or text box."""
        lines: List[str] = []
        for child in element:
            if child.tag == w("p"):
                lines.extend(self.paragraph(child))
            elif child.tag == w("tbl"):
                lines.extend(self.table(child))
            elif child.tag in _BLOCK_CONTAINERS:
                lines.extend(self.block(child))
        return lines

    def table(self, tbl) -> List[str]:
        """One line per row, cells joined by " | "; merged-away cells are empty and left out."""
        lines = []
        for row in _descendants_in(tbl, w("tr"), stop={w("tbl")}):
            cells = []
            for cell in _descendants_in(row, w("tc"), stop={w("tbl")}):
                text = " ".join(line.strip() for line in self.block(cell) if line.strip())
                if text:
                    cells.append(text)
            if cells:
                lines.append(" | ".join(cells))
        return lines

    def paragraph(self, p) -> List[str]:
        """The paragraph's lines (soft breaks split it), its numbering label before the first."""
        ppr = p.find(w("pPr"))
        style_id = wval(ppr, "pStyle") or self._styles.default_paragraph
        label = self._label(ppr, style_id)
        pieces: List[str] = []
        boxes: List = []
        self._walk(p, style_id, pieces, boxes)
        lines = "".join(pieces).split("\n")
        if label and lines[0].strip():
            lines[0] = f"{label} {lines[0]}"
        for box in boxes:
            lines.extend(self.block(box))
        return lines

    def _label(self, ppr, style_id: Optional[str]) -> Optional[str]:
        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        style_num, style_ilvl = self._styles.numbering(style_id)
        num_id = wval(num_pr, "numId") or style_num
        if not num_id or num_id == "0":
            return None
        ilvl_text = wval(num_pr, "ilvl") or style_ilvl
        if ilvl_text is None:
            ilvl = self._numbering.level_for_style(num_id, style_id) or 0
        else:
            ilvl = int(ilvl_text) if ilvl_text.isdigit() else 0
        return self._numbering.label(num_id, ilvl)

    def _walk(self, element, style_id: Optional[str], pieces: List[str], boxes: List) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                continue
            if tag == w("txbxContent"):
                boxes.append(child)
            elif tag == w("r"):
                self._run(child, style_id, pieces, boxes)
            else:
                self._walk(child, style_id, pieces, boxes)

    def _run(self, run, style_id: Optional[str], pieces: List[str], boxes: List) -> None:
        rpr = run.find(w("rPr"))
        if rpr is not None and rpr.find(w("vanish")) is not None and wval(rpr, "vanish") not in ("0", "false"):
            return
        parts: List[str] = []
        for child in run:
            tag = child.tag
            if tag == w("t"):
                parts.append(child.text or "")
            elif tag in (w("tab"), w("ptab")):
                parts.append("\t")
            elif tag in (w("br"), w("cr")):
                parts.append("\n")
            elif tag == w("noBreakHyphen"):
                parts.append("-")
            elif tag == w("sym"):
                code = child.get(w("char")) or ""
                parts.append(bullet_text(chr(int(code, 16))) if _is_hex(code) else "")
            elif isinstance(tag, str) and tag not in _SKIPPED:
                self._walk(child, style_id, parts, boxes)
        pieces.append(self._legacy(run, rpr, style_id, "".join(parts)))

    def _legacy(self, run, rpr, style_id: Optional[str], text: str) -> str:
        """Text typed in a .VnTime or VNI font, in Unicode (upper case for the H fonts)."""
        encoding, upper = legacy_font(_font_of(rpr) or self._styles.font(style_id))
        if encoding not in self._legacy_fonts:
            return text
        raw = to_legacy_bytes(text)
        converted = DECODERS[encoding](raw) if raw is not None else text
        if converted != text:
            self.legacy_encodings.add(encoding)
        return converted.upper() if upper else converted


def _legacy_fonts_in_use(body, styles: _Styles) -> Set[str]:
    """TCVN3/VNI when text in their fonts reads better converted: a document retyped in Unicode
    can keep the old font names, and its text must then stay as it is."""
    texts: Dict[str, List[str]] = {}
    for paragraph in body.iter(w("p")):
        style_id = wval(paragraph.find(w("pPr")), "pStyle") or styles.default_paragraph
        for run in paragraph.iter(w("r")):
            encoding, _ = legacy_font(_font_of(run.find(w("rPr"))) or styles.font(style_id))
            if encoding:
                texts.setdefault(encoding, []).append("".join(t.text or "" for t in run.iter(w("t"))))
    in_use = set()
    for encoding, runs in texts.items():
        eight_bit = [text for text in runs if to_legacy_bytes(text) is not None]
        text = " ".join(eight_bit)
        before = vietnamese_score(text)
        after = vietnamese_score(DECODERS[encoding](to_legacy_bytes(text) or b""))
        # Plain ASCII in these fonts still counts (the H fonts show it in capitals), unless
        # other runs in them already hold Unicode Vietnamese.
        if after > before or (after == before == 0 and len(eight_bit) == len(runs)):
            in_use.add(encoding)
    return in_use


def _is_hex(code: str) -> bool:
    return bool(code) and all(ch in "0123456789abcdefABCDEF" for ch in code)


def _descendants_in(element, tag: str, stop: Set[str]):
    """Children named tag, looking through content controls but not into nested tables."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _BLOCK_CONTAINERS and child.tag not in stop:
            yield from _descendants_in(child, tag, stop)
