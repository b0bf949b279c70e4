"""The provision form shared by the KB, plan-review and queue pages: the catalogue's choices, the
fields read back from a submitted form, and a validator's reasons in words."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from multidict import MultiMapping
from sqlalchemy import select
from sqlalchemy.engine import Engine

from admin.html import Html, csrf_field, join, options, render
from admin.number_fields import number_rows, read_numbers
from admin.sessions import User
from knowledge.curated_files import KIND_LABELS
from knowledge.db import transaction
from knowledge.errors import KbFileError, KnowledgeError
from knowledge.models import PROVISION_KINDS, BeneficiaryGroup, Document, Locality, Topic



def catalogue_choices(engine: Engine) -> Dict[str, List[Tuple[str, str]]]:
    with transaction(engine) as session:
        def pairs(model: Any) -> List[Tuple[str, str]]:
            return [(r.key, r.name) for r in session.execute(select(model).order_by(model.position)).scalars()]

        docs = [(d.code, f"{d.code} — {d.issuer}")
                for d in session.execute(select(Document).order_by(Document.position)).scalars()]
        return {"localities": pairs(Locality), "topics": pairs(Topic), "groups": pairs(BeneficiaryGroup),
                "documents": docs}


def _lines(value: Any) -> List[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def form_record(form: MultiMapping[Any]) -> Dict[str, Any]:
    """The editable fields of a provision from a submitted form; raises KnowledgeError on unreadable numbers."""
    numbers = read_numbers(form)
    return {
        "kind": str(form.get("kind") or ""),
        "section": str(form.get("section") or "").strip(),
        "topics": [str(v) for v in form.getall("topics", [])],
        "groups": [str(v) for v in form.getall("groups", [])],
        "text": " ".join(str(form.get("text") or "").split()),
        "numbers": numbers,
        "legal_refs": _lines(form.get("legal_refs")),
        "agencies": _lines(form.get("agencies")),
    }


def checkboxes(name: str, choices: List[Tuple[str, str]], chosen: List[str], disabled: bool) -> Html:
    return join(render('<label class="check"><input type="checkbox" name="{n}" value="{v}"{c}{d}> {label}</label>',
                       n=name, v=key, label=label, c=Html(" checked") if key in chosen else Html(""),
                       d=Html(" disabled") if disabled else Html(""))
                for key, label in choices)


def provision_form(record: Dict[str, Any], cat: Dict[str, List[Tuple[str, str]]], user: User, action: str,
                   submit: str, document: Optional[str] = None) -> Html:
    """The provision's fields; read-only for staff."""
    ro = not user.is_admin
    dis = Html(" disabled") if ro else Html("")
    doc_field = Html("")
    if document is not None:
        doc_field = render('<label>Văn bản<select name="document" required>{o}</select></label>',
                           o=options(cat["documents"], document))
    buttons = Html("") if ro else render('<button type="submit">{s}</button>', s=submit)
    if not ro and document is None:  # an edit: what its subscribers would be told, before saving
        buttons = render('{b} <button type="submit" name="preview" value="1" class="secondary">'
                         'Xem trước thông báo</button>', b=buttons)
    return render("""<form method="post" action="{action}" class="card">{csrf}{doc}
<label>Loại<select name="kind"{dis}>{kinds}</select></label>
<label>Mục trong văn bản<input name="section" value="{section}"{dis}></label>
<label>Nội dung<textarea name="text" rows="6" required{dis}>{text}</textarea></label>
<fieldset><legend>Chủ đề</legend>{topics}</fieldset>
<fieldset><legend>Nhóm đối tượng</legend>{groups}</fieldset>
{numbers}
<label>Văn bản pháp lý (mỗi dòng một văn bản)<textarea name="legal_refs" rows="2"{dis}>{legal}</textarea></label>
<label>Cơ quan chịu trách nhiệm (mỗi dòng một cơ quan)<textarea name="agencies" rows="2"{dis}>{agencies}</textarea></label>
{buttons}</form>""", action=action, csrf=csrf_field(user.csrf_token), doc=doc_field, dis=dis,
                  kinds=options([(k, KIND_LABELS.get(k, k)) for k in PROVISION_KINDS], record.get("kind")),
                  section=record.get("section") or "", text=record.get("text") or "",
                  topics=checkboxes("topics", cat["topics"], record.get("topics") or [], ro),
                  groups=checkboxes("groups", cat["groups"], record.get("groups") or [], ro),
                  numbers=number_rows(record.get("numbers") or [], ro), legal="\n".join(record.get("legal_refs") or []),
                  agencies="\n".join(record.get("agencies") or []), buttons=buttons)


def form_reasons(exc: KnowledgeError) -> str:
    """What was wrong with a form, without the validator's file and line (a form has neither)."""
    if isinstance(exc, KbFileError):
        return "; ".join(p.reason for p in exc.problems)
    return str(exc)
