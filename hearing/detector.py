"""Is this customer-channel message an expansion hint? Rules over lemmas (ja and en), blended with
the team's own model when there is one. Pure: the same text, date and configuration, the same answer.

How a message is read: the speaker's own words (Slack markup and quoted lines out), NFKC and lower
case, cut into clauses (sentences, and at "けど"/"but"), each clause's lemma line searched for cues
(hearing.rules). A cue followed by a negation ("増やす予定はない") or preceded by one ("no plans to
add") does not count; one in the past ("追加しました") counts little. Then what the message is really
about weighs against it: removal, cancellation and downsell, billing, a bug report, the vendor's own
proposal, a how-to question about adding a user.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hearing import rules
from hearing.analyser import Token, analyse, language_of
from hearing.base import BaseModel, feature_names, shipped
from hearing.learning import TeamModel, features
from hearing.markup import speaker_text
from hearing.timing import HeardTiming, all_timings
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
BASE_VETO = 0.1  # below this the base model overrules a cue
BASE_SURE = 0.85  # from this the base model hears a hint no cue caught
MODEL_WEIGHT = 0.4  # the team model's share of the score once it has learned from MODEL_FULL examples
MODEL_FULL = 60
EVIDENCE_MAX = 60
# Only the start of a very long message is read (Slack allows 40,000 characters): hints are said
# in a sentence or two, and the cost of reading stays bounded.
READ_MAX = 2000


@dataclass(frozen=True)
class _Hit:
    name: str
    weight: float
    category: Category | None
    start: int  # offsets in the analysed text
    end: int
    clause: int
    stative: bool = False  # a state ("IDが足りない"): a how-to question beside it does not undo it


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    tokens: list[Token]


@dataclass(frozen=True)
class _Line:
    """A clause's tokens as " lemma lemma … " with where each token starts in that line."""

    text: str
    token_at: list[int]  # line offset → token index (-1 between tokens)

    def tokens_in(self, start: int, end: int) -> tuple[int, int]:
        inside = [i for i in self.token_at[start:end] if i >= 0]
        return (min(inside), max(inside)) if inside else (-1, -1)


def _line(words: Sequence[str]) -> _Line:
    text, token_at = [" "], [-1]
    for index, word in enumerate(words):
        text.append(word + " ")
        token_at.extend([index] * len(word) + [-1])
    return _Line("".join(text), token_at)


_NEEDS_SEAT_OBJECT = {"ja-more", "ja-add", "ja-short", "ja-will-grow"}
_SEAT_WORDS = re.compile(
    r"id|ユーザ|アカウント|ライセンス|席|枠|人数|利用者|メンバー|人|名|社員|スタッフ|従業員|作業員|職人|端末|台数|ログイン|シート|契約|要員|体制"
    r"|拠点|工場|現場|支店|部署|事業所|営業所|店舗|センター|倉庫"
)
# A clause that ends in the past ("…共有設定にしました"), with no wish or plan in it: already done.
_CLAUSE_DONE = re.compile(r" (?:た|まし た) (?:(?:です|ね|よ|けど|が|から|ので|の) )*$")
_INTENT_DONE = re.compile(
    r" (?:たい|予定|話|声|相談|検討|考える|っけ|け|か|決まる|予算|正式|前提|(?:こと|事) に 成る) "
)
_FROM = re.compile(r"\s*(?:プラン)?\s*(?:から|from\b)")
_ALREADY = re.compile(r"既に|すでに|済み|もう\s*(?:使|導入|契約)|使って(?:い)?ます|利用中|\balready\b")
_SEAT_WORDS_EN = re.compile(r" (?:seat|license|user|account|id|login|people|person|member|staff) ")


def _past_in(window: list[Token]) -> bool:
    """A past "た" among the tokens — not "たい" (a wish), "たら"/"たり" (if, or such)."""
    lemmas = [token.lemma for token in window]
    return "たい" not in lemmas and any(
        token.lemma == "た"
        and token.surface not in ("たら", "だら", "たり", "だり")
        and (index + 1 >= len(window) or window[index + 1].lemma not in ("ら", "り"))
        for index, token in enumerate(window)
    )


_EN_DONE = frozenset({"already", "last", "complete", "completed", "done", "finished", "went", "worked"})
_PAID = frozenset({"ja-paid", "en-paid"})
# Said before a cue: it happened already ("先月10名分追加して").
_JA_BEFORE_DONE = frozenset(
    {"先月", "先週", "去年", "昨年", "以前", "前回", "先日", "この間", "前年", "昨年度", "昨日"}
)
_THANKS = re.compile(r" (?:有り難う|ありがとう|感謝|助かる) ")
_OBJECT_PARTICLES = {"を", "が", "は", "も", "の", "って", "とか", "など"}
_SENTENCE_END = re.compile(r"[。!?！？\n]+|\.(?:\s|$)|;")
_EN_BUT = {"but", "however", "although", "though", "except"}
_JA_BUT = {"けど", "けれど", "けれども", "が", "のに", "ものの", "但し", "ただし"}


def _clauses(text: str, tokens: list[Token]) -> list[_Clause]:
    clauses: list[_Clause] = []
    current: list[Token] = []
    start = 0
    ends = {match.end() for match in _SENTENCE_END.finditer(text)}
    cut_points = sorted(ends)
    cut_index = 0
    for token in tokens:
        while cut_index < len(cut_points) and cut_points[cut_index] <= token.start:
            if current:
                clauses.append(_Clause(start, current[-1].end, current))
                current = []
            cut_index += 1
        if not current:
            start = token.start
        if token.pos in ("補助記号", "空白"):
            continue
        if token.lemma in _EN_BUT and token.pos == "en" and current:
            clauses.append(_Clause(start, current[-1].end, current))
            current, start = [], token.end
            continue
        current.append(token)
        if token.lemma in _JA_BUT and token.sub == "接続助詞":
            clauses.append(_Clause(start, token.end, current))
            current = []
    if current:
        clauses.append(_Clause(start, current[-1].end, current))
    return clauses


def _name_pattern(name: str) -> re.Pattern[str]:
    folded = re.escape(unicodedata.normalize("NFKC", name).lower())
    if name.isascii():
        return re.compile(rf"(?<![a-z0-9]){folded}(?![a-z0-9])")
    # Katakana names must not be part of a longer word (プロ is not プロジェクト).
    return re.compile(rf"(?<![ァ-ヶー]){folded}(?!(?!プラン)[ァ-ヶー])")


def base_blend(rules_score: float, base_probability: float) -> float:
    """The rules' score with the base model as a second opinion: the rules decide, unless the model
    is sure they are wrong — a cue the rest of the message does not support (a veto), or a hint
    said in words no cue knows. (Measured on the dev set the rules had never seen: averaging the
    two lost recall; this gained precision and kept recall — bench/train_base_model.py.)"""
    if rules_score >= THRESHOLD and base_probability < BASE_VETO:
        return base_probability
    if rules_score < THRESHOLD and base_probability >= BASE_SURE:
        return base_probability
    return rules_score


@dataclass(frozen=True)
class Signals:
    """What the rules made of a message: the base model's features and the rules' own score."""

    names: list[str]
    rules_score: float


class Detector:
    """Built once per configuration (HIYOKO_PRODUCTS, HIYOKO_PLANS, the team's model); `hear` is cheap.
    The base model shipped with the package is blended in unless `rules_only` (or a `base` is given)."""

    def __init__(
        self,
        products: Sequence[Offering] = (),
        plans: Sequence[Offering] = (),
        model: TeamModel | None = None,
        *,
        base: BaseModel | None = None,
        rules_only: bool = False,
    ) -> None:
        self.products = tuple(products)
        self.plans = tuple(plans)
        self.model = model
        self.rules_only = rules_only
        self.base = None if rules_only else (base or shipped())
        self._product_names = [
            (index, _name_pattern(name)) for index, offering in enumerate(self.products) for name in offering.names
        ]
        self._product_words = [
            unicodedata.normalize("NFKC", name).lower() for offering in self.products for name in offering.names
        ]
        self._plan_names = [
            (index, _name_pattern(name)) for index, offering in enumerate(self.plans) for name in offering.names
        ]

    def with_model(self, model: TeamModel | None) -> Detector:
        """The same detector with the team's (newer) model."""
        return Detector(self.products, self.plans, model, base=self.base, rules_only=self.rules_only)

    # --- what the customer has -------------------------------------------------------------
    def _owned_products(self, owned: Owned | None) -> set[int]:
        if owned is None or not owned.products:
            return {0} if self.products else set()
        have = set()
        for name in owned.products:
            for index, pattern in self._product_names:
                if pattern.search(unicodedata.normalize("NFKC", name).lower()):
                    have.add(index)
        return have or {0}

    def _owned_plan(self, owned: Owned | None) -> int:
        if owned is None or not owned.plan:
            return 0
        text = unicodedata.normalize("NFKC", owned.plan).lower()
        ranks = [index for index, pattern in self._plan_names if pattern.search(text)]
        return max(ranks) if ranks else 0

    # --- hearing -----------------------------------------------------------------------------
    def hear(self, text: str, on: date, owned: Owned | None = None) -> Heard:
        """What one message (raw Slack text) says, read against the day it was written."""
        display = unicodedata.normalize("NFKC", speaker_text(text[: READ_MAX * 4]))[:READ_MAX]
        low = display.lower()
        if len(low) != len(display):  # a rare letter whose lower case is longer: show it lower-cased
            display = low
        language = language_of(low)
        japanese = language == "ja"
        if not low.strip():
            return Heard(False, None, None, None, 0.0, "", language)
        clauses = _clauses(low, analyse(low))
        hits = self._cue_hits(clauses, japanese)
        hits += self._named_hits(low, clauses, japanese, owned)
        rules_score, best, category = self._judge(clauses, hits, japanese)
        score = rules_score
        if self.base is not None:
            score = base_blend(rules_score, self.base.probability(self._names(low, clauses, hits, japanese)))
        if self.model is not None:
            share = MODEL_WEIGHT * min(1.0, self.model.examples / MODEL_FULL)
            score = (1 - share) * rules_score + share * self.model.probability(features(text))
        if score < THRESHOLD:
            return Heard(False, None, None, None, score, "", language)
        timing = self._timing(low, on, clauses, hits, best)
        evidence = self._evidence(display, clauses, best) if best else display[:EVIDENCE_MAX]
        return Heard(
            True,
            Kind.CHICK if timing else Kind.EGG,
            category or Category.OTHER,
            timing.month if timing else None,
            score,
            evidence,
            language,
        )

    def signals(self, text: str, owned: Owned | None = None) -> Signals:
        """The base model's features of a message and the rules' score (what training reads)."""
        low = unicodedata.normalize("NFKC", speaker_text(text[: READ_MAX * 4]))[:READ_MAX].lower()
        japanese = language_of(low) == "ja"
        clauses = _clauses(low, analyse(low))
        hits = self._cue_hits(clauses, japanese)
        hits += self._named_hits(low, clauses, japanese, owned)
        rules_score = self._judge(clauses, hits, japanese)[0]
        return Signals(self._names(low, clauses, hits, japanese), rules_score)

    @staticmethod
    def _timing(low: str, on: date, clauses: list[_Clause], hits: list[_Hit], best: _Hit | None) -> HeardTiming | None:
        """The time said nearest the cue, in a clause next to one that gave the hint away (a long
        message's "I'm out next week" three sentences later is not the expansion's timing)."""
        near_hits = {hit.clause for hit in hits}
        candidates = []
        for timing, own in all_timings(low, on):
            if not own:
                continue
            number = next((n for n, c in enumerate(clauses) if c.start <= timing.start < c.end + 1), None)
            if number is None:
                number = next((n for n, c in enumerate(clauses) if c.start > timing.start), len(clauses) - 1)
            if best is None or any(abs(number - h) <= 1 for h in near_hits):
                distance = abs(timing.start - best.start) if best else 0
                candidates.append((distance, timing.start, timing))
        return min(candidates)[2] if candidates else None

    def _cue_hits(self, clauses: list[_Clause], japanese: bool) -> list[_Hit]:
        hits: list[_Hit] = []
        cues = rules.JA_CUES if japanese else rules.EN_CUES
        for number, clause in enumerate(clauses):
            lines = [_line([t.lemma for t in clause.tokens])]
            if not japanese:
                lines.append(_line([t.surface for t in clause.tokens]))
            seen: set[tuple[str, int]] = set()
            for line in lines:
                for cue in cues:
                    for match in cue.pattern.finditer(line.text):
                        first, last = line.tokens_in(match.start(), match.end())
                        if first < 0 or (cue.name, first) in seen:
                            continue
                        seen.add((cue.name, first))
                        weight = self._modified(cue, clause.tokens, first, last, japanese)
                        if japanese and cue.name in _NEEDS_SEAT_OBJECT and not self._seat_object(clause.tokens, first):
                            weight = 0.0
                        if weight > 0:
                            tokens = clause.tokens
                            hits.append(
                                _Hit(
                                    cue.name,
                                    weight,
                                    cue.category,
                                    tokens[first].start,
                                    tokens[last].end,
                                    number,
                                    cue.stative,
                                )
                            )
        return hits

    def _seat_object(self, tokens: list[Token], first: int) -> bool:
        """Whether what is increased or lacking is seats (ID, users, licences, people, a product),
        or unnamed — not checklist items, photos or CSV columns."""
        index = first - 1
        while index >= 0 and (tokens[index].pos in ("接尾辞", "副詞", "連体詞") or tokens[index].lemma.isdigit()):
            index -= 1
        if index >= 0 and tokens[index].pos == "助詞":
            if tokens[index].lemma not in _OBJECT_PARTICLES:
                return True  # "定例で増員": what comes before is not what is increased
            index -= 1
        nouns = []
        while index >= 0 and tokens[index].pos in ("名詞", "接頭辞") and not tokens[index].lemma.isdigit():
            nouns.append(tokens[index].lemma)
            index -= 1
        if not nouns:
            return True
        compound = "".join(reversed(nouns))
        return bool(_SEAT_WORDS.search(compound)) or any(name in compound for name in self._product_words)

    @staticmethod
    def _modified(
        cue: rules.Cue, tokens: list[Token], first: int, last: int, japanese: bool, window_size: int = 5
    ) -> float:
        """The cue's weight given what surrounds it: 0 when negated, little when already done."""
        if japanese:
            after = " " + " ".join(t.lemma for t in tokens[last + 1 :]) + " "
            if rules.JA_STRONG_NEG.search(after):
                return 0.0
            # "有償でも構いません": the cue itself says "it does not matter", no refusal follows
            negations = () if tokens[last].lemma == "構う" else rules.JA_NEGATION.finditer(after)
            for negation in negations:
                if rules.JA_NEG_SKIP.match(after[negation.end() - 1 :]):
                    continue
                if rules.JA_NEG_NOT_AFTER.search(after[: negation.start()]):
                    continue
                return 0.0
            if cue.name in rules.JA_THING_CUES:
                # "チェックリストを他の工場にも展開": what is spread is not the product
                carried = " " + " ".join(t.lemma for t in tokens[max(0, first - 4) : first]) + " "
                if rules.JA_THING.search(carried):
                    return 0.0
            window = after.split(" ")[1:window_size]
            asked_back = {"っけ", "け"} & set(after.split(" ")[1 : window_size + 2])  # "…でしたっけ?"
            if not cue.stative and _JA_BEFORE_DONE & {t.lemma for t in tokens[:first]}:
                return cue.weight * 0.4
            done = _past_in(tokens[last + 1 : last + window_size]) and not asked_back
            done = done or (_CLAUSE_DONE.search(after) is not None and not _INTENT_DONE.search(after))
            thanked = ("頂く" in window or "貰う" in window) and _THANKS.search(after) is not None
            if not cue.stative and (done or thanked):
                return cue.weight * 0.4
            return cue.weight
        if cue.name in rules.EN_THING_CUES:
            # "roll out the new checklist template (to all sites)": what goes out is not the product
            inside = " " + " ".join(t.lemma for t in tokens[first : last + 1]) + " "
            near = " " + " ".join(t.lemma for t in tokens[max(0, first - 4) : last + 5]) + " "
            if rules.EN_THING.search(near) and not _SEAT_WORDS_EN.search(inside):
                return 0.0
        before = [t.surface for t in tokens[max(0, first - 6) : first]]
        clause_line = " " + " ".join(t.lemma for t in tokens) + " "
        if any(word in rules.EN_NEGATION for word in before) or rules.EN_NO_NEED.search(clause_line):
            return 0.0
        following = [t.surface for t in tokens[last + 1 : last + 3]]
        if " so far " in " " + " ".join(following + [t.surface for t in tokens[last + 3 : last + 4]]) + " ":
            return cue.weight * 0.4
        if any(word in _EN_DONE for word in before + following) and not (
            cue.stative and not {"last", "so"} & set(before + following)
        ):
            return cue.weight * 0.4  # "already added", "last month", "upgrade complete", "the rollout so far"
        said = tokens[first]
        past = said.surface.endswith("ed") and said.lemma != said.surface
        if not cue.stative and past and not {"need", "want", "have", "to"} & set(before[-2:]):
            return cue.weight * 0.4  # "we upgraded our phones": done, not wished
        return cue.weight

    def _named_hits(self, low: str, clauses: list[_Clause], japanese: bool, owned: Owned | None) -> list[_Hit]:
        """Another of the team's products, a higher plan, a top-plan feature, named with interest."""
        hits: list[_Hit] = []
        interest = rules.JA_INTEREST if japanese else rules.EN_INTEREST
        have = self._owned_products(owned)
        plan_now = self._owned_plan(owned)
        named = rules.Cue("named", rules.PLAN_FEATURES, 0.7)
        for number, clause in enumerate(clauses):
            text = low[clause.start : clause.end]
            around = low[clauses[max(0, number - 1)].start : clauses[min(len(clauses) - 1, number + 1)].end]
            offset = clauses[max(0, number - 1)].start
            found: list[tuple[str, float, Category, re.Match[str]]] = []
            for index, pattern in self._product_names:
                match = pattern.search(text)
                if match and index not in have:
                    found.append(("product", 0.7, Category.CROSS_SELL, match))
            # "プロからスタンダードへ": the plan said with から is the one they have
            now_here = max(
                [plan_now]
                + [
                    index
                    for index, pattern in self._plan_names
                    if (m := pattern.search(text)) and _FROM.match(text, m.end())
                ]
            )
            for index, pattern in self._plan_names:
                match = pattern.search(text)
                if match and index > now_here and not _FROM.match(text, match.end()):
                    found.append(("plan-name", 0.7, Category.PLAN, match))
            if self.plans and plan_now < len(self.plans) - 1:
                match = rules.PLAN_FEATURES.search(text)
                if match:
                    found.append(("plan-feature", 0.6, Category.PLAN, match))
            for name, weight, category, match in found:
                start, end = clause.start + match.start(), clause.start + match.end()
                # the interest must be said besides the name ("API連携" is no interest in API連携),
                # and not about something they already have
                if not interest.search(around[: start - offset] + " " + around[end - offset :]) or _ALREADY.search(
                    around
                ):
                    continue
                inside = [i for i, token in enumerate(clause.tokens) if token.end > start and token.start < end]
                if inside:
                    # the past only when it follows the name closely ("プロに上げた"), not "SSO対応が必須になった"
                    modified = self._modified(named, clause.tokens, inside[0], inside[-1], japanese, window_size=5)
                    weight *= modified / named.weight
                if weight > 0:
                    hits.append(_Hit(name, weight, category, start, end, number))
        return hits

    def _judge(
        self, clauses: list[_Clause], hits: list[_Hit], japanese: bool
    ) -> tuple[float, _Hit | None, Category | None]:
        """The rules' score (the strongest cue, more cues, an intention; what the message is really
        about weighs against it), the cue that gave it away, and the category."""
        if not hits:
            return 0.05, None, None
        best = max(hits, key=lambda hit: hit.weight)
        score = best.weight
        score += 0.08 * min(2, len({hit.name for hit in hits}) - 1)
        intent = rules.JA_INTENT if japanese else rules.EN_INTENT
        lines = [" " + " ".join(t.lemma for t in clause.tokens) + " " for clause in clauses]
        if not japanese:
            lines = [
                line + " ".join(t.surface for t in clause.tokens) + " "
                for line, clause in zip(lines, clauses, strict=True)
            ]
        if intent.search(lines[best.clause]):
            score += 0.1
        for name, pattern, penalty in rules.JA_AGAINST if japanese else rules.EN_AGAINST:
            where = [number for number, line in enumerate(lines) if pattern.search(line)]
            if not where:
                continue
            if name == "howto":
                # "枠を広げる方法を教えて" still says they are full; "ユーザーの追加方法" is only a question
                if not best.stative:
                    score -= 0.4 if best.clause in where else 0.3
                continue
            if name == "billing" and best.name in _PAID:
                continue  # "費用はお支払いします" is a wish to pay, not a billing question
            score -= penalty if best.clause in where or name == "dismiss" else penalty / 2
        category = Category.OTHER if best.category is Category.OTHER else self._category(hits)
        return max(0.0, min(1.0, score)), best, category

    @staticmethod
    def _category(hits: list[_Hit]) -> Category | None:
        named = {hit.category for hit in hits}
        for category in (Category.CROSS_SELL, Category.PLAN, Category.SEATS):
            if category in named:
                return category
        return None

    @staticmethod
    def _evidence(display: str, clauses: list[_Clause], best: _Hit) -> str:
        clause = clauses[best.clause]
        start, end = clause.start, clause.end
        if end - start > EVIDENCE_MAX:
            start = max(start, best.start - 20)
            end = min(end, max(best.end + 20, start + 30))
        return display[start:end].strip(" 、,")

    def _names(self, low: str, clauses: list[_Clause], hits: list[_Hit], japanese: bool) -> list[str]:
        """The base model's features: lemmas, lemma pairs, the cues heard and what weighs against them.
        The team's product and plan names are configuration, not words: they read as "<product>" and
        "<plan>" (the model learns "interest in a product", never a dataset's product names)."""
        named = [
            (match.start(), match.end(), tag)
            for tag, patterns in (("<product>", self._product_names), ("<plan>", self._plan_names))
            for _, pattern in patterns
            for match in pattern.finditer(low)
        ]
        lemmas: list[str] = []
        for clause in clauses:
            for token in clause.tokens:
                tag = next((tag for start, end, tag in named if token.start < end and token.end > start), None)
                if tag is None:
                    lemmas.append(token.lemma)
                elif not lemmas or lemmas[-1] != tag:
                    lemmas.append(tag)
        return _feature_names(lemmas, clauses, hits, japanese)


def _feature_names(lemmas: list[str], clauses: list[_Clause], hits: list[_Hit], japanese: bool) -> list[str]:
    lines = [" " + " ".join(t.lemma for t in clause.tokens) + " " for clause in clauses]
    against = {
        name
        for name, pattern, _ in (rules.JA_AGAINST if japanese else rules.EN_AGAINST)
        if any(pattern.search(line) for line in lines)
    }
    return feature_names(lemmas, {hit.name for hit in hits}, against)
