"""The synonym table: residents' words read as the plans' words by search and the NLU, seeded from
the curated catalogue, changed by admins (CLI and web) and live on the next question."""
from __future__ import annotations

import pytest

from admin.app import create_app
from knowledge import admin as kb_admin, synonyms
from knowledge.errors import InvalidChange, KbFileError, NotFound
from knowledge.importer import export_file, import_file
from knowledge.provision_search import ProvisionSearch
from knowledge.synonyms import SynonymTable
from knowledge.text import syllables
from nlu.tokenization import VnToken, tokenize, with_synonyms
from tests.test_admin_web import ADMIN_PASSWORD, SETTINGS, STAFF_PASSWORD, csrf_of, login, page_token


def test_the_longest_phrase_is_read_as_its_meaning_and_the_rest_is_kept():
    table = SynonymTable.of([("cấp 3", "trung học phổ thông"), ("nhà ở xh", "nhà ở xã hội"), ("xh", "xã hội")])
    assert table.rewrite(syllables("con hoc cap 3 o nha o xh")) == \
        "con hoc trung hoc pho thong o nha o xa hoi".split()
    assert table.rewrite(syllables("bao tro xh")) == "bao tro xa hoi".split()
    assert table.rewrite(syllables("cap 30 nam")) == "cap 30 nam".split()


def test_the_curated_catalogue_seeds_the_table(kb_engine):
    seeded = {r["phrase"]: r["means"] for r in synonyms.list_synonyms(kb_engine)}
    assert seeded["cấp 3"] == "trung học phổ thông"
    assert seeded["làm ăn"] == "sản xuất kinh doanh"
    assert seeded["lương hưu"] == "hưu trí"


def test_a_school_level_as_residents_say_it_finds_the_plan_s_wording(kb_engine):
    search = ProvisionSearch(kb_engine)
    said = [h.id for h in search.search("phổ cập giáo dục cấp 3", locality="ho-chi-minh", limit=3)]
    written = [h.id for h in search.search("phổ cập giáo dục trung học phổ thông", locality="ho-chi-minh", limit=3)]
    assert said and said == written


def test_both_spellings_of_a_two_way_pair_find_the_same_provisions(kb_engine):
    search = ProvisionSearch(kb_engine)
    assert [h.id for h in search.search("nghỉ hưu", limit=3)] == [h.id for h in search.search("hưu trí", limit=3)]


def test_an_admin_s_synonym_is_live_on_the_next_question_and_its_removal_too(kb_engine):
    search = ProvisionSearch(kb_engine)
    assert search.search("quyxzeta hộ cận nghèo", locality="ho-chi-minh", limit=5)[0].coverage < 0.9
    assert search.analyze("quyxzeta hộ cận nghèo").topics == []
    synonyms.add_synonym(kb_engine, "quyxzeta", "bảo hiểm y tế", by="quantri")
    after = search.search("quyxzeta hộ cận nghèo", locality="ho-chi-minh", limit=5)
    assert search.analyze("quyxzeta hộ cận nghèo").topics == ["bhyt"]
    assert after[0].coverage > 0.99 and "bhyt" in after[0].topics
    synonyms.remove_synonym(kb_engine, "quyxzeta", by="quantri")
    assert search.analyze("quyxzeta hộ cận nghèo").topics == []
    assert kb_admin.change_log(kb_engine, 2)[0]["action"] == "remove_synonym"


def test_a_synonym_that_would_misread_common_words_is_refused(kb_engine):
    for phrase, means in (("kh", "kế hoạch"), ("dùng", "sử dụng"), ("", "học phí"), ("học phí", "học phí")):
        with pytest.raises(InvalidChange):
            synonyms.add_synonym(kb_engine, phrase, means, by="quantri")
    with pytest.raises(NotFound):
        synonyms.remove_synonym(kb_engine, "không có", by="quantri")


def test_an_import_with_a_bad_synonym_changes_nothing_and_an_export_round_trips(kb_engine, tmp_path):
    before = synonyms.list_synonyms(kb_engine)
    bad = tmp_path / "bad.yaml"
    bad.write_text("synonyms:\n  - means: sử dụng\n    phrases: [xài, dùng]\n  - means: tiểu học\n"
                   "    phrases: [xài]\n", encoding="utf-8")
    with pytest.raises(KbFileError) as caught:
        import_file(kb_engine, bad, by="quantri")
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "«dùng» nằm trong chính «sử dụng»" in reasons and "cách nói «xài» có hai lần" in reasons
    assert synonyms.list_synonyms(kb_engine) == before
    exported = tmp_path / "kb.yaml"
    export_file(kb_engine, exported)
    report = import_file(kb_engine, exported, by="quantri")
    assert report.as_dict()["updated"] == 0 and report.as_dict()["created"] == 0
    assert synonyms.list_synonyms(kb_engine) == before


def test_nlu_tokens_read_a_phrase_as_its_meaning_and_keep_its_place_in_the_text():
    table = SynonymTable.of([("cấp 3", "trung học phổ thông")])
    text = "con em học cấp 3 ở đâu"
    tokens = with_synonyms(text, tokenize(text, lambda t: t.split()), table)
    norms = [t.norm for t in tokens]
    assert norms == ["con", "em", "hoc", "trung", "hoc", "pho", "thong", "o", "dau"]
    phrase = [t for t in tokens if t.norm in ("trung", "pho", "thong")]
    assert {(t.start, t.end, t.text) for t in phrase} == {(text.index("cấp 3"), text.index("cấp 3") + 5, "cấp 3")}
    untouched = [VnToken("x", 0, 1, "bao_hiem_y_te")]
    assert with_synonyms("x", untouched, table) == untouched


async def test_admins_edit_the_table_on_its_page_staff_only_read_it(aiohttp_client, kb_engine):
    from knowledge.accounts import add_account
    from admin.passwords import hash_password

    add_account(kb_engine, "quantri", "admin", password_hash=hash_password(ADMIN_PASSWORD))
    add_account(kb_engine, "canbo-dn", "staff", locality_key="da-nang", password_hash=hash_password(STAFF_PASSWORD))
    client = await aiohttp_client(create_app(kb_engine, SETTINGS))
    await login(client, "quantri", ADMIN_PASSWORD)
    token = await page_token(client, "/admin/kb/synonyms")
    response = await client.post("/admin/kb/synonyms", data={"phrase": "tiền trọ", "means": "thuê nhà", "csrf": token})
    body = await response.text()
    assert response.status == 200 and "Đã thêm" in body and "tiền trọ" in body
    response = await client.post("/admin/kb/synonyms", data={"phrase": "dùng", "means": "sử dụng", "csrf": token})
    assert response.status == 400 and "Chưa thêm" in await response.text()
    assert {"phrase": "tiền trọ", "means": "thuê nhà"} in synonyms.list_synonyms(kb_engine)
    await client.post("/admin/logout", data={"csrf": token})

    await login(client, "canbo-dn", STAFF_PASSWORD)
    page = await client.get("/admin/kb/synonyms")
    body = await page.text()
    assert page.status == 200 and "tiền trọ" in body and 'name="means"' not in body
    token = csrf_of(body)
    for path, data in (("/admin/kb/synonyms", {"phrase": "a b", "means": "c d", "csrf": token}),
                       ("/admin/kb/synonyms/remove", {"phrase": "tiền trọ", "csrf": token})):
        response = await client.post(path, data=data)
        assert response.status == 403, path
    assert {"phrase": "tiền trọ", "means": "thuê nhà"} in synonyms.list_synonyms(kb_engine)
