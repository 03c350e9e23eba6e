"""Words of a message: Japanese through SudachiPy (its core dictionary is an installed package, so
nothing is downloaded), English by a small suffix-stripper. One analyser per process.

SudachiPy's normalized form is what makes 増やしたい/増やす, ＩＤ/ID, 足りなく/足りる one word.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

from sudachipy import Dictionary, SplitMode, Tokenizer


@dataclass(frozen=True, slots=True)
class Token:
    surface: str  # as written (NFKC)
    lemma: str  # normalised: 足りなく → 足りる, ＩＤ → ID, English lower-cased and stemmed
    pos: str  # Sudachi's first part of speech (名詞, 動詞, 助動詞, …); "en" for English words
    sub: str  # Sudachi's second part of speech (接続助詞, …); "" for English
    start: int  # offset in the analysed text
    end: int


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f々〆ヶ]")
_LETTERS = re.compile(r"[A-Za-z]")
_EN_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_local = threading.local()


@cache
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def _tokenizer() -> Tokenizer:
    # A Sudachi tokenizer is not safe to share between threads; the dictionary is (and is the big part).
    tokenizer: Tokenizer | None = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _dictionary().tokenizer(SplitMode.C, fields={"pos", "normalized_form"})
        _local.tokenizer = tokenizer
    return tokenizer


def is_japanese(text: str) -> bool:
    """Whether the text has any kana or kanji (then it is read as Japanese)."""
    return bool(_JAPANESE.search(text))


def language_of(text: str) -> str:
    """ "ja" or "en": Japanese unless English letters outnumber the kana and kanji two to one (an
    English message naming 山田さん is still English; "ID追加、next quarterくらいで" is Japanese)."""
    japanese = len(_JAPANESE.findall(text))
    english = len(_LETTERS.findall(text))
    return "ja" if japanese and japanese * 2 >= english else "en"


_EN_IRREGULAR = {
    "ran": "run", "running": "run", "runs": "run", "men": "man", "people": "person", "children": "child",
    "bought": "buy", "thought": "think", "went": "go", "gone": "go", "has": "have", "had": "have", "was": "be",
    "were": "be", "is": "be", "are": "be", "been": "be", "am": "be", "does": "do", "did": "do", "done": "do",
    "licences": "license", "licence": "license", "offices": "office", "seats": "seat", "sites": "site",
    "teams": "team", "users": "user", "branches": "branch", "plans": "plan", "added": "add", "adding": "add",
    "adds": "add", "expanding": "expand", "expanded": "expand", "expands": "expand", "expansion": "expand",
    "upgrading": "upgrade", "upgraded": "upgrade", "upgrades": "upgrade", "rolling": "roll", "rolled": "roll",
    "rollout": "rollout", "growing": "grow", "grew": "grow", "grown": "grow", "grows": "grow",
    "hiring": "hire", "hired": "hire", "hires": "hire", "needing": "need", "ids": "id", "pcs": "pc",
    "needed": "need", "needs": "need",
}  # fmt: skip


def en_lemma(word: str) -> str:
    """A crude English lemma: irregular forms, then -ies/-es/-s/-ing/-ed stripped."""
    word = word.replace("’", "'")
    if word in _EN_IRREGULAR:
        return _EN_IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        stem = word[:-3]
        return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls" else stem
    if len(word) > 4 and word.endswith("ed"):
        stem = word[:-2]
        return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls" else stem
    return word


def normalise(text: str) -> str:
    """NFKC and lower case: full-width ＩＤ → ID, ｶﾅ → カナ."""
    return unicodedata.normalize("NFKC", text).lower()


def analyse(text: str) -> list[Token]:
    """The tokens of an already normalised text: Sudachi for text with Japanese in it (English words
    inside it come back lower-cased), the English splitter otherwise."""
    if is_japanese(text):
        tokens = []
        for m in _tokenizer().tokenize(text):
            surface = m.surface()
            if not surface.strip():
                continue
            pos, sub = m.part_of_speech()[:2]
            lemma = m.normalized_form()
            if _EN_WORD.fullmatch(surface):
                lemma = en_lemma(surface)
            tokens.append(Token(surface, lemma, pos, sub, m.begin(), m.end()))
        return tokens
    return [
        Token(match.group(), en_lemma(match.group()), "en", "", match.start(), match.end())
        for match in _EN_WORD.finditer(text)
    ]


def lemmas(text: str) -> list[str]:
    """The normalised words of a raw text (for the team model's features)."""
    return [token.lemma for token in analyse(normalise(text)) if token.pos not in ("補助記号", "空白")]
