"""The base model shipped with the package: a logistic model over a message's lemmas, lemma pairs and
the rules' own signals (which cues fired, what weighs against them), trained on the hand-labelled dev
sets by bench/train_base_model.py and kept as JSON weights (never pickle) in hearing/base_model.json.
The rules' score is left out on purpose: on the sets it is trained on the rules are nearly always
right, so a model given their score learns only to copy it. Without it the model is a second,
independent opinion, and the detector uses it as one (hearing.detector.base_blend): it vetoes a cue
the rest of the message does not support, and hears a hint no cue caught only when it is sure.

Loaded once per process; the detector only reads the weights (no scikit-learn at run time).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

from hearing.learning import feature_id

VERSION = 1
# Words that say nothing on their own: punctuation is dropped before; these particles would only
# add noise to the unigrams (they stay inside pairs, where "に も" or "を 追加" carry meaning).
_QUIET = frozenset({"の", "は", "が", "を", "に", "で", "と", "も", "て", "た", "です", "ます", "だ", "the", "a", "to"})


def feature_names(lemmas: Sequence[str], cues: Iterable[str], against: Iterable[str]) -> list[str]:
    """A message's features by name: its lemmas (w:), neighbouring lemma pairs (b:), the cues the
    rules heard (c:) and what weighs against them (a:). Each once, sorted."""
    names = {f"w:{lemma}" for lemma in lemmas if lemma not in _QUIET}
    names.update(f"b:{first} {second}" for first, second in pairwise(lemmas))
    names.update(f"c:{cue}" for cue in cues)
    names.update(f"a:{name}" for name in against)
    return sorted(names)


@dataclass(frozen=True)
class BaseModel:
    """Weights over hashed feature names and an intercept."""

    weights: dict[int, float]
    intercept: float

    def probability(self, names: Iterable[str]) -> float:
        """P(hint) for a message's feature names."""
        z = self.intercept + sum(self.weights.get(feature_id(name), 0.0) for name in set(names))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> str:
        """The shipped form: sorted keys and rounded weights, so the same training writes the same bytes."""
        return json.dumps(
            {
                "version": VERSION,
                "intercept": round(self.intercept, 6),
                "weights": {str(k): round(v, 6) for k, v in sorted(self.weights.items())},
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> BaseModel:
        """Raises ValueError when the text is not a base model this version wrote."""
        try:
            data = json.loads(text)
            if data.get("version") != VERSION:
                raise ValueError(f"unknown base model version {data.get('version')!r}")
            weights = {int(k): float(v) for k, v in data["weights"].items()}
            return cls(weights, float(data["intercept"]))
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a hearing base model: {error}") from None


@cache
def shipped() -> BaseModel | None:
    """The model in hearing/base_model.json, read once per process; None when it is absent."""
    try:
        text = resources.files("hearing").joinpath("base_model.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return BaseModel.from_json(text)
