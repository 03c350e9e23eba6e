"""ja/en strings of issue 12's absences and departures: `/hiyoko away` / `back`, a departed
owner's signals moving on, and the managers' load lines (App Home, the weekly digest, its chart)."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- /hiyoko away, back ----------------------------------------------------------------
    "command.help_away": {
        "ja": "• `/hiyoko away 2026-12-28` / `/hiyoko away 2026-12-24 2027-01-05` — 不在(休暇など)を登録: "
        "その間は新しい予兆が割り当てられず、リマインドは戻るまで待ちます\n"
        "• `/hiyoko back` — 不在を終わらせる",
        "en": "• `/hiyoko away 2026-12-28` / `/hiyoko away 2026-12-24 2027-01-05` — say you are away (leave): "
        "no new signals are routed to you, and your nudges and reminders wait until you are back\n"
        "• `/hiyoko back` — end your absence",
    },
    "away.usage": {
        "ja": "使い方: `/hiyoko away 終了日` または `/hiyoko away 開始日 終了日`(日付は 2026-12-28 の形式)",
        "en": "Usage: `/hiyoko away UNTIL` or `/hiyoko away FROM UNTIL` (dates like 2026-12-28)",
    },
    "away.bad_date": {
        "ja": "「{date}」は日付として読めません。2026-12-28 の形式で書いてください。",
        "en": "“{date}” is not a date I can read: write it like 2026-12-28.",
    },
    "away.past": {
        "ja": "終了日 {until} はもう過ぎています。今日以降の日付を指定してください。",
        "en": "{until} has already passed: give an end date from today on.",
    },
    "away.before_start": {
        "ja": "終了日 {until} が開始日 {start} より前です。",
        "en": "The end date {until} is before the start date {start}.",
    },
    "away.set": {
        "ja": "🌴 {start} から {until} まで不在として登録しました。その間は新しい予兆は他の人に割り当てられ、"
        "リマインドは戻ってから届きます。早く戻ったら `/hiyoko back` を。",
        "en": "🌴 You are away from {start} to {until}. New signals go to others meanwhile, and your nudges "
        "and reminders come once you are back. Back early? `/hiyoko back`.",
    },
    "away.back": {
        "ja": "👋 おかえりなさい。また予兆が割り当てられます。",
        "en": "👋 Welcome back: signals are routed to you again.",
    },
    "away.not_away": {"ja": "不在の登録はありません。", "en": "You had no absence on record."},
    # --- a departed owner's signals ----------------------------------------------------------
    "thread.rerouted": {
        "ja": "🔀 {old} さんが退職(無効化)したため、担当を {new} さんに引き継ぎました。"
        "{new} さん、よろしくお願いします。",
        "en": "🔀 {old} has left (deactivated): {new} owns this now. Over to you, {new}.",
    },
    "action.rerouted": {"ja": "担当を引き継ぎ", "en": "Owner moved on"},
    "dm.owner_left": {
        "ja": "⚠️ {owner} さんが退職(無効化)しましたが、この予兆を引き継げる人が見つかりません。"
        "担当を変更してください。",
        "en": "⚠️ {owner} has left (deactivated) and nobody could take this signal over: please reassign it.",
    },
    # --- what managers see ---------------------------------------------------------------------
    "home.load": {"ja": "*担当ごとの進行中の予兆*: {people}", "en": "*Open signals per owner*: {people}"},
    "home.away": {"ja": "*不在*: {people}", "en": "*Away*: {people}"},
    "load.person": {"ja": "<@{user}> {count}件", "en": "<@{user}> {count}"},
    "away.person": {"ja": "<@{user}>({until} まで)", "en": "<@{user}> (until {until})"},
    "load.none": {"ja": "なし", "en": "none"},
    "digest.load": {
        "ja": "👥 *担当ごとの進行中の予兆(上位)*: {people}",
        "en": "👥 *Open signals per owner (top)*: {people}",
    },
    "digest.away": {"ja": "🌴 *不在*: {people}", "en": "🌴 *Away*: {people}"},
    "digest.chart_hatched": {"ja": "孵化", "en": "hatched"},
    "digest.chart_ages_title": {"ja": "進行中の予兆の経過日数", "en": "Open signals by age (days)"},
    "digest.chart_days": {"ja": "日", "en": "days"},
}
