"""ja/en strings of hearing: /hiyoko watch and unwatch, the suggestion DM and its buttons, what
doctor and `accounts check` say about channels hiyoko cannot hear, and `hiyoko hear`'s own lines
(the detector's JSON lines are data, not prose)."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- /hiyoko watch, unwatch --------------------------------------------------------------
    "hearing.watch.done": {
        "ja": "👂 このチャンネルを聞きます(顧客: {customer})。"
        "お客様のヒントらしき発言は {recipient} さんにDMでお知らせします。"
        "hiyoko がこのチャンネルのメンバーでなければ `/invite @hiyoko` してください。",
        "en": "👂 Listening to this channel (customer: {customer}). Hints the customer drops go to {recipient} "
        "as a DM. If hiyoko is not a member of this channel, `/invite @hiyoko`.",
    },
    "hearing.watch.no_customer": {
        "ja": "このチャンネルは Accounts タブにありません。"
        "お客様の名前を添えてください: `/hiyoko watch 株式会社サンプル`",
        "en": "No Accounts row names this channel. Add the customer's name: `/hiyoko watch Acme Inc.`",
    },
    "hearing.watch.not_a_channel": {
        "ja": "`/hiyoko watch` はお客様とのチャンネルで実行してください(DMでは聞けません)。",
        "en": "Run `/hiyoko watch` in the customer's channel (direct messages are not listened to).",
    },
    "hearing.watch.off": {
        "ja": "(いまは HIYOKO_HEARING=off のため、どのチャンネルも聞いていません。)",
        "en": "(HIYOKO_HEARING=off for now: no channel is listened to.)",
    },
    "hearing.unwatch.done": {
        "ja": "🔕 このチャンネルを聞くのをやめました。",
        "en": "🔕 No longer listening to this channel.",
    },
    "hearing.unwatch.not_watched": {
        "ja": "このチャンネルは `/hiyoko watch` されていません。",
        "en": "This channel was not watched with `/hiyoko watch`.",
    },
    "hearing.unwatch.account": {
        "ja": "Accounts タブの Channel 列にこのチャンネルがあるため、引き続き聞きます。"
        "やめるにはタブから外してください。",
        "en": "The Accounts tab's Channel column names this channel, so hiyoko still listens. "
        "Remove it from the tab to stop.",
    },
    "hearing.help": {
        "ja": "`/hiyoko watch [顧客名]` このチャンネルのお客様の発言からヒントを拾う · `/hiyoko unwatch` やめる",
        "en": "`/hiyoko watch [customer]` hear hints in this customer channel · `/hiyoko unwatch` stop",
    },
    # --- the suggestion DM ---------------------------------------------------------------------
    "suggest.title": {
        "ja": "👂 *{customer}* のチャンネルで、アップセルのヒントらしき発言がありました。",
        "en": "👂 A possible upsell hint in *{customer}*'s channel.",
    },
    "suggest.heard": {
        "ja": "聞こえたこと: {kind} · {category}{timing} — 決め手「{evidence}」",
        "en": "Heard: {kind} · {category}{timing} — because of “{evidence}”",
    },
    "suggest.timing": {"ja": " · 時期 {timing}", "en": " · timing {timing}"},
    "suggest.said_by": {
        "ja": "{who} さんの発言 · <{link}|メッセージを開く>",
        "en": "Said by {who} · <{link}|open the message>",
    },
    "suggest.said_by_nolink": {"ja": "{who} さんの発言", "en": "Said by {who}"},
    "suggest.unreadable": {
        "ja": "(メッセージを読めませんでした: 削除されたか、hiyoko がチャンネルにいません)",
        "en": "(The message could not be read: it was deleted, or hiyoko is not in the channel.)",
    },
    "suggest.note_offer": {
        "ja": "{customer} には同じカテゴリの {id} がすでに進行中です。新しく共有する代わりに、メモとして追加できます。",
        "en": "{customer} already has {id} open in this category: you can add this as a note to it instead.",
    },
    "suggest.share": {"ja": "共有する", "en": "Share"},
    "suggest.dismiss": {"ja": "見送る", "en": "Dismiss"},
    "suggest.note": {"ja": "{id} にメモ", "en": "Note on {id}"},
    "suggest.not_hint": {"ja": "ヒントではない", "en": "Not a hint"},
    "suggest.known": {"ja": "把握済み", "en": "Already known"},
    "suggest.dismiss_question": {"ja": "見送る理由は?", "en": "Why dismiss it?"},
    "suggest.decided.shared": {"ja": "✅ {who} さんが {id} として共有しました。", "en": "✅ Shared as {id} by {who}."},
    "suggest.decided.noted": {
        "ja": "📝 {who} さんが {id} にメモとして追加しました。",
        "en": "📝 Added to {id} as a note by {who}.",
    },
    "suggest.decided.not_hint": {"ja": "✖️ {who} さん: ヒントではない", "en": "✖️ {who}: not a hint"},
    "suggest.decided.known": {"ja": "✔️ {who} さん: 把握済み", "en": "✔️ {who}: already known"},
    "suggest.denied": {
        "ja": "この提案は {recipient} さん宛てです。決められるのはその人とマネージャーだけです。",
        "en": "This suggestion is for {recipient}: only they or a manager may decide it.",
    },
    "suggest.already": {
        "ja": "この提案はすでに {who} さんが決めました({state})。",
        "en": "{who} already decided this suggestion ({state}).",
    },
    "suggest.missing": {"ja": "この提案は見つかりません。", "en": "This suggestion no longer exists."},
    "suggest.note_failed": {
        "ja": "{id} にメモを追加できませんでした(もう進行中ではありません)。「共有する」から新しく共有できます。",
        "en": "Could not add a note to {id} (it is no longer open). “Share” makes a new signal instead.",
    },
    "suggest.state.shared": {"ja": "共有済み", "en": "shared"},
    "suggest.state.noted": {"ja": "メモ追加済み", "en": "noted"},
    "suggest.state.not_hint": {"ja": "ヒントではない", "en": "not a hint"},
    "suggest.state.known": {"ja": "把握済み", "en": "already known"},
    # --- doctor, accounts check ----------------------------------------------------------------
    "hearing.check.not_member": {
        "ja": "👂 {channel}({customer}): hiyoko がメンバーではないため、聞こえません",
        "en": "👂 {channel} ({customer}): hiyoko is not a member, so it hears nothing there",
    },
    "hearing.check.fix_not_member": {
        "ja": "Slack でそのチャンネルを開き「/invite @hiyoko」を送ってください。",
        "en": "In Slack, open that channel and send “/invite @hiyoko”.",
    },
    "hearing.check.not_found": {
        "ja": "👂 {channel}({customer}): チャンネルが見つかりません",
        "en": "👂 {channel} ({customer}): no such channel",
    },
    "hearing.check.fix_not_found": {
        "ja": "チャンネルIDを確かめてください。使わないなら、そのチャンネルで `/hiyoko unwatch` するか"
        " Accounts タブから外してください。",
        "en": "Check the channel id; if it is not used any more, `/hiyoko unwatch` there or remove it from "
        "the Accounts tab.",
    },
    "hearing.check.unchecked": {
        "ja": "👂 聞いているチャンネルを確かめられませんでした: {error}",
        "en": "👂 Could not check the channels listened to: {error}",
    },
    "hearing.check.fix_unchecked": {
        "ja": "Slack に接続できるか、channels:read / groups:read が許可されているか確かめてください。",
        "en": "Check that Slack is reachable and channels:read / groups:read are granted.",
    },
    "hearing.check.ok": {
        "ja": "👂 聞いているチャンネル {count} 件、すべてに hiyoko がいます。",
        "en": "👂 {count} channel(s) listened to; hiyoko is a member of each.",
    },
    # --- hiyoko hear ---------------------------------------------------------------------------
    "hear.help": {
        "ja": "JSON Lines の各メッセージが拡大の予兆かを判定します(FILE か - で標準入力)",
        "en": "say for each JSON line's message whether it hints at expansion (FILE, or - for stdin)",
    },
    "hear.error.json": {"ja": "JSONとして読めません: {reason}", "en": "not JSON: {reason}"},
    "hear.error.object": {
        "ja": '各行は "text"(と任意の "date": YYYY-MM-DD)を持つJSONオブジェクトにしてください',
        "en": 'each line must be a JSON object with "text" (and optionally "date": YYYY-MM-DD)',
    },
    "hear.error.text": {"ja": '"text" は文字列で指定してください', "en": '"text" must be a string'},
    "hear.error.date": {
        "ja": '"date" は YYYY-MM-DD 形式の日付で指定してください: {value}',
        "en": '"date" must be a date like 2027-04-01: {value}',
    },
    "hear.no_file": {"ja": "ファイルを開けません: {path}", "en": "cannot open {path}"},
    "hear.model_unreadable": {
        "ja": "チームの学習モデルを読めないため、ルールだけで判定します: {reason}",
        "en": "the team's model cannot be read; hearing with the rules alone: {reason}",
    },
}
