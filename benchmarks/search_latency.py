"""Search latency on the curated KB and on a KB grown to 20,000 synthetic provisions.

    .venv/bin/python benchmarks/search_latency.py [--synthetic 20000] [--rounds 5]

Synthetic provisions recombine sentences of the curated ones across documents of
made-up localities, so term statistics stay Vietnamese-like; both sizes are
measured in the same run so their ratio is meaningful on a noisy machine.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import List

from sqlalchemy import insert, select

from figures import percentile
from knowledge.db import bump_version, create_schema, make_engine, transaction
from knowledge.importer import load_curated
from knowledge.models import Document, Locality, Provision, provision_groups, provision_topics
from knowledge.provision_search import ProvisionSearch

QUERIES = [
    "ho tro the bhyt cho ho can ngheo o sai gon",
    "Tỷ lệ bao phủ BHYT của Đà Nẵng đến năm 2025",
    "mien hoc phi cho hoc sinh ho ngheo",
    "nha o xa hoi cho cong nhan",
    "chính sách cho thương binh liệt sĩ",
    "tro cap xa hoi hang thang nguoi cao tuoi",
    "day nghe cho lao dong nong thon",
    "nuoc sach nong thon",
    "ai chiu trach nhiem ve bhxh",
    "ty le ho ngheo giam bao nhieu",
]


def measure(search: ProvisionSearch, rounds: int) -> dict:
    search.index()  # build once, outside the timing
    timings: List[float] = []
    for _ in range(rounds):
        for q in QUERIES:
            for loc in (None, "Đà Nẵng"):
                start = time.perf_counter()
                search.search(q, locality=loc, limit=10)
                timings.append((time.perf_counter() - start) * 1000)
    return {"n": len(timings), "p50_ms": statistics.median(timings), "p95_ms": percentile(timings, 0.95)}


def grow(engine, target: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    with transaction(engine) as s:
        base = s.execute(select(Provision)).scalars().all()
        rows = [(p.text, p.segmented, p.kind, [t.key for t in p.topics], [g.key for g in p.groups]) for p in base]
        template = s.execute(select(Document)).scalars().first()
        missing = target - len(base)
        docs = []
        for d in range(max(1, missing // 200 + 1)):
            key = f"synthetic-{d:03d}"
            s.add(Locality(key=key, name=f"Địa phương thử {d}", level="huyện", province="Thử nghiệm", position=100 + d))
            docs.append(f"SYN-{d:03d}")
        s.flush()
        for d, code in enumerate(docs):
            s.add(Document(code=code, title=f"Kế hoạch thử {d}", issuer="UBND", locality_key=f"synthetic-{d:03d}",
                           issued_on=template.issued_on, date_label="01/01/2024", period_start=2024,
                           period_end=2030, status="issued", source_file="synthetic", contact="UBND", position=100 + d))
        s.flush()
        provisions, topics, groups = [], [], []
        for i in range(missing):
            a, b = rng.sample(rows, 2)
            pid = f"syn-{i:06d}"
            provisions.append({"id": pid, "document_code": docs[i // 200], "kind": a[2], "section": "I.1",
                               "text": a[0] + " " + b[0], "numbers": [], "legal_refs": [], "agencies": [],
                               "status": "active", "segmented": "|".join(filter(None, (a[1], b[1]))),
                               "position": i % 200})
            topics += [{"provision_id": pid, "topic_key": t} for t in sorted(set(a[3]) | set(b[3]))]
            groups += [{"provision_id": pid, "group_key": g} for g in sorted(set(a[4]) | set(b[4]))]
        s.execute(insert(Provision), provisions)
        s.execute(insert(provision_topics), topics)
        if groups:
            s.execute(insert(provision_groups), groups)
        bump_version(s)
        return len(base) + missing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        create_schema(engine)
        load_curated(engine)
        search = ProvisionSearch(engine)
        curated = measure(search, args.rounds)
        curated_size = search.index().size
        total = grow(engine, args.synthetic)
        start = time.perf_counter()
        search.index()
        rebuild_s = time.perf_counter() - start
        grown = measure(search, args.rounds)
    print(f"curated KB   ({curated_size} provisions): p50 {curated['p50_ms']:.2f} ms, "
          f"p95 {curated['p95_ms']:.2f} ms over {curated['n']} searches")
    print(f"synthetic KB ({total} provisions): p50 {grown['p50_ms']:.2f} ms, "
          f"p95 {grown['p95_ms']:.2f} ms over {grown['n']} searches (index rebuilt in {rebuild_s:.1f} s)")
    print(f"ratio p95 synthetic/curated: {grown['p95_ms'] / curated['p95_ms']:.1f}x")


if __name__ == "__main__":
    main()
