"""Matching customer names, so a new signal can warn "サンプル株式会社 already has an open signal".

The key is for comparison only; the name is always stored and shown as the person typed it.
"""

from __future__ import annotations

import re
import unicodedata

# Japanese legal forms, written before the name (前株) or after it (後株). Spelled as they are after
# NFKC, which turns （株） and ㈱ into (株). (同), (資) and (名) are the usual abbreviations of the
# 合同・合資・合名会社 and are matched like (株).
_JA_FORMS = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "一般社団法人", "一般財団法人",
    r"\(\s*株\s*\)", r"\(\s*有\s*\)", r"\(\s*同\s*\)", r"\(\s*資\s*\)", r"\(\s*名\s*\)",
)  # fmt: skip

# Latin legal forms (casefolded). Dots are optional because trailing dots are trimmed before
# matching; "Co., Ltd." is two forms taken off one after the other.
_LATIN_FORMS = (
    "incorporated", "inc", "corporation", "corp", "limited", "ltd", "co", "l\\.?l\\.?c", "k\\.?k", "g\\.?k", "gmbh",
)  # fmt: skip

# A Latin form counts only as a word of its own: "Monaco" keeps its "co", "Zinc" its "inc".
_LATIN_LETTER = r"0-9a-z\u00c0-\u024f"

_JA = "|".join(_JA_FORMS)
_PREFIX = re.compile(rf"^(?:{_JA})")
_SUFFIX = re.compile(rf"(?:{_JA}|(?<![{_LATIN_LETTER}])(?:{'|'.join(_LATIN_FORMS)}))$")

# What separates a legal form from the name: spaces, the middle dot, ASCII commas and dots.
_EDGES = " \t\r\n\u3000・,."
# Not part of the key. The long-vowel mark ー and other dashes stay: they change a Japanese word.
_IGNORED = re.compile(r"[\s・,.\-]+")


def normalize_customer(name: str) -> str:
    """A key under which the same company written differently compares equal."""
    # NFKC: full-width ＡＢＣ → ABC, half-width ｻﾝﾌﾟﾙ → サンプル, （株）/㈱ → (株), U+3000 → space.
    folded = unicodedata.normalize("NFKC", name).casefold()
    core = folded.strip(_EDGES)
    while True:
        shorter = _PREFIX.sub("", core, count=1).strip(_EDGES)
        shorter = _SUFFIX.sub("", shorter, count=1).strip(_EDGES)
        if shorter == core:
            break
        core = shorter
    key = _IGNORED.sub("", core)
    # A name that is nothing but a legal form ("株式会社") still needs a key of its own.
    return key or re.sub(r"\s+", "", folded)
