"""`hiyoko import` (cli/importing.py): bring the old signal sheet in, keeping its history.

Reads a .xlsx/.csv export or a Google Sheet; recognises the header in Japanese or English (or
takes `--map 'HEADER=field'`); reads each row's timestamp, people, kind, category and timing as
teams wrote them; and stores each readable row as a signal with its original creation time,
keyed by a fingerprint of the row, so running the same import again adds nothing. Rows it cannot
read are listed with their row number and every reason, never dropped.

Decisions (README, "Adopt hiyoko"):
- an empty kind is read from the timing (a timing: 🐣 chick, none: 🥚 egg) — that is the
  definition of the two; a kind nobody can read is refused;
- a 🐣 chick without a readable timing is refused (not turned into an egg): fix the cell and run
  the import again — only the fixed row is new;
- a timing in the past is fine (it is history); the modal's "no past timing" rule is not applied;
- an empty category is `other`; a category nobody can read is refused;
- the owner must be an active person (as in the modal); a submitter who has left still gets the
  credit; a row without an owner is routed as a share is (the account's rep, else the team's
  turn — store.routing), and refused only when nobody can take it;
- imported signals are open; the sheet, History, App Homes and the numbers show them; the
  channel sees them only with `--announce`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from i18n import LANGUAGES, t
from importing.people import NotResolved, People, Person
from importing.sources import SourceCell, SourceTable
from models.clock import SystemClock
from models.signal import Category, Kind, SignalDraft
from models.text import clean_text
from models.timing import Unreadable, parse_timestamp, parse_timing
from models.validation import validate_draft
from models.words import fold, parse_category, parse_kind, squash
from settings import Settings
from sheets.sync import header as own_header
from store import Database, NobodyToRoute, SignalStore
from store.db import is_up_to_date
from store.routing import RouteRequest, route_request_of

log = logging.getLogger(__name__)

FIELDS = ("created", "submitter", "customer", "kind", "category", "summary", "timing", "size", "source", "owner")
REQUIRED = ("customer", "summary", "submitter")  # an owner-less row (or sheet) is routed
HEADER_SCAN_ROWS = 10
KEY_PREFIX = "import:"


class Unimportable(Exception):
    """The source cannot be imported at all (no header, a bad --map, hiyoko's own sheet): one
    line for the operator."""


# Column titles teams use, best first: when two columns could be the same field, the better
# title wins (内容 over メモ), then the leftmost.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "created": ("タイムスタンプ", "timestamp", "作成日時", "投稿日時", "共有日時", "登録日時", "送信日時", "日時",
                "created", "created at", "submitted at", "shared at", "記入日", "投稿日", "共有日", "登録日", "日付",
                "date"),
    "submitter": ("投稿者", "共有者", "submitter", "shared by", "submitted by", "記入者", "報告者", "送信者",
                  "入力者", "作成者", "reporter", "reported by", "author", "cs担当", "担当cs", "csm",
                  "メールアドレス", "email address", "e-mail", "email"),
    "customer": ("顧客名", "会社名", "customer", "customer name", "company", "company name", "account name",
                 "顧客", "企業名", "取引先", "取引先名", "お客様", "お客様名", "アカウント名", "account", "client"),
    "kind": ("種別", "kind", "卵/ひよこ", "卵orひよこ", "egg/chick", "egg or chick", "種類", "区分", "type"),
    "category": ("カテゴリ", "カテゴリー", "category", "アップセル種別", "アップセルの種類", "upsell type", "分類"),
    "summary": ("内容", "お客様の言葉", "summary", "what the customer said", "詳細", "内容詳細", "概要",
                "details", "description", "メモ", "コメント", "notes", "note", "comment"),
    "timing": ("時期", "想定時期", "timing", "expected timing", "導入時期", "予定時期", "見込み時期", "いつ頃",
               "when"),
    "size": ("規模", "規模の見込み", "size", "estimated size", "見込み規模", "席数", "ライセンス数", "金額",
             "seats", "amount"),
    "source": ("出典", "きっかけ", "きっかけ・出典", "source", "情報源", "link", "url", "slackリンク",
               "slack link"),
    "owner": ("担当", "担当者", "担当営業", "営業担当", "owner", "assignee", "sales rep", "営業",
              "account executive", "ae"),
}  # fmt: skip

# The modal's field labels and the synced sheet's column titles, in both languages, count too.
_CATALOG_LABELS = {
    "created": ("sheet.created",), "submitter": ("sheet.submitter", "field.submitter"),
    "customer": ("sheet.customer", "field.customer"), "kind": ("sheet.kind", "field.kind"),
    "category": ("sheet.category", "field.category"), "summary": ("sheet.summary", "field.summary"),
    "timing": ("sheet.timing", "field.timing"), "size": ("sheet.size", "field.size"),
    "source": ("sheet.source", "field.source"), "owner": ("sheet.owner", "field.owner"),
}  # fmt: skip


def _header_ranks() -> dict[str, tuple[str, int]]:
    ranks: dict[str, tuple[str, int]] = {}
    for name, words in HEADER_WORDS.items():
        for rank, word in enumerate(words):
            ranks.setdefault(squash(word), (name, rank))
    for name, keys in _CATALOG_LABELS.items():
        for key in keys:
            for lang in LANGUAGES:
                ranks.setdefault(squash(t(key, lang)), (name, len(HEADER_WORDS[name])))
    return ranks


HEADER_RANKS = _header_ranks()


def recognise(title: str) -> tuple[str, int] | None:
    """The field a column title names and how good a title it is (lower is better), or None."""
    folded = fold(title)
    for candidate in (folded, _without_brackets(folded)):
        found = HEADER_RANKS.get(squash(candidate))
        if found:
            return found
    return None


def _without_brackets(text: str) -> str:
    """ "種別(卵/ひよこ)" → "種別", "時期 *" → "時期"."""
    out, depth = [], 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif not depth:
            out.append(char)
    return "".join(out)


# --- reading rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    key: str
    params: dict[str, object] = field(default_factory=dict)

    def words(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Ready:
    row: int
    draft: SignalDraft
    submitter: Person
    owner: Person | None  # None: routed when stored
    created: datetime | None
    fingerprint: str
    cells: dict[str, str]  # what the preview shows


@dataclass(frozen=True)
class Refused:
    row: int
    reasons: list[Reason]
    cells: dict[str, str]


Outcome = Ready | Refused


def cell_text(cell: SourceCell) -> str:
    """A cell as text: trimmed; numbers without a needless `.0`; dates in ISO."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="minutes")
    if isinstance(cell, date):
        return cell.isoformat()
    return clean_text(str(cell))


def fingerprint(values: dict[str, str]) -> str:
    """sha256 of a row's normalised cells: NFKC, case-folded, spaces collapsed, dates and kinds as
    read. The same row exported to .xlsx, .csv or kept in Google Sheets has one fingerprint."""
    canonical = {name: " ".join(fold(value).split()) for name, value in values.items()}
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


class RowReader:
    """Turns one source row into a signal ready to store, or the reasons it cannot be one."""

    def __init__(self, columns: dict[str, int], people: People, settings: Settings, now: datetime) -> None:
        self.columns = columns
        self.people = people
        self.zone = settings.timezone
        self.lang = settings.hiyoko_language
        self.now = now

    def label(self, name: str) -> str:
        return t(f"import.field.{name}", self.lang)

    def read(self, number: int, cells: list[SourceCell]) -> Outcome:
        def raw(name: str) -> SourceCell:
            index = self.columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        text = {name: cell_text(raw(name)) for name in FIELDS}
        reasons: list[Reason] = []

        created = None
        try:
            created = parse_timestamp(raw("created"), self.zone)
        except Unreadable:
            reasons.append(Reason("import.reason.created_unreadable", {"value": text["created"]}))
        reference = (created or self.now).astimezone(self.zone).date()

        for name in ("customer", "summary"):
            if not text[name]:
                reasons.append(Reason("import.reason.missing", {"field": self.label(name)}))

        kind = parse_kind(text["kind"]) if text["kind"] else None
        if text["kind"] and kind is None:
            reasons.append(Reason("import.reason.kind_unknown", {"value": text["kind"]}))
        category = parse_category(text["category"]) if text["category"] else Category.OTHER
        if category is None:
            reasons.append(Reason("import.reason.category_unknown", {"value": text["category"]}))

        timing = None
        timing_read = True
        try:
            parsed = parse_timing(raw("timing"), reference)
            timing = parsed.day if parsed else None
        except Unreadable:
            timing_read = False
            reasons.append(Reason("import.reason.timing_unreadable", {"value": text["timing"]}))
        if kind is None and not text["kind"]:
            kind = Kind.CHICK if timing else Kind.EGG
        if kind is Kind.CHICK and timing is None and timing_read:
            reasons.append(Reason("import.reason.chick_needs_timing"))

        owner = self._person("owner", text["owner"], reasons) if text["owner"] else None
        submitter = self._person("submitter", text["submitter"], reasons)
        if owner is not None and owner.is_bot:
            reasons.append(Reason("import.reason.owner_bot", {"who": text["owner"]}))
        elif owner is not None and owner.deleted:
            reasons.append(Reason("import.reason.owner_deactivated", {"who": text["owner"]}))

        preview = {
            **text,
            "owner": owner.name if owner else (text["owner"] or t("routing.import.routed", self.lang)),
            "submitter": submitter.name if submitter else text["submitter"],
        }
        if kind is not None:
            preview["kind"] = f"{kind.emoji} {t(f'kind.{kind.value}.short', self.lang)}"
        if category is not None:
            preview["category"] = t(f"category.{category.value}", self.lang)
        # The preview shows what would be stored, and the cell as written where it cannot be read.
        preview["timing"] = timing.isoformat() if timing else ("" if timing_read else text["timing"])
        preview["created"] = created.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if created else text["created"]

        if reasons or kind is None or category is None or submitter is None:
            return Refused(number, reasons, preview)
        draft = SignalDraft(
            customer=text["customer"],
            kind=kind,
            category=category,
            summary=text["summary"],
            timing=timing,
            owner_id=owner.id if owner else "",
            size=text["size"],
            source=text["source"],
        )
        # The modal's limits apply; its "no past timing" does not (an imported row is history).
        for name, problem in validate_draft(draft, date.min).items():
            reasons.append(Reason("import.reason.too_long", {"field": self.label(name), **problem.params}))
        if reasons:
            return Refused(number, reasons, preview)
        key = fingerprint(
            {
                "created": created.astimezone(UTC).isoformat() if created else "",
                "customer": draft.customer,
                "kind": kind.value,
                "category": category.value,
                "summary": draft.summary,
                "timing": timing.isoformat() if timing else "",
                "size": draft.size,
                "source": draft.source,
                "submitter": text["submitter"],
                "owner": text["owner"],
            }
        )
        return Ready(number, draft, submitter, owner, created, key, preview)

    def _person(self, name: str, text: str, reasons: list[Reason]) -> Person | None:
        if not text:
            reasons.append(Reason("import.reason.missing", {"field": self.label(name)}))
            return None
        try:
            return self.people.resolve(text)
        except NotResolved as refusal:
            reasons.append(Reason(refusal.key, {"field": self.label(name), **refusal.params}))
            return None


# --- columns ------------------------------------------------------------------------------------


def parse_maps(maps: list[str], lang: str) -> dict[str, str]:
    """`--map 'HEADER=field'` → {header: field}; an empty field ignores that column."""
    wanted: dict[str, str] = {}
    for item in maps:
        title, sep, name = item.rpartition("=")
        name = name.strip().lower()
        if not sep or not title.strip() or (name and name not in FIELDS):
            raise Unimportable(t("import.error.bad_map", lang, value=item, fields=", ".join(FIELDS)))
        wanted[title.strip()] = name
    return wanted


def find_header(table: SourceTable, maps: dict[str, str], lang: str) -> tuple[int, list[str]]:
    """The header row (its index in table.rows) and its titles: the first of the top rows that
    names at least two fields, or any title given with --map."""
    for index, (_, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        titles = [cell_text(cell) for cell in cells]
        named = {found[0] for title in titles if title and (found := recognise(title))}
        if len(named) >= 2 or any(_title_index(titles, wanted) is not None for wanted in maps):
            return index, titles
    raise Unimportable(t("import.error.no_header", lang, source=table.description))


def _title_index(titles: list[str], wanted: str) -> int | None:
    for index, title in enumerate(titles):
        if title == wanted:
            return index
    for index, title in enumerate(titles):
        if fold(title) == fold(wanted):
            return index
    return None


def map_columns(titles: list[str], maps: dict[str, str], lang: str) -> dict[str, int]:
    """Which column holds each field: --map first, then the recognised titles."""
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for wanted, name in maps.items():
        index = _title_index(titles, wanted)
        if index is None:
            raise Unimportable(
                t(
                    "import.error.map_no_column",
                    lang,
                    header=wanted,
                    headers=", ".join(title for title in titles if title),
                )
            )
        taken.add(index)
        if name:
            columns[name] = index
    best: dict[str, tuple[int, int]] = {}
    for index, title in enumerate(titles):
        found = recognise(title) if title and index not in taken else None
        if found and found[0] not in columns:
            name, rank = found
            if name not in best or rank < best[name][0]:
                best[name] = (rank, index)
    columns.update({name: index for name, (_, index) in best.items()})
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise Unimportable(
            t(
                "import.error.missing_columns",
                lang,
                fields=", ".join(missing),
                headers=", ".join(title for title in titles if title),
            )
        )
    return columns


def is_own_sheet(titles: list[str]) -> bool:
    """hiyoko's own Signals tab (ID, kind, status, …): importing it would copy every signal."""
    return any(titles[:5] == own_header(lang)[:5] for lang in LANGUAGES)


# --- the plan and the run -----------------------------------------------------------------------


@dataclass
class Plan:
    description: str
    columns: dict[str, int]
    titles: list[str]
    outcomes: list[Outcome]
    blank: int
    route: RouteRequest | None = None  # how owner-less rows are routed


def plan_import(table: SourceTable, maps: dict[str, str], people: People, settings: Settings, now: datetime) -> Plan:
    lang = settings.hiyoko_language
    header_index, titles = find_header(table, maps, lang)
    if is_own_sheet(titles):
        raise Unimportable(t("import.error.own_sheet", lang, source=table.description))
    columns = map_columns(titles, maps, lang)
    reader = RowReader(columns, people, settings, now)
    outcomes: list[Outcome] = []
    blank = 0
    for number, cells in table.rows[header_index + 1 :]:
        if not any(cell_text(cell) for cell in cells):
            blank += 1
            continue
        outcomes.append(reader.read(number, cells))
    today = now.astimezone(settings.timezone).date()
    return Plan(table.description, columns, titles, outcomes, blank, route_request_of(settings, today))


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    if _display_width(text) <= width:
        return text + " " * (width - _display_width(text))
    out = ""
    for char in text:
        if _display_width(out + char) > width - 1:
            break
        out += char
    return out + "…" + " " * (width - 1 - _display_width(out))


PREVIEW_COLUMNS = (
    ("row", 5),
    ("result", 16),
    ("created", 16),
    ("kind", 10),
    ("customer", 24),
    ("category", 14),
    ("timing", 10),
    ("owner", 12),
    ("submitter", 12),
    ("summary", 30),
)


def preview_table(plan: Plan, results: dict[int, str], lang: str) -> list[str]:
    """The rows as they would be stored: one line each, columns fitted to a terminal."""
    lines = [" ".join(_fit(t(f"import.column.{name}", lang), width) for name, width in PREVIEW_COLUMNS).rstrip()]
    for outcome in plan.outcomes:
        values = {**outcome.cells, "row": str(outcome.row), "result": results[outcome.row]}
        lines.append(" ".join(_fit(values.get(name, ""), width) for name, width in PREVIEW_COLUMNS).rstrip())
    return lines


def store_rows(
    plan: Plan, already: set[str], store: SignalStore | None, lang: str, *, announce: bool
) -> tuple[dict[int, str], int]:
    """Each row's result for the report, and how many were imported. Each new readable row is
    submitted like a share, keyed by its fingerprint, with its original time; `announce=False`
    writes the sheet, History and App Homes but posts no card. Without a store (a dry run)
    nothing is written and a new row says it would be imported."""
    results: dict[int, str] = {}
    seen: dict[str, int] = {}
    imported = 0
    for outcome in plan.outcomes:
        if isinstance(outcome, Refused):
            results[outcome.row] = "❌ " + t("import.result.refused", lang)
            continue
        if outcome.fingerprint in already or outcome.fingerprint in seen:
            results[outcome.row] = t("import.result.already", lang)
            seen.setdefault(outcome.fingerprint, outcome.row)
            continue
        seen[outcome.fingerprint] = outcome.row
        if store is not None:
            try:
                stored = store.submit(
                    outcome.draft,
                    submitter_id=outcome.submitter.id,
                    submitter_name=outcome.submitter.name,
                    owner_name=outcome.owner.name if outcome.owner else "",
                    submission_key=KEY_PREFIX + outcome.fingerprint,
                    created_at=outcome.created,
                    announce=announce,
                    route=plan.route,
                )
            except NobodyToRoute:
                results[outcome.row] = "❌ " + t("routing.nobody", lang)
                seen.pop(outcome.fingerprint)
                continue
            if not stored.created:
                results[outcome.row] = t("import.result.already", lang)
                continue
            results[outcome.row] = f"✅ {stored.signal.id}"
        else:
            results[outcome.row] = "✅ " + t("import.result.new", lang)
        imported += 1
    return results, imported


def already_imported(db: Database, ready: list[Ready], *, dry_run: bool) -> set[str]:
    """Fingerprints stored by an earlier import. A dry run reads them only if the database exists
    and is migrated (it writes nothing, not even a migration)."""
    if dry_run:
        url = make_url(db.url)
        if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            return set()  # no database yet (and asking SQLite would create the file)
        try:
            if not is_up_to_date(db.engine):
                return set()
        except Exception:  # unreachable or empty: nothing is there
            return set()
    if not ready:
        return set()
    stored = SignalStore(db, SystemClock()).submission_keys_present(
        KEY_PREFIX + outcome.fingerprint for outcome in ready
    )
    return {key.removeprefix(KEY_PREFIX) for key in stored}


def print_report(
    plan: Plan, results: dict[int, str], imported: int, lang: str, *, dry_run: bool, announce: bool
) -> None:
    mapped = ", ".join(
        f"{plan.titles[index]} → {name}" for name, index in sorted(plan.columns.items(), key=lambda item: item[1])
    )
    print(t("import.source", lang, source=plan.description))
    print(t("import.columns", lang, columns=mapped))
    if dry_run:
        print(t("import.preview", lang))
        for line in preview_table(plan, results, lang):
            print(line)
    refused = [outcome for outcome in plan.outcomes if isinstance(outcome, Refused)]
    if refused:
        print(t("import.refused_title", lang, count=len(refused)))
        for outcome in refused:
            print(
                t(
                    "import.refused_row",
                    lang,
                    row=outcome.row,
                    reasons="; ".join(reason.words(lang) for reason in outcome.reasons),
                )
            )
        counts: dict[str, int] = {}
        for outcome in refused:
            first = outcome.reasons[0].key if outcome.reasons else "import.reason.missing"
            counts[first] = counts.get(first, 0) + 1
        print(
            t(
                "import.by_reason",
                lang,
                reasons=("、" if lang == "ja" else ", ").join(
                    f"{t(key.replace('import.reason.', 'import.reason_label.'), lang)} {count}"
                    for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
                ),
            )
        )
    if plan.blank:
        print(t("import.blank_rows", lang, count=plan.blank))
    if imported and not dry_run and not announce:
        print(t("import.not_announced", lang))
