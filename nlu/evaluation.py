"""Evaluation of the NLU on the held-out test set and its diacritic-free copy,
beside a stock Rasa pipeline trained on the same data in the same run."""
from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

from knowledge.text import fold
from nlu.model_store import BASELINE_CONFIG, CONFIG, NLU_DATA, TEST_SET, train_nlu_only


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: Tuple[Tuple[str, int, int], ...]  # (entity, start, end)


def load_examples(path: Path) -> List[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [Example(m.get("text"), m.get("intent"),
                    tuple((e["entity"], e["start"], e["end"]) for e in m.get("entities") or []))
            for m in data.training_examples]


def strip_diacritics(examples: List[Example]) -> List[Example]:
    """The same examples typed without diacritics; folding keeps lengths, so spans hold."""
    out = []
    for ex in examples:
        folded = fold(ex.text)
        assert len(folded) == len(ex.text)
        out.append(Example(folded, ex.intent, ex.entities))
    return out


def _top_intent(parsed: Dict[str, Any]) -> str:
    for candidate in parsed.get("intent_ranking") or []:
        if candidate["name"] != "nlu_fallback":
            return candidate["name"]
    return parsed["intent"]["name"]


def intent_scores(gold: List[str], predicted: List[str]) -> Dict[str, Any]:
    labels = sorted(set(gold))
    f1s = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    confusions = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    return {"macro_f1": sum(f1s.values()) / len(f1s), "accuracy": accuracy, "per_intent_f1": f1s,
            "confusions": confusions}


def entity_f1(examples: List[Example], parsed: List[Dict[str, Any]]) -> float:
    gold = {(i, e) for i, ex in enumerate(examples) for e in ex.entities}
    pred = {(i, (e["entity"], e["start"], e["end"])) for i, p in enumerate(parsed) for e in p["entities"]}
    tp = len(gold & pred)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(gold) if gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _run(parser, examples: List[Example]) -> Tuple[List[Dict[str, Any]], List[float]]:
    parsed, times = [], []
    for ex in examples:
        start = time.perf_counter()
        parsed.append(parser.parse(ex.text))
        times.append((time.perf_counter() - start) * 1000)
    return parsed, times


def _percentile(values: List[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def score_model(path: Path, sets: Dict[str, List[Example]]) -> Tuple[Dict[str, Dict[str, Any]], List[float]]:
    """Intent and entity scores of one model on named example sets, and parse times."""
    from nlu.parser import NluParser

    parser = NluParser(path)
    parser.parse("xin chào")  # warm-up
    out: Dict[str, Dict[str, Any]] = {}
    latencies: List[float] = []
    try:
        for label, examples in sets.items():
            parsed, times = _run(parser, examples)
            latencies += times
            predicted = [_top_intent(p) for p in parsed]
            scores = intent_scores([e.intent for e in examples], predicted)
            scores["entity_f1"] = entity_f1(examples, parsed)
            scores["fallback_rate"] = sum(p["intent"]["name"] == "nlu_fallback" for p in parsed) / len(parsed)
            scores["errors"] = [(e.text, e.intent, p) for e, p in zip(examples, predicted) if p != e.intent]
            scores["entity_errors"] = _entity_errors(examples, parsed)
            out[label] = scores
    finally:
        parser.close()
    return out, latencies


def _entity_errors(examples: List[Example], parsed: List[Dict[str, Any]]) -> List[Tuple[str, List, List]]:
    errors = []
    for ex, p in zip(examples, parsed):
        gold = sorted((e, ex.text[s:t]) for e, s, t in ex.entities)
        got = sorted((e["entity"], ex.text[e["start"]:e["end"]]) for e in p["entities"])
        if gold != got:
            errors.append((ex.text, gold, got))
    return errors


def evaluate(model_dir: Path, report_path: Path, test_set: Path = TEST_SET) -> Dict[str, Any]:
    """Train (or reuse) both NLU models, evaluate, write a report, return the figures."""

    timings = {}
    start = time.perf_counter()
    model = train_nlu_only(CONFIG, NLU_DATA, model_dir, "nlu")
    timings["train_s"] = time.perf_counter() - start
    start = time.perf_counter()
    baseline_model = train_nlu_only(BASELINE_CONFIG, NLU_DATA, model_dir, "baseline")
    timings["baseline_train_s"] = time.perf_counter() - start

    careful = load_examples(test_set)
    plain = strip_diacritics(careful)
    results: Dict[Any, Dict[str, Any]] = {}
    latencies: List[float] = []
    for name, path in (("model", model), ("baseline", baseline_model)):
        scored, times = score_model(path, {"careful": careful, "no_diacritics": plain})
        for label, scores in scored.items():
            results[(name, label)] = scores
        if name == "model":
            latencies = times

    m, mp = results[("model", "careful")], results[("model", "no_diacritics")]
    b, bp = results[("baseline", "careful")], results[("baseline", "no_diacritics")]
    worst = (m["confusions"] + mp["confusions"]).most_common(8)
    summary = {
        "test_examples": len(careful),
        "intent_macro_f1": round(m["macro_f1"], 4),
        "intent_accuracy": round(m["accuracy"], 4),
        "entity_f1": round(m["entity_f1"], 4),
        "intent_macro_f1_no_diacritics": round(mp["macro_f1"], 4),
        "intent_accuracy_no_diacritics": round(mp["accuracy"], 4),
        "entity_f1_no_diacritics": round(mp["entity_f1"], 4),
        "baseline_intent_macro_f1": round(b["macro_f1"], 4),
        "baseline_intent_macro_f1_no_diacritics": round(bp["macro_f1"], 4),
        "baseline_entity_f1": round(b["entity_f1"], 4),
        "error_ratio_vs_baseline_no_diacritics": round((1 - mp["macro_f1"]) / max(1e-9, 1 - bp["macro_f1"]), 3),
        "fallback_rate": round(m["fallback_rate"], 4),
        "worst_confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in worst],
        "parse_ms_p50": round(statistics.median(latencies), 2),
        "parse_ms_p95": round(_percentile(latencies, 0.95), 2),
        "train_s": round(timings["train_s"], 1),
        "baseline_train_s": round(timings["baseline_train_s"], 1),
        "model": str(model),
    }
    _write_report(report_path, summary, results)
    return summary


def _write_report(path: Path, summary: Dict[str, Any], results: Dict[Any, Dict[str, Any]]) -> None:
    lines = ["# NLU evaluation", "", "Held-out set `nlu/tests/test_nlu.yml` and its diacritic-free copy.", "",
             "```json", json.dumps({k: v for k, v in summary.items()}, ensure_ascii=False, indent=2), "```", "",
             "## Intent F1 per intent", "", "| intent | model | model, no diacritics | baseline, no diacritics |",
             "|---|---|---|---|"]
    m, mp, bp = results[("model", "careful")], results[("model", "no_diacritics")], results[("baseline", "no_diacritics")]
    for intent in sorted(m["per_intent_f1"]):
        lines.append(f"| {intent} | {m['per_intent_f1'][intent]:.3f} | {mp['per_intent_f1'][intent]:.3f} | "
                     f"{bp['per_intent_f1'][intent]:.3f} |")
    lines += ["", "## Misclassified examples (model)", ""]
    for label in ("careful", "no_diacritics"):
        for text, gold, pred in results[("model", label)]["errors"]:
            lines.append(f"- [{label}] `{text}` — expected {gold}, got {pred}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
