"""The words of a notice: what changed in the policies a resident follows, a few changes cited, the rest
counted, and where to read more. Pure functions; the Vietnamese text lives here."""
from __future__ import annotations

from typing import List, Mapping, Sequence

from knowledge.notice_changes import ADDED, CHANGED, PUBLISHED, RETIRED, SUPERSEDED, Change

HEADER = "Chính sách bạn theo dõi vừa thay đổi:"
LABELS = {ADDED: "Bổ sung", CHANGED: "Sửa đổi", RETIRED: "Không còn áp dụng", PUBLISHED: "Văn bản mới",
          SUPERSEDED: "Thay thế"}
MORE = "và {count} thay đổi khác."
SEE_MORE = "Xem thêm: hỏi trợ lý, ví dụ «{topic} ở {locality}»."
SEE_MORE_PLAN = "Xem thêm: hỏi trợ lý về chính sách ở {locality}."
# The chat side (/theodoi, its buttons) words the way to stop; keep this line in step with it.
STOP = "Không muốn nhận thông báo nữa? Nhắn «hủy theo dõi»."
LISTED = 3  # changes quoted in one notice; the others are counted


def notice_text(changes: Sequence[Change], topic_names: Mapping[str, str], locality_names: Mapping[str, str],
                followed: Sequence[str] = ()) -> str:
    """One notice for ``changes`` (at least one), oldest first: at most ``LISTED`` of them quoted and cited;
    the hint names a topic of ``followed`` (topic keys) when the first change has one."""
    lines: List[str] = [HEADER]
    for change in changes[:LISTED]:
        lines.append(change_line(change, locality_names))
    if len(changes) > LISTED:
        lines.append(MORE.format(count=len(changes) - LISTED))
    lines.append(_see_more(changes, topic_names, locality_names, followed))
    lines.append(STOP)
    return "\n".join(lines)


def change_line(change: Change, locality_names: Mapping[str, str]) -> str:
    """"- Sửa đổi (Thành phố Cần Thơ): Hộ cận nghèo … Nguồn: 527/QĐ-UBND …, mục II.3." """
    place = locality_names.get(change.locality, change.locality)
    summary = change.summary.rstrip(".")
    if change.reason:
        summary += f" (lý do: {change.reason.rstrip('.')})"
    end = "" if summary.endswith("…") else "."
    return f"- {LABELS[change.kind]} ({place}): {summary}{end} {change.source}"


def summary_line(changes: Sequence[Change]) -> str:
    """For the staff: "Sửa đổi 527/QĐ-UBND mục II.3; Văn bản mới 12/KH-UBND; và 2 thay đổi khác"."""
    listed = "; ".join(f"{LABELS[c.kind]} {c.label}" for c in changes[:LISTED])
    more = f"; {MORE.format(count=len(changes) - LISTED).rstrip('.')}" if len(changes) > LISTED else ""
    return listed + more


def _see_more(changes: Sequence[Change], topic_names: Mapping[str, str], locality_names: Mapping[str, str],
              followed: Sequence[str]) -> str:
    first = changes[0]
    locality = locality_names.get(first.locality, first.locality)
    order = list(topic_names)
    topics = sorted(first.topics, key=lambda key: (key not in followed, order.index(key) if key in order else 999,
                                                   key))
    if not topics:
        return SEE_MORE_PLAN.format(locality=locality)
    return SEE_MORE.format(topic=topic_names.get(topics[0], topics[0]), locality=locality)
