"""The answer benchmark on a knowledge base built only from ingested and published drafts, beside the
curated knowledge base, in one run.

    .venv/bin/python benchmarks/drafts_kb_answers.py [--questions PATH ...] [--seeds DIR] [--json] [--verbose]

The drafts KB: the shipped catalogue, then each seed plan read with `knowledge.drafts.ingest`, every
proposed provision accepted as drafted and the plan published (no hand edits, no curated YAML). The
question sets name curated provisions; a draft stands for a curated provision of the same plan when
it holds at least 60% of the curated text's words (stopwords aside; a draft may hold several curated
provisions, and a curated provision split in the plan's sentences may have several drafts), or when it
is a part of the curated provision: at least 60% of the draft's own words, and at least six of them,
are the curated text's (a clause the drafts cut at a semicolon, where the curator's text adds the
sentence's lead or its subject). Top-1 on the drafts KB counts a draft answer right when it stands
for an expected curated provision. ``--verbose`` prints the first turns answered right on the curated KB
and wrong on the drafts KB (what the gap is made of).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Set

from sqlalchemy import select

from answer_quality import DEFAULT_SETS, Item, load_items, run_set, share
from bot.run import prepare
from config.settings import Settings
from ingest_quality import seeds_dir
from knowledge import drafts
from knowledge.db import create_schema, make_engine, transaction
from knowledge.importer import DATA_DIR, import_file
from knowledge.models import Document, Provision
from knowledge.provision_search import ProvisionSearch
from knowledge.text import STOPWORDS, fold
from scratch import scratch_assistant

STANDS_FOR = 0.6  # share of the curated provision's words the draft holds (or of the draft's, in the curated)
PART_WORDS = 6  # the fewest words a draft standing for a curated provision as its part has


def build_drafts_kb(path: Path, seeds: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    import_file(engine, DATA_DIR / "catalogue.yaml", by="benchmark")
    for seed in sorted(seeds.glob("[0-9][0-9][0-9]_*.txt")):
        result = drafts.ingest(engine, seed.read_bytes(), seed.name, "benchmark")
        drafts.decide_all_pending(engine, result.plan_id, "accepted", "benchmark")
        drafts.publish(engine, result.plan_id, "benchmark")
    engine.dispose()


def _words(text: str) -> Set[str]:
    return {w for w in re.findall(r"\w+", fold(text)) if w not in STOPWORDS}


def _provisions(url: str) -> List[tuple]:
    engine = make_engine(url)
    with transaction(engine) as session:
        rows = session.execute(select(Provision.id, Provision.text, Document.locality_key)
                               .join(Document, Document.code == Provision.document_code)).all()
    engine.dispose()
    return [(pid, _words(text), locality) for pid, text, locality in rows]


def stands_for(curated_url: str, drafts_url: str) -> Dict[str, Set[str]]:
    """curated id -> the draft ids that stand for it."""
    out: Dict[str, Set[str]] = {}
    drafted = _provisions(drafts_url)
    for pid, words, locality in _provisions(curated_url):
        for did, dwords, dloc in drafted:
            if dloc != locality or not words or not dwords:
                continue
            shared = len(words & dwords)
            if shared / len(words) >= STANDS_FOR or (len(dwords) >= PART_WORDS and shared / len(dwords) >= STANDS_FOR):
                out.setdefault(pid, set()).add(did)
    return out


def translated(items: List[Item], mapping: Dict[str, Set[str]]) -> List[Item]:
    for item in items:
        for turn in item.turns:
            turn.expected = sorted({d for pid in turn.expected for d in mapping.get(pid, ())})
    return items


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, nargs="+", default=DEFAULT_SETS)
    ap.add_argument("--seeds")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    settings = Settings.from_env()
    model = prepare(settings)
    results: Dict[str, Dict[str, str]] = {}
    failed: Dict[str, Dict[str, Dict[str, str]]] = {}  # set -> KB -> first turn's conversation id -> failure
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "drafts.db"
        build_drafts_kb(kb, seeds_dir(args.seeds))
        drafts_settings = Settings(database_url=f"sqlite:///{kb}", var_dir=Path(tmp), model_dir=settings.model_dir)
        mapping = stands_for(settings.database_url, drafts_settings.database_url)
        for name, run_settings in (("curated", settings), ("drafts", drafts_settings)):
            by_id = {h.id: h for h in ProvisionSearch(make_engine(run_settings.database_url)).index().hits_base}
            with scratch_assistant(run_settings, model) as (base, token):
                for path in args.questions:
                    items = load_items(path)
                    if name == "drafts":
                        items = translated(items, mapping)
                    tally = asyncio.run(run_set(base, token, items, by_id, f"{name}-{path.stem}"))
                    results.setdefault(path.name, {})[name] = share(tally.top1)
                    results[path.name][f"{name} follow-ups"] = share(tally.follow)
                    failed.setdefault(path.name, {})[name] = {
                        line.split()[0].lstrip("["): line for line in tally.failures if " t1] " in line}
    mapped = sum(1 for ids in mapping.values() if ids)
    if args.verbose:
        for name, by_kb in failed.items():
            print(f"== {name}: right on the curated KB, wrong on the drafts KB", file=sys.stderr)
            for key in sorted(set(by_kb.get("drafts", {})) - set(by_kb.get("curated", {}))):
                print(by_kb["drafts"][key], file=sys.stderr)
    if args.json:
        print(json.dumps({"sets": results, "curated provisions with a draft": mapped}, ensure_ascii=False, indent=2))
        return
    print(f"curated provisions a published draft stands for: {mapped}")
    print(f"{'set':<16}{'top-1 curated':>22}{'top-1 drafts':>22}{'points':>9}")
    for name, row in results.items():
        if "=" not in row["curated"] + row["drafts"]:
            continue  # a set of follow-ups only
        a, b = (float(row[k].split("= ")[1].rstrip("%")) for k in ("curated", "drafts"))
        print(f"{name:<16}{row['curated']:>22}{row['drafts']:>22}{b - a:>+9.1f}")


if __name__ == "__main__":
    main()
