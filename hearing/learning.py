"""The team's own words: a small local model over hashed lemmas, trained from shared and dismissed
suggestions and the team's own signals, kept as JSON weights (never pickle).

A suggestion keeps `features(text)` instead of the message: sorted, de-duplicated hashes of the
normalised words, which say which words were there but not the text, its order or its length.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from hearing.analyser import lemmas

BUCKETS = 1 << 18  # hashed feature space; collisions are rare at a team's vocabulary
MIN_EXAMPLES = 20  # fewer than this, or fewer than MIN_PER_CLASS of either answer: no model
MIN_PER_CLASS = 5


def _hash(word: str) -> int:
    digest = hashlib.blake2b(word.encode(), digest_size=8, person=b"hiyoko-hear").digest()
    return int.from_bytes(digest, "big") % BUCKETS


def feature_id(name: str) -> int:
    """A feature name's bucket in the hashed feature space (shared with the shipped base model)."""
    return _hash(name)


def features(text: str) -> list[int]:
    """Hashed normalised words (lemmas) of a text, sorted and each once: what a suggestion keeps
    for learning instead of the message text (not reversible to the text)."""
    return sorted({_hash(word) for word in lemmas(text)})


@dataclass(frozen=True)
class Example:
    features: list[int]
    hint: bool


@dataclass(frozen=True)
class TeamModel:
    """A logistic model over hashed lemmas: a weight per seen feature and an intercept."""

    weights: dict[int, float]
    intercept: float
    examples: int

    def probability(self, feature_ids: Sequence[int]) -> float:
        """P(hint) for a message's features (features the team never used weigh nothing)."""
        z = self.intercept + sum(self.weights.get(f, 0.0) for f in set(feature_ids))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "intercept": self.intercept,
                "examples": self.examples,
                "weights": {str(k): round(v, 6) for k, v in sorted(self.weights.items())},
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TeamModel:
        """Raises ValueError when the text is not a model this version wrote."""
        try:
            data = json.loads(text)
            if data.get("version") != 1:
                raise ValueError(f"unknown hearing model version {data.get('version')!r}")
            weights = {int(k): float(v) for k, v in data["weights"].items()}
            return cls(weights, float(data["intercept"]), int(data["examples"]))
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a hearing model: {error}") from None


def train(examples: Sequence[Example]) -> TeamModel | None:
    """A model of what this team calls a hint, or None with fewer than MIN_EXAMPLES examples or
    fewer than MIN_PER_CLASS hints or non-hints (too little to learn from)."""
    hints = sum(1 for example in examples if example.hint)
    if len(examples) < MIN_EXAMPLES or min(hints, len(examples) - hints) < MIN_PER_CLASS:
        return None
    # Imported here: scikit-learn takes a second to import and only the training job needs it,
    # not every process that hears (the detector only reads the weights).
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    used = sorted({f for example in examples for f in example.features})
    column = {f: i for i, f in enumerate(used)}
    rows, cols = [], []
    for row, example in enumerate(examples):
        for f in set(example.features):
            rows.append(row)
            cols.append(column[f])
    matrix = csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(examples), max(1, len(used))))
    labels = [1 if example.hint else 0 for example in examples]
    fitted = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000).fit(matrix, labels)
    weights = {f: float(w) for f, w in zip(used, fitted.coef_[0], strict=False) if abs(w) > 1e-6}
    return TeamModel(weights, float(fitted.intercept_[0]), len(examples))
