"""Is this customer-channel message an expansion hint? Rules over lemmas (ja and en), blended with
the team's own model when there is one. Pure: the same text, date and configuration, the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hearing.analyser import analyse, is_japanese, normalise
from hearing.learning import TeamModel, features
from models.offerings import Offering
from models.signal import Category, Kind


@dataclass(frozen=True)
class Owned:
    """What the customer already has (Accounts tab's Products / Plan columns), when known."""

    products: tuple[str, ...] = ()
    plan: str = ""


@dataclass(frozen=True)
class Heard:
    hint: bool
    kind: Kind | None  # None when not a hint
    category: Category | None
    timing: date | None  # chicks only: the first day of the month meant
    score: float  # 0..1
    evidence: str  # the phrase that gave it away ("" when not a hint)
    language: str  # "ja" | "en"

    def as_json(self) -> dict[str, object]:
        """The `hiyoko hear` line for this message."""
        return {
            "hint": self.hint,
            "kind": self.kind.value if self.kind else None,
            "category": self.category.value if self.category else None,
            "timing": self.timing.isoformat() if self.timing else None,
            "score": round(self.score, 3),
            "evidence": self.evidence,
        }


THRESHOLD = 0.5


class Detector:
    """Built once per configuration (HIYOKO_PRODUCTS, HIYOKO_PLANS, the team's model); `hear` is cheap."""

    def __init__(
        self, products: Sequence[Offering] = (), plans: Sequence[Offering] = (), model: TeamModel | None = None
    ) -> None:
        self.products = tuple(products)
        self.plans = tuple(plans)
        self.model = model

    def with_model(self, model: TeamModel | None) -> Detector:
        """The same detector with the team's (newer) model."""
        return Detector(self.products, self.plans, model)

    def hear(self, text: str, on: date, owned: Owned | None = None) -> Heard:
        """What one message (raw Slack text) says, read against the day it was written."""
        clean = normalise(text)
        language = "ja" if is_japanese(clean) else "en"
        words = {token.lemma for token in analyse(clean)}
        cue = next((w for w in ("増やす", "追加", "足りる", "add", "expand", "roll") if w in words), None)
        score = 0.8 if cue else 0.1
        if self.model is not None:
            score = 0.7 * score + 0.3 * self.model.probability(features(text))
        if score < THRESHOLD:
            return Heard(False, None, None, None, score, "", language)
        return Heard(True, Kind.EGG, Category.SEATS, None, score, cue or "", language)
