"""Validation of a submitted signal. Returns problems per field; the caller words them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models.signal import CUSTOMER_MAX, SIZE_MAX, SOURCE_MAX, SUMMARY_MAX, Kind, SignalDraft


@dataclass(frozen=True)
class Problem:
    """A refusal for one field: a catalog key and its parameters."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


_LIMITS = {"customer": CUSTOMER_MAX, "summary": SUMMARY_MAX, "size": SIZE_MAX, "source": SOURCE_MAX}


def validate_draft(draft: SignalDraft, today: date) -> dict[str, Problem]:
    """Every problem of a draft, keyed by the field (the modal's block_id)."""
    problems: dict[str, Problem] = {}
    if not draft.customer:
        problems["customer"] = Problem("error.required")
    if not draft.summary:
        problems["summary"] = Problem("error.required")
    for name, limit in _LIMITS.items():
        length = len(getattr(draft, name))
        if length > limit and name not in problems:
            problems[name] = Problem("error.too_long", {"limit": limit, "length": length})
    if draft.kind is Kind.CHICK and draft.timing is None:
        problems["timing"] = Problem("error.chick_needs_timing")
    elif draft.timing is not None and draft.timing < today:
        problems["timing"] = Problem("error.timing_past", {"today": today.isoformat()})
    return problems
