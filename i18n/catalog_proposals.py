"""ja/en strings of issue 14's proposals: a person's edit of hiyoko's Status, Owner or Timing in
the sheet or the Slack List, asked in the thread with Confirm / Discard."""

MESSAGES: dict[str, dict[str, str]] = {
    "action.sheet_proposal": {"ja": "シートでの変更の提案", "en": "Change proposed in the sheet"},
    "proposal.source.sheet": {"ja": "シート", "en": "the sheet"},
    "proposal.source.list": {"ja": "Slackリスト", "en": "the Slack List"},
    "proposal.asked.status": {
        "ja": "{source}で「{value}」に変更されました — 確定しますか?",
        "en": "Changed to “{value}” in {source} — confirm?",
    },
    "proposal.asked.owner": {
        "ja": "{source}で担当が「{value}」に変更されました — 確定しますか?",
        "en": "Owner changed to “{value}” in {source} — confirm?",
    },
    "proposal.asked.timing": {
        "ja": "{source}で想定時期が「{value}」に変更されました — 確定しますか?",
        "en": "Timing changed to “{value}” in {source} — confirm?",
    },
    "proposal.confirm": {"ja": "確定", "en": "Confirm"},
    "proposal.discard": {"ja": "取り消す", "en": "Discard"},
    "proposal.confirmed_by": {"ja": "✅ {who} さんが確定しました。", "en": "✅ Confirmed by {who}."},
    "proposal.discarded_by": {"ja": "✖️ {who} さんが取り消しました。", "en": "✖️ Discarded by {who}."},
    "proposal.superseded": {
        "ja": "この提案は、その後の変更に置き換えられました。",
        "en": "This proposal was replaced by a later edit.",
    },
    "proposal.already_confirmed": {
        "ja": "この提案は {who} さんがすでに確定しています。",
        "en": "This proposal was already confirmed by {who}.",
    },
    "proposal.already_discarded": {
        "ja": "この提案は {who} さんがすでに取り消しています。",
        "en": "This proposal was already discarded by {who}.",
    },
    "proposal.not_found": {"ja": "この提案は見つかりません。", "en": "This proposal no longer exists."},
}
