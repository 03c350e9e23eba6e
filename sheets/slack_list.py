"""The Slack List gateway: a third table beside the Google Sheet and the .xlsx.

One item per signal, upserted by the signal's ID (store/list_items.py remembers which item). The
bot's columns are written on every change; `Comment` is the people's and only read back, and a
`Status` a person changed is read back as a proposal (store/readback.py decides what it means).

Wire format (docs.slack.dev, slackLists.*): cells are written by column id with one typed key —
text columns take `rich_text` blocks, selects `select: [value]`, users `user: [ids]`, dates
`date: ["YYYY-MM-DD"]`. The column ids are read once from the list itself (`items.list` with
`include_list`). The docs do not say how a cell is cleared; we send an empty array, the narrowest
reading of "an array of values".

Calls: a new signal costs one `items.create`, each change one `items.update` (all cells at once);
a retry after a create whose answer was lost first looks the ID up with `items.list`. The
read-back costs one `items.list` per 100 items per poll.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from i18n import t
from models.signal import SignalRecord, Status, parse_signal_id
from store.list_items import PENDING, ListItemStore
from store.readback import ObservedRow, ReadbackStore

JsonDict = dict[str, Any]

# The bot's columns (key → type), left to right; "id" is the primary column. Then the people's.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "text"),
    ("customer", "text"),
    ("kind", "text"),
    ("category", "text"),
    ("status", "select"),
    ("owner", "user"),
    ("timing", "date"),
    ("summary", "text"),
    ("size", "text"),
    ("source", "text"),
    ("link", "text"),
)
COMMENT = "comment"
COMMENT_HEADER = "Comment"  # the people's column as the read-back names it
PAGE = 100


def schema(lang: str) -> list[JsonDict]:
    """The columns `hiyoko lists create` makes."""
    columns: list[JsonDict] = []
    for key, kind in COLUMNS:
        column: JsonDict = {"key": key, "name": "ID" if key == "id" else t(f"sheet.{key}", lang), "type": kind}
        if key == "id":
            column["is_primary_column"] = True
        if kind == "select":
            column["options"] = {"choices": [{"value": s.value, "label": t(f"status.{s.value}", lang)} for s in Status]}
        columns.append(column)
    columns.append({"key": COMMENT, "name": t("lists.column.comment", lang), "type": "text"})
    return columns


def rich_text(text: str) -> list[JsonDict]:
    if not text:
        return []
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "elements": [section]}]


def values(signal: SignalRecord, lang: str) -> dict[str, JsonDict]:
    """Column key → the typed value hiyoko writes for this signal."""
    texts = {
        "id": signal.id,
        "customer": signal.customer,
        "kind": f"{signal.kind.emoji} {t(f'kind.{signal.kind.value}.short', lang)}",
        "category": t(f"category.{signal.category.value}", lang),
        "summary": signal.summary,
        "size": signal.size,
        "source": signal.source,
        "link": signal.card_permalink or "",
    }
    out: dict[str, JsonDict] = {key: {"rich_text": rich_text(text)} for key, text in texts.items()}
    out["status"] = {"select": [signal.status.value]}
    out["owner"] = {"user": [signal.owner_id] if signal.owner_id else []}
    out["timing"] = {"date": [signal.timing.isoformat()] if signal.timing else []}
    return out


class SlackList:
    """Mirrors signals into one Slack List and reads its Comment and Status back."""

    def __init__(self, client: WebClient, items: ListItemStore, list_id: str, lang: str, zone: ZoneInfo) -> None:
        self.client = client
        self.items = items
        self.list_id = list_id
        self.lang = lang
        self.zone = zone
        self._columns: dict[str, JsonDict] | None = None  # key → column, read once

    def columns(self) -> dict[str, JsonDict]:
        if self._columns is None:
            answer = self.client.api_call(
                "slackLists.items.list", json={"list_id": self.list_id, "limit": 1, "include_list": True}
            )
            self._learn(answer.get("list"))
        assert self._columns is not None
        return self._columns

    def _learn(self, listed: Any) -> None:
        schema_ = ((listed or {}).get("list_metadata") or {}).get("schema") or []
        self._columns = {c["key"]: c for c in schema_ if isinstance(c, dict) and c.get("key")}
        missing = [key for key, _ in COLUMNS if key not in self._columns]
        if missing:
            raise ValueError(f"the Slack List {self.list_id} has no column {', '.join(missing)} (hiyoko lists create)")

    def _cells(self, signal: SignalRecord) -> list[JsonDict]:
        columns = self.columns()
        return [{"column_id": columns[key]["id"], **value} for key, value in values(signal, self.lang).items()]

    def sync(self, signal: SignalRecord) -> str:
        """Create or update the signal's item; returns what was done ("created" | "updated")."""
        cells = self._cells(signal)
        known = self.items.get(signal.number, self.list_id)
        item_id = known.item_id if known is not None else None
        if item_id == PENDING:  # a create was sent before and its answer never recorded
            item_id = self.find(signal.id)
        if item_id:
            rows = [{"row_id": item_id, **cell} for cell in cells]
            self.client.api_call("slackLists.items.update", json={"list_id": self.list_id, "cells": rows})
            if known is None or known.item_id != item_id:
                self.items.record(signal.number, self.list_id, item_id)
            return "updated"
        self.items.record(signal.number, self.list_id, PENDING)
        answer = self.client.api_call(
            "slackLists.items.create", json={"list_id": self.list_id, "initial_fields": cells}
        )
        self.items.record(signal.number, self.list_id, str(answer["item"]["id"]))
        return "created"

    def _pages(self) -> list[JsonDict]:
        items: list[JsonDict] = []
        cursor = ""
        while True:
            args: JsonDict = {"list_id": self.list_id, "limit": PAGE, "include_list": True}
            if cursor:
                args["cursor"] = cursor
            answer = self.client.api_call("slackLists.items.list", json=args)
            if self._columns is None and answer.get("list"):
                self._learn(answer.get("list"))
            items.extend(answer.get("items") or [])
            cursor = (answer.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return items

    def find(self, signal_id: str) -> str | None:
        """The item whose ID cell reads `signal_id` (None: there is none)."""
        for item in self._pages():
            if _text(item, "id").strip() == signal_id:
                return str(item["id"])
        return None

    def observe(self) -> list[ObservedRow]:
        """Comment and Status of every item with a signal ID, read with one items.list a page."""
        rows: list[ObservedRow] = []
        for item in self._pages():
            number = parse_signal_id(_text(item, "id"))
            if number is None:
                continue
            rows.append(ObservedRow(number, {COMMENT_HEADER: _text(item, COMMENT)}, {"status": _text(item, "status")}))
        return rows


def _text(item: JsonDict, key: str) -> str:
    """The text Slack shows for a cell (a select: its label); "" for an empty cell."""
    for entry in item.get("fields") or []:
        if entry.get("key") == key:
            return str(entry.get("text") or "")
    return ""


def read_back(slack_list: SlackList, store: ReadbackStore) -> str:
    """One poll of the list into the read-back (the `sheet_readback` job): a line for its log.
    A 429 (Tier 2: about 20 items.list a minute) skips this poll; the next one reads again."""
    rows = slack_list.observe()
    result = store.apply("list", rows)
    return f"slack list: {len(rows)} items read, {result.notes} notes, {result.proposals} proposals"
