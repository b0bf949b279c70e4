"""Reading uploaded plans: the five seed plans come back from .docx (labels restored from Word's
numbering), text PDFs and TCVN3/VNI files; bad uploads get their own Vietnamese message.

The seeds are read at run time from $SEEDS_DIR or ../shared/seeds (see tests/plan_renderings.py)."""
from __future__ import annotations

import difflib
import io
import zipfile
from typing import Dict, List

import pytest

from knowledge.errors import KnowledgeError
from knowledge.ingest import legacy_encodings as legacy
from knowledge.ingest.read import (MAX_BYTES, CorruptFile, EmptyFile, EncryptedFile, IngestError, PlanText,
                                   ScannedPdf, TooLarge, UnsupportedFormat, normalise_line, read_plan,
                                   read_text)
from tests import plan_renderings as renderings

SEEDS = ["000", "001", "002", "003", "004"]
MATCH_NEEDED = 0.98


def seed_lines(text: str) -> List[str]:
    return [line for line in (normalise_line(raw) for raw in text.splitlines()) if line]


def matched(want: List[str], got: List[str]) -> float:
    """The share of the seed's lines found, in order, among the lines read."""
    blocks = difflib.SequenceMatcher(None, want, got, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks) / len(want)


def numbered_labels(lines: List[str]) -> List[str]:
    """The seed's lines that start with a numbered label ("I.", "1.", "2.1.", "2.5.1", "a)")."""
    return [line for line in lines
            if (m := renderings.LABEL.match(line)) and not m["bullet"]]


@pytest.fixture(scope="module")
def seeds() -> Dict[str, str]:
    return {prefix: renderings.seed_text(prefix) for prefix in SEEDS}


@pytest.fixture(scope="module")
def docx_renderings(seeds) -> Dict[str, renderings.DocxRendering]:
    return {prefix: renderings.docx_from_seed(text) for prefix, text in seeds.items()}


@pytest.fixture(scope="module")
def pdf_renderings(seeds) -> Dict[str, bytes]:
    return {prefix: renderings.pdf_from_seed(text) for prefix, text in seeds.items()}


@pytest.fixture(scope="module")
def oversize() -> bytes:
    """One payload just over the limit, shaped like a PDF, kept in memory for the module."""
    return b"%PDF-1.7\n" + bytes(MAX_BYTES)


# ---- the seeds through Word, PDF and legacy encodings --------------------------------------------

@pytest.mark.parametrize("prefix", SEEDS)
def test_a_seed_saved_as_docx_reads_back_its_lines(prefix, seeds, docx_renderings):
    plan = read_plan(docx_renderings[prefix].data, f"{prefix}.docx")
    assert plan.source == "docx"
    assert matched(seed_lines(seeds[prefix]), plan.lines) >= MATCH_NEEDED


@pytest.mark.parametrize("prefix", SEEDS)
def test_every_numbered_label_comes_back_at_the_start_of_its_line_from_the_docx(prefix, seeds,
                                                                                docx_renderings):
    lines = read_plan(docx_renderings[prefix].data, f"{prefix}.docx").lines
    wanted = numbered_labels(seed_lines(seeds[prefix]))
    remaining = list(lines)
    for line in wanted:
        assert line in remaining, f"label not restored: {line[:80]}"
        remaining = remaining[remaining.index(line) + 1:]


def test_the_docx_renderings_number_their_lists_with_word_numbering_not_typed_labels(seeds, docx_renderings):
    from docx import Document

    for prefix, rendering in docx_renderings.items():
        wanted = numbered_labels(seed_lines(seeds[prefix]))
        document = Document(io.BytesIO(rendering.data))
        typed = [p.text for p in document.paragraphs if renderings.LABEL.match(p.text)
                 and not renderings.LABEL.match(p.text)["bullet"]]
        # Only "đ)" stays typed: Word's letter numbering has no đ.
        assert all(text.startswith("đ)") for text in typed), typed[:3]
        assert rendering.typed == len(typed) == sum(line.startswith("đ)") for line in wanted)
        assert rendering.numbered + rendering.typed == len(wanted)
        assert (prefix == "003") == (rendering.numbered == 0)


@pytest.mark.parametrize("prefix", SEEDS)
def test_a_seed_printed_to_pdf_reads_back_its_lines(prefix, seeds, pdf_renderings):
    plan = read_plan(pdf_renderings[prefix], f"{prefix}.pdf")
    assert plan.source == "pdf"
    assert matched(seed_lines(seeds[prefix]), plan.lines) >= MATCH_NEEDED


@pytest.mark.parametrize("prefix", ["002", "004"])
def test_wrapped_lines_are_rejoined_by_where_the_next_word_would_fit_without_paragraph_spacing(prefix, seeds):
    data = renderings.pdf_from_seed(seeds[prefix], paragraph_gap=0, align="L")
    assert matched(seed_lines(seeds[prefix]), read_plan(data, "a.pdf").lines) >= MATCH_NEEDED


def test_page_headers_footers_and_numbers_are_not_part_of_the_plan(docx_renderings, pdf_renderings):
    for prefix in ("000", "004"):
        for plan in (read_plan(docx_renderings[prefix].data, "a.docx"), read_plan(pdf_renderings[prefix], "a.pdf")):
            assert renderings.RUNNING_HEADER not in plan.lines
            assert not any(line.startswith("Trang ") and line[6:].isdigit() for line in plan.lines)
            assert not any(line.isdigit() for line in plan.lines)


@pytest.mark.parametrize("prefix", SEEDS)
@pytest.mark.parametrize("encoding", ["TCVN3", "VNI"])
def test_a_seed_saved_in_tcvn3_or_vni_converts_back_exactly(prefix, encoding, seeds):
    text = seeds[prefix]
    build = renderings.tcvn3_file if encoding == "TCVN3" else renderings.vni_file
    decode = legacy.decode_tcvn3 if encoding == "TCVN3" else legacy.decode_vni
    data = build(text)
    assert decode(data).replace("\r\n", "\n") == text
    plan = read_plan(data, f"{prefix}.txt")
    assert plan.lines == seed_lines(text)
    assert plan.notes[0].startswith(f"Đã chuyển bảng mã {encoding} sang Unicode.")


# ---- legacy encodings ----------------------------------------------------------------------------

def test_the_134_vietnamese_letters_each_have_their_own_code_in_tcvn3_and_vni():
    letters = legacy.VIETNAMESE_LETTERS
    assert len(letters) == len(set(letters)) == 134
    assert sum(ch.islower() for ch in letters) == 67
    tcvn3 = {legacy.encode_tcvn3(ch) for ch in letters}
    vni = {legacy.encode_vni(ch) for ch in letters}
    assert len(tcvn3) == len(vni) == 134
    assert all(len(code) == 1 for code in tcvn3)


@pytest.mark.parametrize("letter", legacy.VIETNAMESE_LETTERS)
def test_each_letter_round_trips_through_tcvn3_and_vni_inside_a_word(letter):
    word = f"TH{letter}NG" if letter.isupper() else f"th{letter}ng"
    sentence = f"{word} {word.lower()}, “{word}”."
    for encode, decode in ((legacy.encode_tcvn3, legacy.decode_tcvn3), (legacy.encode_vni, legacy.decode_vni)):
        assert decode(encode(word)) == word
        assert decode(encode(sentence)) == sentence
    assert legacy.decode_vni(legacy.encode_vni(letter)) == letter
    if letter not in "ỊÒỎÕÓỌỘẶ":  # TCVN3 gives these capitals the bytes of “ ” ‘ ’ – — … •
        assert legacy.decode_tcvn3(legacy.encode_tcvn3(letter)) == letter


def test_windows_punctuation_in_tcvn3_stays_punctuation_beside_capitals():
    text = "“CHÍNH TRỊ” – HỘI NGHỊ… • CÓ (m², 30°C) NHÀ Ở, MẶT TRẬN"
    assert legacy.decode_tcvn3(legacy.encode_tcvn3(text)) == text


def test_pasted_tcvn3_and_vni_mojibake_is_converted_with_a_note():
    text = "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc"
    for encoding, encode in (("TCVN3", legacy.encode_tcvn3), ("VNI", legacy.encode_vni)):
        mojibake = encode(text).decode("cp1252")
        assert mojibake != text
        plan = read_text(mojibake)
        assert plan.lines == text.split("\n")
        assert plan.source == "text"
        assert plan.notes[0].startswith(f"Đã chuyển bảng mã {encoding}")


def test_unicode_vietnamese_and_plain_ascii_are_left_as_they_are(seeds):
    plan = read_text(seeds["002"])
    assert plan.lines == seed_lines(seeds["002"]) and plan.notes == []
    ascii_plan = read_text("Ke hoach so 10/KH-UBND\r\n\r\n1. Muc dich")
    assert ascii_plan.lines == ["Ke hoach so 10/KH-UBND", "1. Muc dich"] and ascii_plan.notes == []


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_text_files_in_unicode_or_windows_1258_read_back_exactly(encoding, seeds):
    text = seeds["001"]
    data = renderings.cp1258_file(text) if encoding == "cp1258" else text.encode(encoding)
    plan = read_plan(data, "ke-hoach.txt")
    assert plan.lines == seed_lines(text)
    assert plan.notes == (["Tệp được đọc theo bảng mã Windows-1258 và đã chuyển sang Unicode."]
                          if encoding == "cp1258" else [])


# ---- Word details ----------------------------------------------------------------------------------

W = f'xmlns:w="{renderings.W_NS}"'


def _abstract(abstract_id: int, levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{levels}</w:abstractNum>'


def _lvl(ilvl: int, fmt: str, text: str, extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/>{extra}<w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def test_list_instances_of_one_definition_share_a_counter_and_a_start_override_restarts_it_once():
    numbering = (_abstract(50, _lvl(0, "decimal", "%1."))
                 + '<w:num w:numId="51"><w:abstractNumId w:val="50"/></w:num>'
                 + '<w:num w:numId="52"><w:abstractNumId w:val="50"/>'
                   '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="8"/></w:lvlOverride></w:num>')
    texts = [f"Mục {i}" for i in range(8)]
    numbered = {i: (51, 0) for i in range(8)}
    numbered[5] = (52, 0)
    data = renderings.docx_from_paragraphs(texts, numbering, numbered)
    labels = [line.split(" ")[0] for line in read_plan(data, "a.docx").lines]
    assert labels == ["1.", "2.", "3.", "4.", "5.", "8.", "9.", "10."]


def test_number_formats_and_level_restarts_follow_the_list_definition():
    levels = (_lvl(0, "upperLetter", "%1.") + _lvl(1, "lowerRoman", "(%2)")
              + _lvl(2, "decimalZero", "%1.%2.%3", '<w:lvlRestart w:val="1"/>')
              + _lvl(3, "decimal", "%1-%4", '<w:isLgl/>'))
    numbering = _abstract(60, levels) + '<w:num w:numId="61"><w:abstractNumId w:val="60"/></w:num>'
    plan = [0, 1, 2, 1, 2, 3, 0, 1, 2]
    texts = [f"đoạn {i}" for i in range(len(plan))]
    data = renderings.docx_from_paragraphs(texts, numbering, {i: (61, lvl) for i, lvl in enumerate(plan)})
    labels = [line.rsplit(" ", 2)[0] for line in read_plan(data, "a.docx").lines]
    # Level 3 restarts only after level 0 (lvlRestart 1), so 02 follows 01 across the (ii) item.
    assert labels == ["A.", "(i)", "A.i.01", "(ii)", "A.ii.02", "1-1", "B.", "(i)", "B.i.01"]


def test_table_rows_are_read_in_document_order_between_paragraphs():
    table = [["STT", "Nội dung", "Cơ quan chủ trì"],
             ["1", "Rà soát hộ nghèo\nCập nhật danh sách", "Sở Lao động - Thương binh và Xã hội"],
             ["2", "", "UBND quận, huyện"]]
    data = renderings.docx_from_paragraphs(["II. NHIỆM VỤ", "III. TỔ CHỨC THỰC HIỆN"], table=table, table_at=1)
    assert read_plan(data, "a.docx").lines == [
        "II. NHIỆM VỤ",
        "STT | Nội dung | Cơ quan chủ trì",
        "1 | Rà soát hộ nghèo Cập nhật danh sách | Sở Lao động - Thương binh và Xã hội",
        "2 | UBND quận, huyện",
        "III. TỔ CHỨC THỰC HIỆN",
    ]


def test_text_in_vntime_and_vni_fonts_in_a_docx_is_converted_and_vntimeh_is_upper_case():
    title = legacy.encode_tcvn3("chương trình hành động").decode("cp1252")
    body = legacy.encode_tcvn3("Hỗ trợ thẻ bảo hiểm y tế cho hộ cận nghèo.").decode("cp1252")
    vni = legacy.encode_vni("Đà Nẵng").decode("cp1252")
    data = renderings.docx_from_paragraphs([title, body, vni, "Văn bản Unicode"],
                                           fonts={0: ".VnTimeH", 1: ".VnTime", 2: "VNI-Times", 3: "Times New Roman"})
    plan = read_plan(data, "a.docx")
    assert plan.lines == ["CHƯƠNG TRÌNH HÀNH ĐỘNG", "Hỗ trợ thẻ bảo hiểm y tế cho hộ cận nghèo.", "Đà Nẵng",
                          "Văn bản Unicode"]
    assert any(note.startswith("Đã chuyển bảng mã TCVN3") for note in plan.notes)
    assert any(note.startswith("Đã chuyển bảng mã VNI") for note in plan.notes)


def test_unicode_text_left_in_a_vntime_font_is_not_converted_again():
    data = renderings.docx_from_paragraphs(["Cà Mau và Bà", "Hỗ trợ hộ nghèo ở Cần Thơ"],
                                           fonts={0: ".VnTime", 1: ".VnTime"})
    plan = read_plan(data, "a.docx")
    assert plan.lines == ["Cà Mau và Bà", "Hỗ trợ hộ nghèo ở Cần Thơ"] and plan.notes == []


def test_macro_enabled_word_files_and_templates_are_read_like_documents(docx_renderings):
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    for other in (b"application/vnd.ms-word.document.macroEnabled.main+xml",
                  b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"):
        source = zipfile.ZipFile(io.BytesIO(docx_renderings["003"].data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as relabelled:
            for info in source.infolist():
                body = source.read(info.filename)
                relabelled.writestr(info, body.replace(main, other) if info.filename == "[Content_Types].xml" else body)
        assert read_plan(out.getvalue(), "ke-hoach.docm").lines == read_plan(docx_renderings["003"].data, "a").lines


def test_files_are_read_by_what_they_are_not_by_their_name(docx_renderings, pdf_renderings):
    assert read_plan(docx_renderings["003"].data, "ke-hoach.txt").source == "docx"
    assert read_plan(pdf_renderings["003"], "ke-hoach").source == "pdf"
    assert read_plan("1. Mục tiêu".encode(), "ke-hoach.docx.txt").lines == ["1. Mục tiêu"]


def test_a_pdf_with_one_scanned_page_is_read_and_the_page_named():
    plan = read_plan(renderings.mixed_pdf(), "a.pdf")
    assert plan.lines == ["I. MỤC TIÊU", "1. Hỗ trợ thẻ bảo hiểm y tế cho hộ cận nghèo."]
    assert plan.notes == ["Trang 2 là ảnh quét, không có lớp chữ nên không đọc được; "
                          "cần nhận dạng chữ (OCR) cho các trang này."]


def test_pasted_text_keeps_its_lines_with_whitespace_normalised():
    plan = read_text("  I.\u00a0MỤC TIÊU \r\n\r\n1.  Mục tiêu   chung\n\ta) Hỗ trợ\n")
    assert plan == PlanText(lines=["I. MỤC TIÊU", "1. Mục tiêu chung", "a) Hỗ trợ"], source="text", notes=[])


# ---- bad uploads -----------------------------------------------------------------------------------

EMPTY = "Tệp trống hoặc không có chữ nào để nhập."
CORRUPT = "Tệp bị hỏng, không đọc được; hãy mở bằng Word hoặc trình đọc PDF, lưu lại rồi tải lên lại."
ENCRYPTED = "Tệp được đặt mật khẩu; hãy gỡ mật khẩu (lưu một bản không mật khẩu) rồi tải lên lại."
SCANNED = "Tệp PDF này là ảnh quét, không có lớp chữ; cần nhận dạng chữ (OCR) trước khi nhập."
TOO_LARGE = "Tệp quá lớn (hơn 20 MB); hãy chia nhỏ hoặc bỏ bớt ảnh rồi tải lên lại."
LEGACY_DOC = ("Tệp Word cũ (.doc, Word 97-2003) chưa nhập trực tiếp được; hãy mở bằng Word, "
              "chọn Lưu thành (Save As) định dạng .docx rồi tải lên lại.")
IMAGE = "Tệp ảnh (PNG) không có lớp chữ; cần nhận dạng chữ (OCR) hoặc dùng bản .docx/.pdf gốc của văn bản."
EXCEL = ("Tệp Excel (.xlsx) không phải văn bản Word; hãy dán nội dung kế hoạch vào Word, lưu dạng .docx "
         "rồi tải lên lại.")

BAD_UPLOADS = {
    "empty file": (lambda r: b"", "ke-hoach.docx", EmptyFile, EMPTY),
    "blank text file": (lambda r: b" \r\n\t\r\n", "ke-hoach.txt", EmptyFile, EMPTY),
    "docx with no text": (lambda r: renderings.docx_without_body_text(), "ke-hoach.docx", EmptyFile, EMPTY),
    "truncated docx": (lambda r: renderings.corrupt_docx(r["003"].data), "ke-hoach.docx", CorruptFile, CORRUPT),
    "garbled pdf": (lambda r: renderings.corrupt_pdf(), "ke-hoach.pdf", CorruptFile, CORRUPT),
    "binary named .pdf": (lambda r: bytes(range(256)) * 8, "ke-hoach.pdf", CorruptFile, CORRUPT),
    "encrypted pdf": (lambda r: renderings.encrypted_pdf(), "ke-hoach.pdf", EncryptedFile, ENCRYPTED),
    "encrypted docx": (lambda r: renderings.encrypted_docx(), "ke-hoach.docx", EncryptedFile, ENCRYPTED),
    "scanned pdf": (lambda r: renderings.scanned_pdf(), "ke-hoach.pdf", ScannedPdf, SCANNED),
    "scanned pdf with a stamp": (lambda r: renderings.scanned_pdf(3, stamp="Bản sao y – Ký số"), "a.pdf",
                                 ScannedPdf, SCANNED),
    "word 97 doc": (lambda r: renderings.legacy_doc(), "ke-hoach.doc", UnsupportedFormat, LEGACY_DOC),
    "png image": (lambda r: renderings.png_image(), "ke-hoach.png", UnsupportedFormat, IMAGE),
    "excel workbook": (lambda r: renderings.xlsx_file(), "ke-hoach.xlsx", UnsupportedFormat, EXCEL),
}


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_a_bad_upload_gets_its_own_vietnamese_message(case, docx_renderings):
    build, filename, error, message = BAD_UPLOADS[case]
    with pytest.raises(error) as raised:
        read_plan(build(docx_renderings), filename)
    assert str(raised.value) == message
    assert isinstance(raised.value, IngestError) and isinstance(raised.value, KnowledgeError)


def test_a_file_over_20_mb_is_refused_before_it_is_parsed(oversize, monkeypatch):
    import knowledge.ingest.read_pdf as read_pdf

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed an oversize upload")

    monkeypatch.setattr(read_pdf, "read_pdf", must_not_parse)
    with pytest.raises(TooLarge) as raised:
        read_plan(oversize, "ke-hoach.pdf")
    assert str(raised.value) == TOO_LARGE
    with pytest.raises(TooLarge):
        read_text(oversize.decode("latin-1"))


def test_a_docx_that_unpacks_past_the_limit_is_refused_as_too_large(docx_renderings, monkeypatch):
    import knowledge.ingest.read_docx as read_docx

    data = docx_renderings["003"].data
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(read_docx, "MAX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(TooLarge, match="giải nén ra quá lớn"):
        read_plan(data, "bom.docx")
    monkeypatch.setattr(read_docx, "MAX_UNPACKED_BYTES", unpacked)
    assert read_plan(data, "bom.docx").lines
