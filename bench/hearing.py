"""Hearing bench: the detector against the hand-labelled evaluation set: the rules and the base model
shipped with the package (no team model); --rules-only for the rules alone.

`tests/data/hearing/dev.jsonl` and `dev2.jsonl` (other industries and writers) are what the rules
are tuned on; `holdout.jsonl` (its overall figures were glimpsed between tuning rounds) and
`holdout2.jsonl` (written last, by someone who saw neither the detector nor the other sets, and
scored once) are kept out of all tuning and reported separately (--errors never prints their
messages). Each line: {"text", "date", "lang": "ja"|"en", "hint", "kind",
"category", "timing", "note"?}. Printed for each set: precision, recall and F1 overall and per
language; kind and category accuracy on true hints the detector also found; timing accuracy (same
month) on true chicks found; per-message latency p50/p99 (three rounds of each message heard 10
times, the analyser warm; the lowest round is the headline, each round is printed). Also the
analysers compared (bench/analysers.py) unless --no-analysers.

The dataset assumes the products and plans below; they are the defaults here (the environment's
HIYOKO_PRODUCTS / HIYOKO_PLANS win when set)::

    python -m bench.hearing
    python -m bench.hearing --set dev2 --errors    # what the rules get wrong on a dev set
    python -m bench.hearing --set dev --folds      # and the cross-validated figures (bench/train_base_model.py)

The dev sets are what the rules and the base model are fitted on, so their figures say little about
unseen messages; --folds measures the base model fitted on one dev set against the other, and
k-fold over the test sentences.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass
from datetime import date

from bench import analysers, train_base_model
from bench.hearing_sets import DATA, PLANS, PRODUCTS, Case, load
from hearing.detector import Detector, Heard
from models.offerings import parse_offerings

SETS = ("dev", "dev2", "dev3", "holdout", "holdout2")  # the three dev sets are tuned on; the holdouts never are
TARGETS = "targets: precision ≥ 0.85, recall ≥ 0.75, kind and category ≥ 85 %, timing ≥ 80 %, p99 ≤ 5 ms"


def detector(*, rules_only: bool = False) -> Detector:
    products = os.environ.get("HIYOKO_PRODUCTS") or PRODUCTS
    plans = os.environ.get("HIYOKO_PLANS") or PLANS
    return Detector(parse_offerings(products), parse_offerings(plans), rules_only=rules_only)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    count: int


def prf(pairs: list[tuple[Case, Heard]]) -> Scores:
    tp = sum(1 for case, heard in pairs if case.hint and heard.hint)
    fp = sum(1 for case, heard in pairs if not case.hint and heard.hint)
    fn = sum(1 for case, heard in pairs if case.hint and not heard.hint)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, len(pairs))


def _month(day: date | None) -> str | None:
    return day.isoformat()[:7] if day else None


def share(hits: int, total: int) -> str:
    return f"{hits / total:6.1%} ({hits}/{total})" if total else "   n/a"


def evaluate(name: str, cases: list[Case], heard_by: Detector, *, errors: bool = False) -> dict[str, float]:
    pairs = [(case, heard_by.hear(case.text, case.on)) for case in cases]
    # Three rounds of every message heard 10 times; other processes on a shared machine make single
    # slow samples, so each round's p99 is printed and the lowest is the headline.
    rounds = []
    for _ in range(3):
        samples = []
        for _ in range(10):
            for case in cases:
                start = time.perf_counter()
                heard_by.hear(case.text, case.on)
                samples.append(time.perf_counter() - start)
        samples.sort()
        rounds.append((statistics.median(samples) * 1000, samples[int(len(samples) * 0.99)] * 1000))
    p50, p99 = min(r[0] for r in rounds), min(r[1] for r in rounds)
    found = [(case, heard) for case, heard in pairs if case.hint and heard.hint]
    kind_ok = sum(1 for case, heard in found if heard.kind is not None and heard.kind.value == case.kind)
    category_ok = sum(
        1 for case, heard in found if heard.category is not None and heard.category.value == case.category
    )
    # Every true chick found as a hint counts: heard as an egg (no timing) is a wrong timing.
    chicks = [(case, heard) for case, heard in found if case.kind == "chick"]
    timing_ok = sum(1 for case, heard in chicks if case.timing and _month(heard.timing) == case.timing[:7])
    overall = prf(pairs)
    print(f"\n== {name}: {len(cases)} messages, {sum(c.hint for c in cases)} hints")
    print(f"  {'all':4} precision {overall.precision:.3f}  recall {overall.recall:.3f}  F1 {overall.f1:.3f}")
    for lang in ("ja", "en"):
        scores = prf([(c, h) for c, h in pairs if c.lang == lang])
        print(f"  {lang:4} precision {scores.precision:.3f}  recall {scores.recall:.3f}  F1 {scores.f1:.3f}"
              f"  ({scores.count} messages)")  # fmt: skip
    print(f"  kind on true hints found      {share(kind_ok, len(found))}")
    print(f"  category on true hints found  {share(category_ok, len(found))}")
    print(f"  timing (same month) on chicks {share(timing_ok, len(chicks))}")
    print(
        f"  latency per message           p50 {p50:.3f} ms  p99 {p99:.3f} ms"
        f"  (p99 of each round: {', '.join(f'{r[1]:.3f}' for r in rounds)} ms)"
    )
    if errors:
        for case, heard in pairs:
            wrong = case.hint != heard.hint
            if case.hint and heard.hint:
                wrong = (heard.kind and heard.kind.value) != case.kind or (
                    heard.category and heard.category.value
                ) != case.category
                if case.kind == "chick" and heard.timing and case.timing:
                    wrong = wrong or heard.timing.isoformat()[:7] != case.timing[:7]
            if wrong:
                print(f"  ✗ {case.on} {case.text!r}\n      want {case.hint} {case.kind} {case.category} {case.timing}"
                      f"  got {json.dumps(heard.as_json(), ensure_ascii=False)}")  # fmt: skip
    return {
        "precision": overall.precision,
        "recall": overall.recall,
        "kind": kind_ok / len(found) if found else 1.0,
        "category": category_ok / len(found) if found else 1.0,
        "timing": timing_ok / len(chicks) if chicks else 1.0,
        "p99_ms": p99,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=(*SETS, "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="print each message the detector gets wrong")
    parser.add_argument("--no-analysers", action="store_true", help="skip the analyser comparison")
    parser.add_argument("--rules-only", action="store_true", help="the rules alone, without the base model")
    parser.add_argument("--folds", action="store_true", help="also the cross-validated figures (dev sets only)")
    args = parser.parse_args()
    start = time.perf_counter()
    heard_by = detector(rules_only=args.rules_only)
    heard_by.hear("準備", date(2026, 1, 1))  # loads the analyser's dictionary and the base model
    what = "rules only" if args.rules_only else "rules and the base model"
    print(f"detector ready in {time.perf_counter() - start:.2f} s ({what}, no team model); {TARGETS}")
    names = SETS if args.set == "all" else (args.set,)
    for name in names:
        path = DATA / f"{name}.jsonl"
        if not path.exists():
            print(f"\n== {name}: {path} is missing")
            continue
        evaluate(name, load(path), heard_by, errors=args.errors and not name.startswith("holdout"))
    if args.folds:
        train_base_model.folds()
    if not args.no_analysers:
        print()
        analysers.main()


if __name__ == "__main__":
    main()
