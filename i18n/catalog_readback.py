"""ja/en strings of the sheet read-back: the thread line and History action of a person's note."""

MESSAGES: dict[str, dict[str, str]] = {
    "thread.sheet_note": {"ja": "📝 {where} · {column}: {value}", "en": "📝 {where} · {column}: {value}"},
    "action.sheet_note": {"ja": "シートに記入", "en": "Noted in the sheet"},
    # Who did it, when no Slack user stands behind an edit (the card's last change, /hiyoko show).
    "actor.sheet": {"ja": "シート", "en": "the sheet"},
    "actor.list": {"ja": "Slackリスト", "en": "the Slack List"},
    "readback.where.sheet": {"ja": "シート", "en": "Sheet"},
    "readback.where.list": {"ja": "リスト", "en": "List"},
    "readback.cleared": {"ja": "(空欄にしました)", "en": "cleared"},
}
