"""The Accounts tab read into accounts: a header row, then one row per customer. Pure.

Columns are recognised by their titles in Japanese or English, whatever their case or width:
`Customer`/`顧客名` (required), `AE`, `CSales`/`カスタマーセールス`, `CSM`, `Channel`/`チャンネル`,
`Aliases`/`別名`, `CRM ID`, `Products`/`製品`, `Plan`/`プラン`; any other column is the team's own
and is left alone. A person cell is a Slack user id, an e-mail address or a display (or real)
name, resolved through `People`.

A row with a problem in one cell is still used without that cell (a CSM nobody can find leaves the
AE in place); a row without a customer, or whose customer another row already names, is not used.
Every problem names its row as the sheet shows it, the column, the value, and the fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from i18n import t
from models.customers import normalize_customer
from models.routing import Account

# What each column is called; a header cell matches after NFKC, casefold and without spaces,
# underscores or hyphens ("crm_id", "ＣＲＭ ＩＤ" and "CRM ID" are one column).
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("Customer", "顧客名"),
    "ae": ("AE",),
    "csales": ("CSales", "カスタマーセールス"),
    "csm": ("CSM",),
    "channel": ("Channel", "チャンネル"),
    "aliases": ("Aliases", "別名"),
    "crm_id": ("CRM ID",),
    # What the customer already has (issue 13: hearing tells a higher plan or another product).
    "products": ("Products", "製品"),
    "plan": ("Plan", "プラン"),
}
PERSON_COLUMNS = ("ae", "csales", "csm")
MAX_NAME = 200  # a customer or alias longer than this is a paste gone wrong (keys are 300 wide)

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,30}")
_CHANNEL_LINK = re.compile(
    r"<#([CG][A-Z0-9]{2,30})(?:\|[^>]*)?>|https://[^/\s]+\.slack\.com/archives/([CG][A-Z0-9]{2,30})/?"
)
_ALIAS_SEPARATORS = re.compile(r"[,、，\n]")
# "Sample Co., Ltd." holds a comma that separates no aliases: a part that is only a legal form
# goes back onto the alias before it.
_LEGAL_FORM_ONLY = re.compile(r"\s*(?:inc|ltd|llc|l\.l\.c|co|corp|limited|k\.k|gmbh)\.?\s*", re.IGNORECASE)
_SEVERAL = re.compile(r"[,、，;\n]")


def header_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text).casefold())


_BY_TITLE = {header_key(title): column for column, titles in COLUMNS.items() for title in titles}


def person_key(text: str) -> str:
    """A display or real name as compared: NFKC, casefold, no spaces, no leading @."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold()).lstrip("@")


def cell_text(value: object) -> str:
    """A cell as text: Google gives text already; .xlsx numbers and dates are spelled out."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


class Person(Protocol):
    """A user as the directory knows them."""

    @property
    def id(self) -> str: ...
    @property
    def is_bot(self) -> bool: ...
    @property
    def deleted(self) -> bool: ...


class People(Protocol):
    """The user directory, as the reading needs it."""

    def by_id(self, user_id: str) -> Person | None: ...
    def by_email(self, email: str) -> Sequence[Person]: ...  # case-insensitive
    def by_name(self, name: str) -> Sequence[Person]: ...  # display or real name, as person_key


@dataclass(frozen=True)
class AccountRecord:
    """A usable row: where it is, the account, and the customer's other spellings."""

    row_number: int
    account: Account
    aliases: list[str] = field(default_factory=list)
    products: tuple[str, ...] = ()  # `Products`/`製品`, as written
    plan: str = ""  # `Plan`/`プラン`, as written

    @property
    def keys(self) -> list[str]:
        """Every normalised spelling: the customer's first, then each alias's."""
        names = [self.account.customer, *self.aliases]
        return list(dict.fromkeys(key for key in (normalize_customer(n) for n in names) if key))


@dataclass(frozen=True)
class AccountProblem:
    """Why (part of) a row cannot be used. Worded by `accounts.problem.<kind>` and fixed as
    `accounts.fix.<kind>` says; `params` fill both."""

    row: int
    column: str  # the header as written; "" for the whole row
    value: str
    kind: str
    params: dict[str, str] = field(default_factory=dict)

    def problem(self, lang: str) -> str:
        return t(f"accounts.problem.{self.kind}", lang, value=self.value, column=self.column, **self.params)

    def fix(self, lang: str) -> str:
        return t(f"accounts.fix.{self.kind}", lang, value=self.value, column=self.column, **self.params)

    def render(self, lang: str) -> str:
        """`row 5 · AE "tanaka": …` and under it `   → the fix`."""
        where = t("accounts.where.row", lang, row=self.row)
        if self.column:
            where = t("accounts.where.cell", lang, row=self.row, column=self.column, value=self.value)
        return f"{where}: {self.problem(lang)}\n   → {self.fix(lang)}"


@dataclass(frozen=True)
class AccountsReading:
    records: list[AccountRecord]
    problems: list[AccountProblem]
    rows: int  # rows read under the header, blank ones left out
    header_ok: bool = True  # False: the tab has rows but no header with a Customer column
    titles: dict[str, str] = field(default_factory=dict)  # column → its header as written

    @property
    def bad_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.problems})


def find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int], list[AccountProblem]] | None:
    """The header: the first row with anything in it, as (index in rows, column → index,
    problems); None when that row has no Customer column (or the tab is empty: see `rows`)."""
    for index, cells in enumerate(rows):
        texts = [cell_text(cell) for cell in cells]
        if not any(texts):
            continue
        columns: dict[str, int] = {}
        problems = []
        for position, text in enumerate(texts):
            column = _BY_TITLE.get(header_key(text)) if text else None
            if column is None:
                continue
            if column in columns:
                first = texts[columns[column]]
                problems.append(AccountProblem(index + 1, text, text, "duplicate_column", {"first": first or column}))
                continue
            columns[column] = position
        if "customer" not in columns:
            return None
        return index, columns, problems
    return None


def read_accounts(rows: Sequence[Sequence[object]], people: People, first_row: int = 1) -> AccountsReading:
    """Every row of the tab (row 1 first, numbered from `first_row`) into accounts and problems."""
    rows = [list(cells) for cells in rows]
    while rows and not any(cell_text(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        return AccountsReading([], [], 0)
    found = find_header(rows)
    if found is None:
        first = next(i for i, cells in enumerate(rows) if any(cell_text(c) for c in cells))
        value = " | ".join(cell_text(c) for c in rows[first] if cell_text(c))
        missing = AccountProblem(first + first_row, "", value, "no_header")
        return AccountsReading([], [missing], len(rows) - first - 1, header_ok=False)
    header_index, columns, problems = found
    header = [cell_text(cell) for cell in rows[header_index]]
    title = {column: header[position] for column, position in columns.items()}
    claimed: dict[str, int] = {}  # every key (name or alias) → the row that has it
    channels: dict[str, int] = {}
    records: list[AccountRecord] = []
    count = 0

    def report(number: int, column: str, value: str, kind: str, /, **params: object) -> None:
        problems.append(
            AccountProblem(number, title.get(column, ""), value, kind, {k: str(v) for k, v in params.items()})
        )

    for index in range(header_index + 1, len(rows)):
        cells = [cell_text(cell) for cell in rows[index]]
        if not any(cells):
            continue
        count += 1
        number = index + first_row

        def cell(column: str, cells: list[str] = cells) -> str:
            position = columns.get(column)
            return cells[position] if position is not None and position < len(cells) else ""

        customer = cell("customer")
        if not customer:
            report(number, "customer", "", "missing_customer")
            continue
        if len(customer) > MAX_NAME:
            report(number, "customer", customer[:40] + "…", "too_long", limit=MAX_NAME)
            continue
        key = normalize_customer(customer)
        if key in claimed:
            report(number, "customer", customer, "duplicate_customer", first=claimed[key])
            continue
        claimed[key] = number
        aliases: list[str] = []
        for alias in split_aliases(cell("aliases")):
            alias_key = normalize_customer(alias)
            if len(alias) > MAX_NAME:
                report(number, "aliases", alias[:40] + "…", "too_long", limit=MAX_NAME)
            elif claimed.get(alias_key, number) != number:
                report(number, "aliases", alias, "alias_taken", first=claimed[alias_key])
            else:
                if alias_key not in claimed:
                    aliases.append(alias)
                claimed[alias_key] = number
        people_ids: dict[str, str | None] = {}
        for column in PERSON_COLUMNS:
            value = cell(column)
            user_id, kind, params = resolve_person(value, people) if value else (None, None, {})
            if kind is not None:
                report(number, column, value, kind, **params)
            people_ids[column] = user_id
        channel: str | None = None
        written = cell("channel")
        if written:
            channel = channel_id(written)
            if channel is None:
                report(number, "channel", written, "bad_channel")
            elif channel in channels:
                report(number, "channel", written, "channel_taken", first=channels[channel])
                channel = None
            else:
                channels[channel] = number
        account = Account(
            customer=customer,
            ae=people_ids["ae"],
            csales=people_ids["csales"],
            csm=people_ids["csm"],
            channel=channel,
            crm_id=cell("crm_id"),
        )
        products, plan = split_products(cell("products")), cell("plan")[:MAX_NAME]
        records.append(AccountRecord(number, account, aliases, products, plan))
    return AccountsReading(records, problems, count, titles=title)


def split_aliases(text: str) -> list[str]:
    """`A社, Ａ、Sample Co., Ltd.` → ["A社", "Ａ", "Sample Co., Ltd."]."""
    parts: list[str] = []
    for part in _ALIAS_SEPARATORS.split(text):
        if parts and _LEGAL_FORM_ONLY.fullmatch(part):
            parts[-1] = f"{parts[-1]},{part}"
        elif part.strip():
            parts.append(part)
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def split_products(text: str) -> tuple[str, ...]:
    """`ゲンバチェック、GenbaCam, ゲンバ勤怠` → each product once, as written."""
    return tuple(dict.fromkeys(p.strip()[:MAX_NAME] for p in re.split(r"[,、，;\n]", text) if p.strip()))


def channel_id(text: str) -> str | None:
    """A channel id as written (C…/G…), as a mention <#C…> or as a link …/archives/C…; else None."""
    text = text.strip()
    if _CHANNEL_ID.fullmatch(text):
        return text
    link = _CHANNEL_LINK.fullmatch(text)
    return (link[1] or link[2]) if link else None


def resolve_person(text: str, people: People) -> tuple[str | None, str | None, dict[str, object]]:
    """(user id, problem kind, params): the id when the cell names one usable person."""
    text = text.strip()
    if _SEVERAL.search(text):
        return None, "several_people", {}
    mention = _MENTION.fullmatch(text)
    if mention or _USER_ID.fullmatch(text):
        user_id = mention[1] if mention else text
        found = people.by_id(user_id)
        if found is not None:
            return _usable(found)
        if mention:
            return None, "unknown_id", {}
        candidates = list(people.by_name(text))  # a display name that looks like an id
        if not candidates:
            return None, "unknown_id", {}
    elif _EMAIL.fullmatch(text):
        candidates = list(people.by_email(text))
        if not candidates:
            return None, "unknown_email", {}
    else:
        candidates = list(people.by_name(text))
        if not candidates:
            return None, "unknown_name", {}
    active = [p for p in candidates if not p.is_bot and not p.deleted]
    if len(active) > 1:
        return None, "ambiguous_person", {"ids": ", ".join(sorted(p.id for p in active))}
    return _usable(active[0] if active else candidates[0])


def _usable(person: Person) -> tuple[str | None, str | None, dict[str, object]]:
    if person.deleted:
        return None, "deactivated_person", {"id": person.id}
    if person.is_bot:
        return None, "bot_person", {"id": person.id}
    return person.id, None, {}
