"""The "Số liệu" rows of the provision form: one row of inputs (value, unit, year, label) per figure."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Union

from multidict import MultiMapping

from admin.html import Html, join, render
from knowledge.errors import KnowledgeError

FIELDS = ("number_value", "number_unit", "number_year", "number_label")
BLANK_ROWS = 2  # empty rows offered for new figures
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")  # 1.500 or 12.000.000, as Vietnamese write thousands


def parse_value(typed: str) -> Union[int, float]:
    """A figure as Vietnamese type it: 50, 2,5 (decimal comma), 4.5, 1.500 (thousands)."""
    text = typed.strip().replace(" ", "")
    if _THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    elif "," in text and "." not in text:
        text = text.replace(",", ".")
    value = float(text)  # ValueError for anything else
    return int(value) if value.is_integer() else value


def show_value(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def read_numbers(form: MultiMapping[Any]) -> List[Dict[str, Any]]:
    """The figures of the submitted rows, skipping empty ones; KnowledgeError names the row at fault."""
    columns = [[str(v) for v in form.getall(name, [])] for name in FIELDS]
    numbers: List[Dict[str, Any]] = []
    for row, (value, unit, year, label) in enumerate(zip(*columns), start=1):
        if not any(cell.strip() for cell in (value, unit, year, label)):
            continue
        if not value.strip():
            raise KnowledgeError(f"Số liệu dòng {row}: hãy nhập giá trị (hoặc xoá cả dòng).")
        try:
            number = parse_value(value)
        except ValueError:
            raise KnowledgeError(f"Số liệu dòng {row}: giá trị «{value.strip()}» không phải là số "
                                 "(ví dụ 50, 2,5 hoặc 1.500).") from None
        numbers.append({"value": number, "unit": unit.strip(), "year": _year(year, row),
                        "label": label.strip()})
    return numbers


def _year(typed: str, row: int) -> Optional[int]:
    if not typed.strip():
        return None
    if not re.fullmatch(r"(19|20)\d\d", typed.strip()):
        raise KnowledgeError(f"Số liệu dòng {row}: năm «{typed.strip()}» phải là một năm như 2025, "
                             "hoặc để trống.")
    return int(typed)


def number_rows(numbers: Sequence[Dict[str, Any]], disabled: bool) -> Html:
    """A row of inputs per figure, then blank rows for new ones (none for read-only staff)."""
    dis = Html(" disabled") if disabled else Html("")
    rows = [dict(n) for n in numbers] + ([] if disabled else [{}] * BLANK_ROWS)
    body = join(render("""<div class="number-row">
<label>Giá trị<input name="number_value" value="{value}" inputmode="decimal" placeholder="vd. 50 hoặc 2,5"{dis}></label>
<label>Đơn vị<input name="number_unit" value="{unit}" placeholder="vd. %, căn, tỷ đồng"{dis}></label>
<label>Năm<input name="number_year" value="{year}" inputmode="numeric" placeholder="để trống nếu không có"{dis}></label>
<label>Nội dung số liệu<input name="number_label" value="{label}" placeholder="vd. tỷ lệ bao phủ BHYT"{dis}></label>
</div>""", value=show_value(n["value"]) if "value" in n else "", unit=n.get("unit") or "",
                        year=n.get("year") or "", label=n.get("label") or "", dis=dis) for n in rows)
    hint = Html("") if disabled else Html(
        '<p class="muted">Mỗi số phải có trong nội dung. Xoá trống cả dòng để bỏ một số; '
        'lưu xong sẽ có thêm dòng trống.</p>')
    return render('<fieldset class="numbers"><legend>Số liệu</legend>{body}{hint}</fieldset>', body=body, hint=hint)
