"""ja/en strings of the CRM hand-off (issue 15): thread lines naming the CRM, the card's link,
the reason of a deal lost in the CRM, and `hiyoko doctor`'s CRM lines."""

MESSAGES: dict[str, dict[str, str]] = {
    # A deal made for a signal: its thread line, History action, and what the CRM could not match.
    "thread.crm_deal": {"ja": "🤝 {crm}に商談を作りました", "en": "🤝 Deal created in {crm}"},
    "thread.crm_deal.no_company": {
        "ja": "(顧客 {customer} に当たる会社が{crm}に見つからなかったため、会社なしで作りました)",
        "en": " (no company in {crm} matches {customer}, so the deal has none)",
    },
    "thread.crm_deal.no_owner": {
        "ja": "(担当者のメールアドレスに当たる{crm}ユーザーがいないため、担当者は未設定です)",
        "en": " (no {crm} user has the owner's e-mail, so the deal has no owner)",
    },
    "action.crm_deal": {"ja": "CRMに商談を作成", "en": "Deal created in the CRM"},
    # Changes that came from the CRM (the actor is the CRM, not a Slack user).
    "thread.crm.win": {"ja": "🎉 {crm}で受注になりました", "en": "🎉 won in {crm}"},
    "thread.crm.lose": {"ja": "🥀 {crm}で失注になりました", "en": "🥀 lost in {crm}"},
    "thread.crm.reopen": {"ja": "↩️ {crm}で商談が再開されました", "en": "↩️ reopened in {crm}"},
    "crm.lost_reason": {"ja": "{crm}で失注", "en": "lost in {crm}"},
    # The card's link button.
    "card.open_in_crm": {"ja": "{crm}で開く", "en": "Open in {crm}"},
    # hiyoko doctor
    "doctor.crm.ok": {"ja": "{what}: {detail}", "en": "{what}: {detail}"},
    "doctor.crm.failed": {"ja": "{what}", "en": "{what}"},
    "doctor.crm.fix": {"ja": "{detail}", "en": "{detail}"},
    "doctor.crm.missing": {
        "ja": "HIYOKO_CRM={crm} に必要な設定がありません: {names}",
        "en": "HIYOKO_CRM={crm} lacks settings: {names}",
    },
    "doctor.crm.missing_fix": {
        "ja": "README の「CRM hand-off」を見て .env に設定してください。",
        "en": "Set them in .env as the README's \u201cCRM hand-off\u201d section shows.",
    },
    "doctor.crm.no_webhook": {
        "ja": "HubSpotでの受注・失注がSlackに戻りません(Webhookを受けられません)",
        "en": "Won and lost in HubSpot will not come back to Slack (no webhook can be received)",
    },
    "doctor.crm.no_webhook_fix": {
        "ja": "HTTPモード(SLACK_APP_TOKENなし)で動かし、HUBSPOT_CLIENT_SECRETを設定して、"
        "Webhookの送信先を HIYOKO_PUBLIC_URL の /crm/hubspot にしてください。",
        "en": "Run in HTTP mode (no SLACK_APP_TOKEN), set HUBSPOT_CLIENT_SECRET, and point the webhook "
        "subscription at /crm/hubspot under HIYOKO_PUBLIC_URL.",
    },
    "doctor.crm.unreachable": {
        "ja": "{crm} を確認できませんでした: {error}",
        "en": "Could not check {crm}: {error}",
    },
    "doctor.crm.unreachable_fix": {
        "ja": "URL・ネットワーク・認証情報を確認してください。",
        "en": "Check the URL, the network and the credentials.",
    },
}
