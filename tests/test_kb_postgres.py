"""The knowledge base on PostgreSQL: load, search, edit and round trip on a real server."""
from __future__ import annotations

import pytest

from knowledge import admin
from knowledge.importer import export_file, import_file, load_curated
from knowledge.provision_search import ProvisionSearch

pytestmark = pytest.mark.postgres


def test_curated_data_loads_and_answers_on_postgres(pg_engine, kb_engine, tmp_path):
    report = load_curated(pg_engine)
    assert len([c for c in report.created if "-" in c and ":" not in c]) >= 150
    search = ProvisionSearch(pg_engine)
    assert search.search("ho tro the bhyt cho ho can ngheo o sai gon")[0].id == "hcm-045"
    assert search.search("ty le bao phu bhyt", locality="Đà Nẵng")[0].id == "dn-013"
    admin.edit_provision(pg_engine, "dn-013", {"section": "II.2(b)"}, by="lan")
    assert search.search("ty le bao phu bhyt", locality="Đà Nẵng")[0].section == "II.2(b)"
    # Same data, same export on both databases.
    admin.edit_provision(kb_engine, "dn-013", {"section": "II.2(b)"}, by="lan")
    pg_file, sqlite_file = tmp_path / "pg.yaml", tmp_path / "sqlite.yaml"
    export_file(pg_engine, pg_file)
    export_file(kb_engine, sqlite_file)
    assert pg_file.read_text(encoding="utf-8") == sqlite_file.read_text(encoding="utf-8")
    again = import_file(pg_engine, pg_file, by="lan")
    assert again.created == [] and again.updated == []
