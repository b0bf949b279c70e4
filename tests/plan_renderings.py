"""Plans as admins upload them, built at test time from a seed's raw text: a .docx whose list labels
come from Word's automatic numbering, a text PDF, TCVN3 and VNI text files; and bad uploads."""
from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from knowledge.ingest.legacy_encodings import encode_tcvn3, encode_vni

PROJECT_ROOT = Path(__file__).resolve().parent.parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RUNNING_HEADER = "KẾ HOẠCH NHẬP THỬ – BẢN IN"

# A typed list label at the start of a seed line, and what Word would number it with.
LABEL = re.compile(
    r"^(?:(?P<roman>[IVXLC]+)\.|(?P<multi>\d+(?:\.\d+)+)(?P<multi_end>\.?)|(?P<decimal>\d+)(?P<decimal_end>[.)])"
    r"|(?P<letter>[a-zđ])\)|(?P<bullet>[-+•]))\s+(?P<rest>\S.*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"  # Word's lowerLetter; "đ" has no number


def seeds_dir() -> Path:
    """The folder of seed plans ($SEEDS_DIR, else ../shared/seeds); an error naming it when missing."""
    # A clone elsewhere than beside ../shared (CI's) finds the machine's shared folder.
    candidates = [PROJECT_ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")]
    path = Path(os.environ.get("SEEDS_DIR") or next((c for c in candidates if any(c.glob("[0-9]*_*.txt"))),
                                                     candidates[0]))
    if not sorted(path.glob("[0-9][0-9][0-9]_*.txt")):
        raise FileNotFoundError(f"no seed plans (NNN_*.txt) in {path}: set SEEDS_DIR to the seeds folder")
    return path


def seed_files() -> List[Path]:
    return sorted(seeds_dir().glob("[0-9][0-9][0-9]_*.txt"))


def seed_text(prefix: str) -> str:
    """The raw text of the seed whose name starts with prefix ("000" ... "004")."""
    matches = [path for path in seed_files() if path.name.startswith(prefix)]
    if not matches:
        raise FileNotFoundError(f"no seed plan {prefix}_*.txt in {seeds_dir()}")
    return matches[0].read_text(encoding="utf-8")


def roman_value(text: str) -> int:
    total = 0
    for ch, nxt in zip(text, text[1:] + " "):
        value = _ROMAN_VALUES[ch]
        total += -value if _ROMAN_VALUES.get(nxt, 0) > value else value
    return total


# ---- .docx with real automatic numbering -------------------------------------------------------

def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


@dataclass
class _ListKind:
    """One list definition (w:abstractNum) and what it shows at each level."""

    abstract_id: int
    levels: List[Tuple[str, str]]  # (numFmt, lvlText) per level
    bullet_font: Optional[str] = None
    style: Optional[str] = None  # paragraph style bound to level 0


@dataclass
class _NumberingPlan:
    """The w:num instances a document needs, chosen so Word shows each typed label."""

    kinds: Dict[str, _ListKind]
    nums: List[str] = field(default_factory=list)  # w:num XML
    current: Dict[Tuple[str, str], int] = field(default_factory=dict)
    counters: Dict[str, List[Optional[int]]] = field(default_factory=dict)
    next_id: int = 100

    def new_num(self, kind: str, override_level: Optional[int], start: Optional[int],
                lvl_text: Optional[str]) -> int:
        self.next_id += 1
        spec = self.kinds[kind]
        overrides = ""
        if override_level is not None:
            inner = f'<w:startOverride w:val="{start}"/>' if start is not None else ""
            if lvl_text is not None:
                fmt = spec.levels[override_level][0]
                inner += (f'<w:lvl w:ilvl="{override_level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                          f'<w:lvlText w:val="{lvl_text}"/><w:lvlJc w:val="left"/></w:lvl>')
            overrides = f'<w:lvlOverride w:ilvl="{override_level}">{inner}</w:lvlOverride>'
        self.nums.append(f'<w:num w:numId="{self.next_id}"><w:abstractNumId w:val="{spec.abstract_id}"/>'
                         f'{overrides}</w:num>')
        return self.next_id

    def place(self, kind: str, values: Sequence[int], lvl_text: Optional[str]) -> Optional[int]:
        """The numId that makes Word show these values at level len(values)-1, or None if it cannot."""
        level = len(values) - 1
        counters = self.counters.setdefault(kind, [None] * 9)
        if any(counters[i] != values[i] for i in range(level)):
            return None  # a parent number Word would not show here: keep the label typed
        default_text = self.kinds[kind].levels[level][1]
        variant = lvl_text if lvl_text != default_text else ""
        predicted = 1 if counters[level] is None else counters[level] + 1
        key = (kind, f"{level}:{variant}")
        if predicted != values[level]:
            num_id = self.new_num(kind, level, values[level], variant or None)
            self.current[key] = num_id
        elif key not in self.current:
            self.current[key] = self.new_num(kind, level if variant else None, None, variant or None)
        counters[level] = values[level]
        for deeper in range(level + 1, 9):
            counters[deeper] = None
        return self.current[key]

    def abstract_xml(self) -> str:
        out = []
        for spec in self.kinds.values():
            levels = []
            for ilvl, (fmt, text) in enumerate(spec.levels):
                font = (f'<w:rPr><w:rFonts w:ascii="{spec.bullet_font}" w:hAnsi="{spec.bullet_font}"/></w:rPr>'
                        if spec.bullet_font else "")
                style = f'<w:pStyle w:val="{spec.style}"/>' if spec.style and ilvl == 0 else ""
                levels.append(f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{style}'
                              f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                              f'<w:pPr><w:ind w:left="{360 * (ilvl + 1)}" w:hanging="360"/></w:pPr>{font}</w:lvl>')
            out.append(f'<w:abstractNum w:abstractNumId="{spec.abstract_id}">'
                       f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>')
        return "".join(out)


def _list_kinds() -> Dict[str, _ListKind]:
    return {
        "roman": _ListKind(91, [("upperRoman", "%1.")], style="Heading1"),
        "outline": _ListKind(92, [("decimal", "%1."), ("decimal", "%1.%2."), ("decimal", "%1.%2.%3.")]),
        "letter": _ListKind(93, [("lowerLetter", "%1)")]),
        "-": _ListKind(94, [("bullet", "-")]),
        "+": _ListKind(95, [("bullet", "+")]),
        "•": _ListKind(96, [("bullet", "\uf0b7")], bullet_font="Symbol"),
    }


@dataclass(frozen=True)
class _Item:
    """A seed line as Word would hold it: the list it belongs to (if any), its values and its text."""

    kind: Optional[str]
    values: Tuple[int, ...]
    lvl_text: Optional[str]
    text: str


def _item(line: str) -> _Item:
    match = LABEL.match(line)
    if not match:
        return _Item(None, (), None, line)
    rest = match["rest"]
    if match["roman"]:
        return _Item("roman", (roman_value(match["roman"]),), "%1.", rest)
    if match["multi"]:
        values = tuple(int(part) for part in match["multi"].split("."))
        if len(values) > 3:
            return _Item(None, (), None, line)
        text = ".".join(f"%{i + 1}" for i in range(len(values))) + match["multi_end"]
        return _Item("outline", values, text, rest)
    if match["decimal"]:
        return _Item("outline", (int(match["decimal"]),), "%1" + match["decimal_end"], rest)
    if match["letter"]:
        if match["letter"] not in _LETTERS:
            return _Item(None, (), None, line)  # "đ)": Word has no such number, plans type it
        return _Item("letter", (_LETTERS.index(match["letter"]) + 1,), "%1)", rest)
    return _Item(match["bullet"], (1,), None, rest)


@dataclass(frozen=True)
class DocxRendering:
    """A .docx rendering and how many of its labels Word's numbering produces."""

    data: bytes
    numbered: int
    typed: int


def docx_from_seed(text: str) -> DocxRendering:
    """A Word file of the seed: one paragraph per line, list labels produced by automatic numbering
    (numbering.xml and w:numPr; Roman headings through the Heading 1 style), header and footer set."""
    from docx import Document
    from lxml import etree

    document = Document()
    plan = _NumberingPlan(_list_kinds())
    heading_num = plan.new_num("roman", None, None, None)
    plan.current[("roman", "0:")] = heading_num
    heading = document.styles["Heading 1"].element
    heading.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = heading_num
    bullets = {kind: plan.new_num(kind, None, None, None) for kind in ("-", "+", "•")}
    numbered = typed = 0
    for raw in text.splitlines():
        line = raw.strip()
        item = _item(line)
        if item.kind in bullets:
            _numbered_paragraph(document, item.text, "List Paragraph", bullets[item.kind], 0)
            continue
        num_id = plan.place(item.kind, item.values, item.lvl_text) if item.kind else None
        if num_id is None:
            document.add_paragraph(line)
            typed += bool(LABEL.match(line))
        elif item.kind == "roman":
            paragraph = document.add_paragraph(item.text, style="Heading 1")
            if num_id != heading_num:  # a restart: the paragraph names its own list instance
                paragraph._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num_id
            numbered += 1
        else:
            _numbered_paragraph(document, item.text, "List Paragraph", num_id, len(item.values) - 1)
            numbered += 1
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    footer = section.footer.paragraphs[0]
    footer.text = "Trang "
    footer._p.append(etree.fromstring(
        f'<w:fldSimple xmlns:w="{W_NS}" w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    _write_numbering(document, plan)
    out = io.BytesIO()
    document.save(out)
    return DocxRendering(out.getvalue(), numbered, typed)


def _numbered_paragraph(document, text: str, style: str, num_id: int, ilvl: int) -> None:
    paragraph = document.add_paragraph(text, style=style)
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


def _write_numbering(document, plan: _NumberingPlan) -> None:
    """Add the plan's definitions to the template's numbering part (abstracts before nums, as the schema wants)."""
    from lxml import etree

    root = document.part.numbering_part.element
    wrap = f'<w:numbering xmlns:w="{W_NS}">{plan.abstract_xml()}{"".join(plan.nums)}</w:numbering>'
    new = etree.fromstring(wrap)
    first_num = root.find(_w("num"))
    for abstract in new.findall(_w("abstractNum")):
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            root.append(abstract)
    for num in new.findall(_w("num")):
        root.append(num)


def docx_from_paragraphs(paragraphs: Sequence[str], numbering_xml: str = "",
                         numbered: Optional[Dict[int, Tuple[int, int]]] = None,
                         fonts: Optional[Dict[int, str]] = None, table: Optional[List[List[str]]] = None,
                         table_at: int = 0) -> bytes:
    """A small .docx: paragraphs (index -> (numId, ilvl) numbered, index -> run font), extra
    numbering definitions, and a table inserted before paragraph table_at."""
    from docx import Document
    from lxml import etree

    document = Document()
    for index, text in enumerate(paragraphs):
        if table is not None and index == table_at:
            _add_table(document, table)
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        if fonts and index in fonts:
            run.font.name = fonts[index]
        if numbered and index in numbered:
            num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = numbered[index][1]
            num_pr.get_or_add_numId().val = numbered[index][0]
    if table is not None and table_at >= len(paragraphs):
        _add_table(document, table)
    if numbering_xml:
        root = document.part.numbering_part.element
        new = etree.fromstring(f'<w:numbering xmlns:w="{W_NS}">{numbering_xml}</w:numbering>')
        first_num = root.find(_w("num"))
        for abstract in new.findall(_w("abstractNum")):
            first_num.addprevious(abstract) if first_num is not None else root.append(abstract)
        for num in new.findall(_w("num")):
            root.append(num)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_table(document, rows: List[List[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            lines = text.split("\n")
            cell.paragraphs[0].text = lines[0]
            for extra in lines[1:]:
                cell.add_paragraph(extra)


# ---- text PDF ------------------------------------------------------------------------------------

def _font_path(bold: bool = False) -> str:
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name)


def _pdf(header: str = RUNNING_HEADER):
    from fpdf import FPDF

    class PlanPdf(FPDF):
        def header(self) -> None:
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, header, align="C")
            self.ln(9)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, f"Trang {self.page_no()}", align="C")

    pdf = PlanPdf(format="A4")
    pdf.add_font("DejaVu", "", _font_path())
    pdf.add_font("DejaVu", "B", _font_path(bold=True))
    pdf.set_margins(20, 15, 20)
    pdf.set_auto_page_break(True, 20)
    return pdf


def pdf_from_seed(text: str, paragraph_gap: float = 2.0, align: str = "J") -> bytes:
    """A text PDF of the seed: paragraphs (justified unless align="L") wrapped at the margin with
    paragraph_gap mm between them, Roman headings in bold, a running header and page numbers."""
    from fpdf.enums import XPos, YPos

    pdf = _pdf()
    pdf.add_page()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = LABEL.match(line)
        pdf.set_font("DejaVu", "B" if match and match["roman"] else "", 11)
        pdf.multi_cell(0, 5.5, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(paragraph_gap)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    """A text PDF that opens only with a user password."""
    pdf = _pdf()
    pdf.set_encryption(owner_password="chu-so-huu", user_password="mat-khau")
    pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, "I. MỤC TIÊU\n1. Hỗ trợ thẻ bảo hiểm y tế cho hộ cận nghèo.")
    return bytes(pdf.output())


def scanned_pdf(pages: int = 2, stamp: str = "") -> bytes:
    """A PDF of page images (dark bars where lines of print would be) with no text layer but the
    page number and, on the first page, a short stamp."""
    from PIL import Image, ImageDraw

    pdf = _pdf(header="")
    for page in range(pages):
        pdf.add_page()
        if stamp and page == 0:
            pdf.set_font("DejaVu", "", 9)
            pdf.cell(0, 5, stamp)
        image = Image.new("L", (620, 880), 255)
        draw = ImageDraw.Draw(image)
        for y in range(60, 820, 28):
            draw.rectangle((50, y, 570 - (y * 7) % 90, y + 12), fill=30)
        pdf.image(image, x=10, y=10, w=190)
    return bytes(pdf.output())


def mixed_pdf() -> bytes:
    """A PDF whose first page has text and second page is only a scanned image."""
    from PIL import Image

    pdf = _pdf()
    pdf.add_page()
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, "I. MỤC TIÊU\n1. Hỗ trợ thẻ bảo hiểm y tế cho hộ cận nghèo.")
    pdf.add_page()
    pdf.image(Image.new("L", (200, 280), 200), x=10, y=30, w=150)
    return bytes(pdf.output())


# ---- legacy 8-bit text files ---------------------------------------------------------------------

def tcvn3_file(text: str) -> bytes:
    """The text as a TCVN3 (.VnTime) text file with Windows line ends."""
    return b"\r\n".join(encode_tcvn3(line) for line in text.split("\n"))


def vni_file(text: str) -> bytes:
    """The text as a VNI text file with Windows line ends."""
    return b"\r\n".join(encode_vni(line) for line in text.split("\n"))


def cp1258_file(text: str) -> bytes:
    """The text in Windows-1258: letters it lacks are written as base letter plus a combining tone."""
    import unicodedata

    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tones = "".join(m for m in decomposed if m in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in tones))
            out += (base + tones).encode("cp1258")
    return bytes(out)


# ---- bad uploads ---------------------------------------------------------------------------------

def corrupt_docx(good: bytes) -> bytes:
    """A .docx cut short in transfer: the zip's central directory is missing."""
    return good[: len(good) // 2]


def corrupt_pdf() -> bytes:
    """A file that says %PDF but holds no PDF objects."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def docx_without_body_text() -> bytes:
    """A valid Word file with only empty paragraphs."""
    return docx_from_paragraphs(["", "   ", ""])


def compound_file(streams: Sequence[str]) -> bytes:
    """An OLE compound file (the container of .doc files and encrypted Office files) with empty streams."""
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))

    def entry(name: str, kind: int, child: int, right: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
                + bytes(16) + bytes(4) + bytes(16) + struct.pack("<III", end, 0, 0))

    entries = [entry("Root Entry", 5, 1 if streams else free, free)]
    for index, name in enumerate(streams, 1):
        entries.append(entry(name, 2, free, index + 1 if index < len(streams) else free))
    directory = b"".join(entries).ljust(512, b"\0")
    return header + fat + directory


def legacy_doc() -> bytes:
    """A Word 97-2003 .doc (compound file with a WordDocument stream)."""
    return compound_file(["WordDocument", "1Table", "\x05SummaryInformation"])


def encrypted_docx() -> bytes:
    """A password-protected .docx as Word saves it: a compound file with EncryptionInfo and EncryptedPackage."""
    return compound_file(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])


def png_image() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (40, 30), 255).save(out, format="PNG")
    return out.getvalue()


def xlsx_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()
