"""Admin work on the knowledge base: imports all-or-nothing, round trip, edits, aliases, the log."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from knowledge import admin
from knowledge.db import transaction
from knowledge.errors import InvalidChange, KbFileError, NotFound
from knowledge.importer import dump_yaml, export_data, export_file, import_file
from knowledge.models import ChangeLog
from knowledge.provision_search import ProvisionSearch

GOOD_DOC = """\
document:
  code: 99/KH-TEST
  title: Kế hoạch thử nghiệm
  issuer: UBND thành phố Cần Thơ
  locality: can-tho
  issued_on: 2024-01-02
  date_label: 02/01/2024
  period_start: 2024
  period_end: 2026
  status: issued
  source_file: test.txt
  contact: Sở Lao động - Thương binh và Xã hội
provisions:
  - id: test-001
    kind: benefit
    section: II.1
    topics: [bhyt]
    groups: [nguoi-cao-tuoi]
    text: Người cao tuổi được hỗ trợ 70% mệnh giá thẻ bảo hiểm y tế.
    numbers:
      - {value: 70, unit: "%", year: null, label: mức hỗ trợ}
"""


def _snapshot(engine) -> str:
    with transaction(engine) as s:
        data = dump_yaml(export_data(s))
        log = s.execute(select(func.count()).select_from(ChangeLog)).scalar_one()
    return f"{data}\nlog={log}"


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_valid_file_imports_and_is_searchable_at_once(kb_engine, tmp_path):
    search = ProvisionSearch(kb_engine)
    assert search.search("người cao tuổi hỗ trợ 70% thẻ bhyt")[0].id != "test-001"
    report = import_file(kb_engine, _write(tmp_path, "good.yaml", GOOD_DOC), by="lan")
    assert report.created == ["document:99/KH-TEST", "test-001"]
    assert search.search("nguoi cao tuoi ho tro 70% the bhyt")[0].id == "test-001"


@pytest.mark.parametrize("broken,line,reason", [
    (GOOD_DOC.replace("topics: [bhyt]", "topics: [bhyt, khong-co]"), 14,
     "Điều khoản test-001: chủ đề «khong-co» (trường 'topics') không có trong danh mục"),
    (GOOD_DOC.replace("value: 70", "value: 75"), 21,
     "Điều khoản test-001: số 75 không có trong nội dung điều khoản"),
    (GOOD_DOC.replace("kind: benefit", "kind: promise"), 14,
     "Điều khoản test-001: trường 'kind' (loại) phải là benefit (chế độ, hỗ trợ)"),
    (GOOD_DOC.replace("locality: can-tho", "locality: ha-noi"), 2,
     "Văn bản 99/KH-TEST: địa phương «ha-noi» (trường 'locality') không có trong danh mục"),
    (GOOD_DOC.replace("    section: II.1\n", "    section: [II.1\n"), 17,
     "Sai cú pháp YAML: thiếu dấu ']' đóng danh sách mở ở dòng 16"),
])
def test_bad_file_is_rejected_with_line_and_reason_and_changes_nothing(kb_engine, tmp_path, broken, line, reason):
    before = _snapshot(kb_engine)
    path = _write(tmp_path, "bad.yaml", broken)
    with pytest.raises(KbFileError) as err:
        import_file(kb_engine, path, by="lan")
    messages = [str(p) for p in err.value.problems]
    assert any(m.startswith(f"Tệp bad.yaml, dòng {line}: ") and reason in m for m in messages), messages
    assert not any(str(tmp_path) in m for m in messages)  # the file by its name, not the folder it sits in
    assert _snapshot(kb_engine) == before


def test_file_with_one_bad_document_among_good_ones_writes_nothing(kb_engine, tmp_path):
    good = textwrap.indent(GOOD_DOC, "    ").replace("    document:", "  - document:", 1)
    bad = good.replace("99/KH-TEST", "98/KH-TEST").replace("test-001", "test-002").replace("value: 70", "value: 71")
    before = _snapshot(kb_engine)
    with pytest.raises(KbFileError):
        import_file(kb_engine, _write(tmp_path, "mixed.yaml", "documents:\n" + good + bad), by="lan")
    assert _snapshot(kb_engine) == before


def test_cli_reports_bad_file_on_stderr_with_exit_code(kb_engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(kb_engine.url))
    path = _write(tmp_path, "bad.yaml", GOOD_DOC.replace("groups: [nguoi-cao-tuoi]", "groups: [ai-do]"))
    assert main(["kb", "import", str(path), "--by", "lan"]) == 1
    assert ("Tệp bad.yaml, dòng 14: Điều khoản test-001: nhóm đối tượng «ai-do» (trường 'groups') "
            "không có trong danh mục") in capsys.readouterr().err


def test_export_then_import_reproduces_the_knowledge_base(kb_engine, empty_engine, tmp_path):
    admin.retire_provision(kb_engine, "ct-001", by="lan")
    first = tmp_path / "first.yaml"
    export_file(kb_engine, first)
    import_file(empty_engine, first, by="restore")
    second = tmp_path / "second.yaml"
    export_file(empty_engine, second)
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    again = import_file(kb_engine, first, by="lan")
    assert again.created == [] and again.updated == []


def test_edit_is_logged_and_live_in_search_at_once(kb_engine):
    search = ProvisionSearch(kb_engine)
    assert search.search("hỗ trợ mệnh giá thẻ bhyt hộ cận nghèo")[0].id == "hcm-045"
    admin.edit_provision(kb_engine, "hcm-045", {"text": "Thành phố hỗ trợ 70% mệnh giá thẻ bảo hiểm y tế "
                                                        "cho thành viên hộ cận nghèo.",
                                                "numbers": [{"value": 70, "unit": "%", "year": None,
                                                             "label": "mức hỗ trợ"}]}, by="lan")
    top = search.search("hỗ trợ mệnh giá thẻ bhyt hộ cận nghèo")[0]
    assert top.id == "hcm-045" and "70%" in top.text
    entry = admin.change_log(kb_engine, limit=1)[0]
    assert (entry["by"], entry["action"], entry["entity_id"]) == ("lan", "edit", "hcm-045")
    assert "50%" in entry["before"]["text"] and "70%" in entry["after"]["text"]


def test_edit_that_breaks_the_rules_is_refused(kb_engine):
    with pytest.raises(KbFileError, match="Điều khoản hcm-045: số 50 không có trong nội dung điều khoản"):
        admin.edit_provision(kb_engine, "hcm-045", {"text": "Thành phố hỗ trợ thẻ bảo hiểm y tế."}, by="lan")
    with pytest.raises(InvalidChange):
        admin.edit_provision(kb_engine, "hcm-045", {"text": "x"}, by=" ")


def test_a_figure_missing_from_the_text_is_refused_in_vietnamese_naming_provision_and_number(
        kb_engine, tmp_path, monkeypatch, capsys):
    import tempfile

    before = admin.show_provision(kb_engine, "dn-013")
    text = "Đến năm 2025, độ bao phủ bảo hiểm y tế toàn dân tại thành phố Đà Nẵng đạt 95%."
    expected = "Điều khoản dn-013: số 99 không có trong nội dung điều khoản"
    with pytest.raises(KbFileError) as edit:
        admin.edit_provision(kb_engine, "dn-013", {"text": text}, by="lan")
    monkeypatch.setenv("DATABASE_URL", str(kb_engine.url))
    assert main(["kb", "edit", "dn-013", "--text", text, "--by", "lan"]) == 1
    cli = capsys.readouterr().err
    with pytest.raises(KbFileError) as added:
        admin.add_provision(kb_engine, "10/KH-UBND", {**before, "text": text}, by="lan")
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # as the admin web keeps an upload
    path = _write(folder, "002_da-nang.yaml", GOOD_DOC.replace("value: 70", "value: 99"))
    with pytest.raises(KbFileError) as imported:
        import_file(kb_engine, path, by="lan")
    for message in (str(edit.value), cli, str(added.value), str(imported.value)):
        assert "số 99 không có trong nội dung điều khoản" in message, message
        assert "<input>" not in message and ":0:" not in message and str(folder) not in message
        assert tempfile.gettempdir() not in message and "is not in the text" not in message
    assert expected in str(edit.value) and expected in cli
    assert str(added.value).startswith("Điều khoản mới: số 99")
    assert str(imported.value).startswith("Tệp 002_da-nang.yaml, dòng 21: Điều khoản test-001: số 99")
    assert admin.show_provision(kb_engine, "dn-013") == before


def test_retired_provision_leaves_answers_and_add_assigns_next_id(kb_engine):
    search = ProvisionSearch(kb_engine)
    admin.retire_provision(kb_engine, "dn-013", by="lan", reason="hết hiệu lực")
    assert "dn-013" not in [h.id for h in search.search("bao phủ bhyt đà nẵng 2025")]
    pid = admin.add_provision(kb_engine, "10/KH-UBND", {
        "kind": "target", "section": "II.2.b", "topics": ["bhyt"], "groups": [],
        "text": "Đến năm 2025, tỷ lệ bao phủ bảo hiểm y tế của thành phố đạt 99%.",
        "numbers": [{"value": 99, "unit": "%", "year": 2025, "label": "bao phủ BHYT"}]}, by="lan")
    assert pid == "dn-120"
    assert search.search("bao phủ bhyt đà nẵng 2025")[0].id == pid
    actions = [(e["action"], e["entity_id"]) for e in admin.change_log(kb_engine, limit=2)]
    assert actions == [("add", "dn-120"), ("retire", "dn-013")]
    with pytest.raises(NotFound):
        admin.retire_provision(kb_engine, "zz-999", by="lan")


@pytest.mark.parametrize("name,key", [("Sài Gòn", "ho-chi-minh"), ("HCM", "ho-chi-minh"),
                                      ("tphcm", "ho-chi-minh"), ("TP.HCM", "ho-chi-minh"),
                                      ("Trà Vinh", "cang-long"), ("QUANG NGAI", "duc-pho"), ("da nang", "da-nang")])
def test_locality_names_resolve_through_aliases(kb_engine, name, key):
    search = ProvisionSearch(kb_engine)
    assert search.resolve("locality", name) == [key]
    hits = search.search("bảo hiểm y tế", locality=name)
    assert hits and {h.locality for h in hits} == {key}


def test_group_alias_thuong_binh_reaches_provisions_for_nguoi_co_cong(kb_engine):
    search = ProvisionSearch(kb_engine)
    assert search.resolve("group", "thuong binh") == ["thuong-binh"]
    hits = search.search("nhà ở", group="thuong binh", limit=50)
    assert hits and all({"nguoi-co-cong", "thuong-binh"} & set(h.groups) for h in hits)


def test_new_alias_from_an_admin_works_at_once(kb_engine):
    search = ProvisionSearch(kb_engine)
    with pytest.raises(NotFound):
        search.resolve("locality", "Tây Đô")
    admin.add_alias(kb_engine, "locality", "can-tho", "Tây Đô", by="lan")
    assert search.resolve("locality", "tay do") == ["can-tho"]
    assert search.search("khám chữa bệnh miễn phí trẻ em ở tây đô")[0].id == "ct-044"


def test_search_ignores_diacritics_case_and_abbreviations(kb_engine):
    search = ProvisionSearch(kb_engine)
    ids = lambda q: [h.id for h in search.search(q, limit=5)]  # noqa: E731
    careful = ids("Hỗ trợ thẻ bảo hiểm y tế cho hộ cận nghèo ở Thành phố Hồ Chí Minh")
    assert careful[0] == "hcm-045"
    assert ids("HO TRO THE BAO HIEM Y TE CHO HO CAN NGHEO O TP HO CHI MINH") == careful
    assert ids("ho tro the bhyt cho ho can ngheo o tphcm") == careful


def test_kb_search_and_list_print_json_with_the_fields(kb_engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(kb_engine.url))
    assert main(["kb", "search", "ho tro the bhyt cho ho can ngheo o sai gon", "--limit", "3", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items[0]["id"] == "hcm-045" and len(items) == 3
    assert {"id", "document_code", "locality", "section", "kind", "text", "score"} <= set(items[0])
    assert items[0]["score"] >= items[1]["score"] >= items[2]["score"]
    assert main(["kb", "list", "--document", "31-CTr/HU", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) >= 12 and {i["document_code"] for i in listed} == {"31-CTr/HU"}


def test_loading_the_curated_data_again_changes_nothing_and_logs_nothing(kb_engine):
    from knowledge.importer import load_curated

    with transaction(kb_engine) as session:
        logged = session.execute(select(func.count()).select_from(ChangeLog)).scalar_one()
    report = load_curated(kb_engine, by="again").as_dict()
    assert report["created"] == 0 and report["updated"] == 0 and report["unchanged"] > 400
    with transaction(kb_engine) as session:
        assert session.execute(select(func.count()).select_from(ChangeLog)).scalar_one() == logged


def test_a_group_may_name_a_parent_listed_below_it(empty_engine, tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(textwrap.dedent("""\
        groups:
          - key: cong-nhan
            name: Công nhân
            parent: nguoi-lao-dong
          - key: nguoi-lao-dong
            name: Người lao động
        """), encoding="utf-8")
    import_file(empty_engine, path, by="quantri")
    search = ProvisionSearch(empty_engine)
    assert "nguoi-lao-dong" in search.index().aliases.group_family("cong-nhan")
