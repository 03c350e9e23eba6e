"""What people type for a kind or a category, in forms and old sheets, mapped to the domain's values.

`egg`/`chick`, `卵`/`ひよこ`, 🥚/🐣, the modal's and the sheet's own labels in both languages
("🥚 卵(時期未定)", "Egg (timing unknown)", "席数追加", "Cross-sell"), and a few everyday synonyms.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TypeVar

from i18n import LANGUAGES, t
from models.signal import Category, Kind

# Characters that never change the meaning of a short label: spaces, dashes, dots, brackets,
# slashes, the middle dot, the required-field star of forms.
_NOISE = re.compile(r"[\s\-_.,:;/・*※()\[\]{}<>「」『』【】\"'`!?！？]+")
_BRACKETED = re.compile(r"\([^)]*\)")


def fold(text: str) -> str:
    """NFKC (full-width ＡＢＣ → ABC, （ → (, ｶﾅ → カナ), case-folded, trimmed, spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def squash(text: str) -> str:
    """`fold` without any noise characters: the key short labels are compared by."""
    return _NOISE.sub("", fold(text))


_EGG_WORDS = {"egg", "eggs", "卵", "たまご", "タマゴ", "tamago"}
_CHICK_WORDS = {"chick", "chicks", "ひよこ", "ヒヨコ", "hiyoko", "雛", "ひな", "ヒナ"}

_CATEGORY_WORDS: dict[Category, set[str]] = {
    Category.SEATS: {
        "seats", "seat", "moreseats", "addseats", "licenses", "license", "users", "席数", "席数追加", "席追加",
        "増席", "ライセンス", "ライセンス追加", "アカウント追加", "ユーザー追加", "id追加", "人数追加",
    },
    Category.PLAN: {
        "plan", "planupgrade", "upgrade", "プラン", "プランアップ", "プラン変更", "上位プラン", "アップグレード",
        "グレードアップ",
    },
    Category.CROSS_SELL: {
        "crosssell", "クロスセル", "別製品", "他製品", "新製品", "追加製品", "オプション", "option", "addon",
    },
    Category.OTHER: {"other", "others", "misc", "その他", "そのほか", "他"},
}  # fmt: skip


def _kind_words() -> dict[str, Kind]:
    words = {squash(word): Kind.EGG for word in _EGG_WORDS} | {squash(word): Kind.CHICK for word in _CHICK_WORDS}
    for kind in Kind:
        words[kind.value] = kind
        for lang in LANGUAGES:
            for key in (f"kind.{kind.value}", f"kind.{kind.value}.short"):
                words[squash(t(key, lang))] = kind
    return words


def _category_words() -> dict[str, Category]:
    words: dict[str, Category] = {}
    for category, spellings in _CATEGORY_WORDS.items():
        words[squash(category.value)] = category
        for word in spellings:
            words[squash(word)] = category
        for lang in LANGUAGES:
            words[squash(t(f"category.{category.value}", lang))] = category
    return words


KIND_WORDS = _kind_words()
CATEGORY_WORDS = _category_words()
_T = TypeVar("_T")


def _lookup(text: str, words: dict[str, _T]) -> _T | None:
    """Exact key first, then without a bracketed remark ("卵(時期未定)"), then the first word."""
    folded = fold(text)
    for candidate in (folded, _BRACKETED.sub("", folded), folded.split(" ", 1)[0]):
        found = words.get(_NOISE.sub("", candidate))
        if found is not None:
            return found
    return None


def parse_kind(text: str) -> Kind | None:
    """The kind a person meant, or None when it cannot be told (empty, unknown, or both emoji)."""
    has_egg, has_chick = "🥚" in text, "🐣" in text
    if has_egg != has_chick:
        return Kind.EGG if has_egg else Kind.CHICK
    if has_egg and has_chick:
        return None
    return _lookup(text, KIND_WORDS)


def parse_category(text: str) -> Category | None:
    """The category a person meant, or None when it cannot be told."""
    return _lookup(text, CATEGORY_WORDS)
