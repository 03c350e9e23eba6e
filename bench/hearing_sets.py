"""The hand-labelled hearing sets (tests/data/hearing) and what the bench and the base model's training
share: the products and plans the sets assume, how a line is read, precision/recall/F1."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "hearing"
PRODUCTS = "ゲンバチェック|GenbaCheck;ゲンバカメラ|GenbaCam;ゲンバ勤怠|GenbaTime"
PLANS = "スタンダード|Standard;プロ|Pro;エンタープライズ|Enterprise|エンプラ"


@dataclass(frozen=True)
class Case:
    text: str
    on: date
    lang: str
    hint: bool
    kind: str | None
    category: str | None
    timing: str | None


def load(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            Case(row["text"], date.fromisoformat(row["date"]), row["lang"], bool(row["hint"]), row.get("kind"),
                 row.get("category"), row.get("timing"))
        )  # fmt: skip
    return cases


def prf_counts(pairs: list[tuple[Case, bool]]) -> tuple[float, float, float]:
    """Precision, recall and F1 of hint decisions (True: heard as a hint)."""
    tp = sum(1 for case, hint in pairs if case.hint and hint)
    fp = sum(1 for case, hint in pairs if not case.hint and hint)
    fn = sum(1 for case, hint in pairs if case.hint and not hint)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0
