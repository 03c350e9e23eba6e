"""The ja/en catalog. Keys are grouped by surface; every key has both languages (a test checks)."""

CATALOG: dict[str, dict[str, str]] = {
    # --- the share modal -------------------------------------------------------------------
    "modal.title": {"ja": "アップセル予兆を共有", "en": "Share upsell signal"},
    "modal.submit": {"ja": "共有する", "en": "Share"},
    "modal.cancel": {"ja": "キャンセル", "en": "Cancel"},
    "modal.intro": {
        "ja": "お客様の「もっと使いたい」を営業につなぎます。時期が未定なら🥚卵、決まっていれば🐣ひよこ。",
        "en": "Pass the customer's wish for more on to sales. Timing unknown: 🥚 egg; timing known: 🐣 chick.",
    },
    "field.customer": {"ja": "顧客名", "en": "Customer"},
    "field.customer.placeholder": {"ja": "例: 株式会社サンプル", "en": "e.g. Acme Inc."},
    "field.kind": {"ja": "種別", "en": "Kind"},
    "field.category": {"ja": "カテゴリ", "en": "Category"},
    "field.summary": {"ja": "お客様の言葉", "en": "What the customer said"},
    "field.summary.placeholder": {
        "ja": "例: 「他の工場でも使いたい」「3月ごろ席が足りなくなりそう」",
        "en": "e.g. “We want this at our other plants”, “We'll run out of seats around March”",
    },
    "field.timing": {"ja": "想定時期", "en": "Expected timing"},
    "field.timing.hint": {
        "ja": "🐣ひよこは必須。日付は「そのころ」の目安で構いません。",
        "en": "Required for a 🐣 chick. A day stands for “around then”.",
    },
    "field.owner": {"ja": "担当(営業)", "en": "Owner (sales)"},
    "field.size": {"ja": "規模の見込み", "en": "Estimated size"},
    "field.size.placeholder": {"ja": "例: 50席 / 100万円", "en": "e.g. 50 seats / $10k"},
    "field.source": {"ja": "きっかけ・出典", "en": "Source"},
    "field.source.placeholder": {
        "ja": "例: 定例ミーティング、サポート問い合わせ、Slackのリンク",
        "en": "e.g. QBR meeting, support ticket, a Slack link",
    },
    "field.submitter": {"ja": "共有者", "en": "Shared by"},
    "field.status": {"ja": "状態", "en": "Status"},
    "field.id": {"ja": "ID", "en": "ID"},
    "kind.egg": {"ja": "🥚 卵(時期未定)", "en": "🥚 Egg (timing unknown)"},
    "kind.chick": {"ja": "🐣 ひよこ(時期あり)", "en": "🐣 Chick (timing known)"},
    "kind.egg.short": {"ja": "卵", "en": "egg"},
    "kind.chick.short": {"ja": "ひよこ", "en": "chick"},
    "category.seats": {"ja": "席数追加", "en": "More seats"},
    "category.plan": {"ja": "プランアップ", "en": "Plan upgrade"},
    "category.cross_sell": {"ja": "クロスセル", "en": "Cross-sell"},
    "category.other": {"ja": "その他", "en": "Other"},
    "status.open": {"ja": "進行中", "en": "Open"},
    "status.won": {"ja": "受注", "en": "Won"},
    "status.lost": {"ja": "失注", "en": "Lost"},
    "status.dropped": {"ja": "取り下げ", "en": "Dropped"},
    # --- validation ------------------------------------------------------------------------
    "error.required": {"ja": "入力してください。", "en": "Please fill this in."},
    "error.too_long": {
        "ja": "{limit}文字以内で入力してください(現在{length}文字)。",
        "en": "Please keep this within {limit} characters (now {length}).",
    },
    "error.chick_needs_timing": {
        "ja": "🐣ひよこには想定時期が必要です。時期が未定なら🥚卵を選んでください。",
        "en": "A 🐣 chick needs an expected timing. If the timing is unknown, choose 🥚 egg.",
    },
    "error.timing_past": {
        "ja": "過去の日付は指定できません(今日は{today})。",
        "en": "The timing cannot be in the past (today is {today}).",
    },
    "error.unknown_user": {
        "ja": "このユーザーは見つかりません。ワークスペースのメンバーを選んでください。",
        "en": "This user could not be found. Please choose a member of the workspace.",
    },
    "error.bot_user": {
        "ja": "アプリやボットは担当にできません。人を選んでください。",
        "en": "An app or bot cannot own a signal. Please choose a person.",
    },
    "error.deactivated_user": {
        "ja": "このユーザーは無効化されています。別の担当を選んでください。",
        "en": "This user is deactivated. Please choose another owner.",
    },
    "error.save_failed": {
        "ja": "保存できませんでした。少し待ってからもう一度「共有する」を押してください。入力内容はそのままです。",
        "en": "Could not save just now. Please press Share again in a moment; your input is kept.",
    },
    # --- the card and its thread ----------------------------------------------------------
    "card.fallback": {
        "ja": "{emoji} {customer} のアップセル予兆({id})",
        "en": "{emoji} Upsell signal for {customer} ({id})",
    },
    "card.no_timing": {"ja": "未定", "en": "Unknown"},
    "card.none": {"ja": "—", "en": "—"},
    "card.shared_at": {"ja": "{id} · {when}に共有", "en": "{id} · shared {when}"},
    "thread.assigned": {
        "ja": "{owner} さん、{emoji}{kind}「{customer}」の担当になりました。共有してくれたのは {submitter} さんです。",
        "en": "{owner}, you now own the {emoji} {kind} for {customer}. Shared by {submitter}.",
    },
    # --- /hiyoko and App Home ------------------------------------------------------------
    "command.help": {
        "ja": "*hiyoko の使い方*\n"
        "• `/hiyoko` — アップセル予兆(🥚卵・🐣ひよこ)を共有するフォームを開きます\n"
        "• ショートカット「アップセル予兆を共有」や、投稿の「…」メニューからも共有できます\n"
        "• 共有した予兆は <#{channel}> にカードとして投稿され、担当の営業にスレッドで通知されます",
        "en": "*How to use hiyoko*\n"
        "• `/hiyoko` — open the form to share an upsell signal (🥚 egg or 🐣 chick)\n"
        "• The shortcut “アップセル予兆を共有” (Share an upsell signal) and a message's “…” menu work too\n"
        "• Each signal becomes a card in <#{channel}> and its owner is notified in the thread",
    },
    "home.title": {"ja": "🐣 hiyoko", "en": "🐣 hiyoko"},
    "home.intro": {
        "ja": "お客様の「もっと使いたい」を聞いたら、ここから共有しましょう。"
        "時期が未定なら🥚卵、決まっていれば🐣ひよこです。",
        "en": "Heard a customer wish for more? Share it from here. Timing unknown: 🥚 egg; timing known: 🐣 chick.",
    },
    "home.share": {"ja": "予兆を共有する", "en": "Share a signal"},
    # --- the sheet -------------------------------------------------------------------------
    "sheet.kind": {"ja": "種別", "en": "Kind"},
    "sheet.status": {"ja": "状態", "en": "Status"},
    "sheet.customer": {"ja": "顧客名", "en": "Customer"},
    "sheet.category": {"ja": "カテゴリ", "en": "Category"},
    "sheet.summary": {"ja": "内容", "en": "Summary"},
    "sheet.timing": {"ja": "想定時期", "en": "Timing"},
    "sheet.size": {"ja": "規模", "en": "Size"},
    "sheet.source": {"ja": "出典", "en": "Source"},
    "sheet.submitter": {"ja": "共有者", "en": "Submitter"},
    "sheet.submitter_id": {"ja": "共有者ID", "en": "Submitter ID"},
    "sheet.owner": {"ja": "担当", "en": "Owner"},
    "sheet.owner_id": {"ja": "担当ID", "en": "Owner ID"},
    "sheet.created": {"ja": "作成日時", "en": "Created"},
    "sheet.updated": {"ja": "更新日時", "en": "Updated"},
    "sheet.hatched": {"ja": "孵化日時", "en": "Hatched"},
    "sheet.closed": {"ja": "完了日時", "en": "Closed"},
    "sheet.reason": {"ja": "理由", "en": "Reason"},
    "sheet.link": {"ja": "Slackリンク", "en": "Slack link"},
    # --- start-up and CLI ------------------------------------------------------------------
    "cli.missing_settings": {
        "ja": "hiyoko を起動できません。次の環境変数を設定してください: {names}\n"
        "  1. https://api.slack.com/apps →「Create New App」→「From a manifest」で manifest.yml を貼り付けて作成\n"
        "  2.「Basic Information」→「App-Level Tokens」で connections:write のトークンを作成"
        " → SLACK_APP_TOKEN=xapp-…\n"
        "  3.「Install App」でワークスペースにインストール → Bot User OAuth Token を SLACK_BOT_TOKEN=xoxb-… に\n"
        "  4. シグナル用チャンネルに @hiyoko を招待し、チャンネルID(C…)を SIGNALS_CHANNEL_ID に\n"
        "  .env に書くのが簡単です(cp .env.example .env)。詳しくは README の「Create the Slack app」。",
        "en": "hiyoko cannot start. Please set these environment variables: {names}\n"
        "  1. https://api.slack.com/apps → Create New App → From a manifest: paste manifest.yml\n"
        "  2. Basic Information → App-Level Tokens: create one with connections:write → SLACK_APP_TOKEN=xapp-…\n"
        "  3. Install App → install to the workspace; the Bot User OAuth Token → SLACK_BOT_TOKEN=xoxb-…\n"
        "  4. Invite @hiyoko to the signals channel; its channel id (C…) → SIGNALS_CHANNEL_ID\n"
        "  The easiest place is .env (cp .env.example .env). See the README section “Create the Slack app”.",
    },
    "cli.invalid_setting": {
        "ja": "設定 {name} が正しくありません: {reason}",
        "en": "The setting {name} is not valid: {reason}",
    },
    "cli.resynced": {
        "ja": "{count}件のシグナルをシートに書き込みました({target})。",
        "en": "Wrote {count} signals to the sheet ({target}).",
    },
    "cli.db_upgraded": {"ja": "データベースを最新に更新しました。", "en": "The database is up to date."},
}
