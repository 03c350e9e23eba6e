"""ja/en strings of adoption: `hiyoko doctor`, the Workflow Builder step, `hiyoko import`."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- hiyoko doctor: settings ---------------------------------------------------------------
    "doctor.title": {
        "ja": "hiyoko doctor — 設定・Slack・シート・データベースを確認します",
        "en": "hiyoko doctor — checking settings, Slack, the sheet and the database",
    },
    "doctor.bot_token.ok": {
        "ja": "SLACK_BOT_TOKEN はボットトークン(xoxb-…)です",
        "en": "SLACK_BOT_TOKEN is a bot token (xoxb-…)",
    },
    "doctor.bot_token.missing": {"ja": "SLACK_BOT_TOKEN が設定されていません", "en": "SLACK_BOT_TOKEN is not set"},
    "doctor.bot_token.prefix": {
        "ja": "SLACK_BOT_TOKEN がボットトークンではありません({prefix}… で始まっています。xoxb-… のはずです)",
        "en": "SLACK_BOT_TOKEN is not a bot token (it starts with {prefix}…; it should start with xoxb-)",
    },
    "doctor.bot_token.fix": {
        "ja": "https://api.slack.com/apps → アプリ →「Install App」の Bot User OAuth Token(xoxb-…)を"
        " SLACK_BOT_TOKEN に設定してください(.env でも可)。",
        "en": "https://api.slack.com/apps → your app → Install App: copy the Bot User OAuth Token (xoxb-…)"
        " into SLACK_BOT_TOKEN (in the environment or .env).",
    },
    "doctor.app_token.ok": {
        "ja": "SLACK_APP_TOKEN はアプリレベルトークン(xapp-…)です — Socket Mode",
        "en": "SLACK_APP_TOKEN is an app-level token (xapp-…) — Socket Mode",
    },
    "doctor.app_token.prefix": {
        "ja": "SLACK_APP_TOKEN がアプリレベルトークンではありません({prefix}… で始まっています。xapp-… のはずです)",
        "en": "SLACK_APP_TOKEN is not an app-level token (it starts with {prefix}…; it should start with xapp-)",
    },
    "doctor.app_token.fix": {
        "ja": "「Basic Information」→「App-Level Tokens」で connections:write のトークンを作り、"
        "SLACK_APP_TOKEN=xapp-… に設定してください。HTTP モードにするなら SLACK_APP_TOKEN を消して"
        " SLACK_SIGNING_SECRET を設定します。",
        "en": "Basic Information → App-Level Tokens: create a token with connections:write and set"
        " SLACK_APP_TOKEN=xapp-…. For HTTP mode, unset SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET instead.",
    },
    "doctor.signing_secret.ok": {
        "ja": "HTTP モード: SLACK_SIGNING_SECRET が設定されています",
        "en": "HTTP mode: SLACK_SIGNING_SECRET is set",
    },
    "doctor.signing_secret.missing": {
        "ja": "SLACK_APP_TOKEN も SLACK_SIGNING_SECRET もありません(Socket Mode にも HTTP モードにもなれません)",
        "en": "Neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set (neither Socket Mode nor HTTP mode can run)",
    },
    "doctor.signing_secret.fix": {
        "ja": "Socket Mode(manifest.yml の既定): 「Basic Information」→「App-Level Tokens」で"
        " connections:write のトークンを作り SLACK_APP_TOKEN=xapp-… に。HTTP モード:「App Credentials」の"
        " Signing Secret を SLACK_SIGNING_SECRET に。",
        "en": "Socket Mode (manifest.yml's default): Basic Information → App-Level Tokens, create one with"
        " connections:write → SLACK_APP_TOKEN=xapp-…. HTTP mode: App Credentials → Signing Secret →"
        " SLACK_SIGNING_SECRET.",
    },
    "doctor.channel_id.ok": {"ja": "{name} はチャンネルIDの形です({value})", "en": "{name} is a channel id ({value})"},
    "doctor.channel_id.default": {
        "ja": "{name} は未設定です — ダイジェストはシグナル用チャンネルに投稿します",
        "en": "{name} is not set — the digest goes to the signals channel",
    },
    "doctor.channel_id.missing": {"ja": "{name} が設定されていません", "en": "{name} is not set"},
    "doctor.channel_id.shape": {
        "ja": "{name}「{value}」はチャンネルIDではありません(C… または G… で始まる英大文字と数字)",
        "en": "{name} “{value}” is not a channel id (C… or G…, capital letters and digits)",
    },
    "doctor.channel_id.fix": {
        "ja": "Slack でチャンネル名をクリック →「チャンネル詳細」の一番下にあるチャンネルID(例: C0123ABCD)を"
        " {name} に設定してください。チャンネル名(#…)ではなくIDです。",
        "en": "In Slack, click the channel's name → channel details: the channel ID is at the bottom"
        " (e.g. C0123ABCD). Set {name} to that id, not to the #name.",
    },
    "doctor.timezone.ok": {"ja": "HIYOKO_TIMEZONE は {zone} です", "en": "HIYOKO_TIMEZONE is {zone}"},
    "doctor.setting_fix.hiyoko_timezone": {
        "ja": "IANA のタイムゾーン名にしてください(例: HIYOKO_TIMEZONE=Asia/Tokyo)。",
        "en": "Use an IANA time zone name, e.g. HIYOKO_TIMEZONE=Asia/Tokyo.",
    },
    "doctor.setting_fix.hiyoko_managers": {
        "ja": "ユーザーID(U…)をカンマ区切りで、ユーザーグループ(S…)は1つまで(例: HIYOKO_MANAGERS=U012AB,S034CD)。"
        "ID はプロフィールの「…」→「メンバーIDをコピー」で取れます。",
        "en": "Comma-separated user ids (U…) and at most one user group (S…), e.g. HIYOKO_MANAGERS=U012AB,S034CD."
        " A member id is under the profile's “…” → Copy member ID.",
    },
    "doctor.setting_fix.hiyoko_language": {
        "ja": "HIYOKO_LANGUAGE は ja か en にしてください。",
        "en": "Set HIYOKO_LANGUAGE to ja or en.",
    },
    "doctor.setting_fix.port": {
        "ja": "PORT は数字にしてください(例: 3000)。",
        "en": "Set PORT to a number, e.g. 3000.",
    },
    "doctor.setting_fix.other": {
        "ja": "環境変数か .env の {name} を README の「Settings」の表のとおりに直してください。",
        "en": "Correct {name} in the environment or .env as the README's “Settings” table describes.",
    },
    "doctor.skipped_settings": {
        "ja": "ほかの確認は、設定が読み込めるようになってから行います",
        "en": "The other checks run once the settings load",
    },
    # --- hiyoko doctor: Slack -------------------------------------------------------------------
    "doctor.slack.skipped": {
        "ja": "Slack の確認はボットトークンが設定されるまで行えません",
        "en": "Slack checks need the bot token first",
    },
    "doctor.slack.skipped_auth": {
        "ja": "スコープとチャンネルの確認は、Slack がトークンを受け付けるまで行えません",
        "en": "Scope and channel checks need Slack to accept the token first",
    },
    "doctor.auth.ok": {
        "ja": "Slack に接続できました: ボット @{bot}、ワークスペース {team}",
        "en": "Slack accepts the token: bot @{bot} in workspace {team}",
    },
    "doctor.auth.failed": {
        "ja": "Slack がボットトークンを受け付けません(auth.test: {error})",
        "en": "Slack refuses the bot token (auth.test: {error})",
    },
    "doctor.auth.fix_token": {
        "ja": "https://api.slack.com/apps → アプリ →「Install App」の Bot User OAuth Token をコピーし直して"
        " SLACK_BOT_TOKEN に設定してください。アプリをアンインストールした場合は再インストールが必要です。",
        "en": "https://api.slack.com/apps → your app → Install App: copy the Bot User OAuth Token again into"
        " SLACK_BOT_TOKEN. If the app was uninstalled, install it again first.",
    },
    "doctor.auth.fix_other": {
        "ja": "Slack のエラー「{error}」: https://api.slack.com/methods/auth.test の説明を確認してください。",
        "en": "Slack's error “{error}”: see https://api.slack.com/methods/auth.test for what it means.",
    },
    "doctor.auth.unreachable": {
        "ja": "Slack に接続できません({url}: {error})",
        "en": "Cannot reach Slack ({url}: {error})",
    },
    "doctor.auth.fix_network": {
        "ja": "ネットワークとプロキシを確認してください。SLACK_API_URL({url})はふつう未設定"
        "(https://slack.com/api/)です。",
        "en": "Check the network and proxy. SLACK_API_URL ({url}) is normally unset (https://slack.com/api/).",
    },
    "doctor.scopes.ok": {
        "ja": "manifest.yml のボットスコープ {count} 個がすべて許可されています",
        "en": "All {count} bot scopes of manifest.yml are granted",
    },
    "doctor.scopes.missing": {
        "ja": "許可されていないボットスコープがあります: {scopes}",
        "en": "Bot scopes not granted: {scopes}",
    },
    "doctor.scopes.unknown": {
        "ja": "Slack が許可済みスコープを返しませんでした(x-oauth-scopes ヘッダーなし)",
        "en": "Slack did not report the granted scopes (no x-oauth-scopes header)",
    },
    "doctor.scopes.fix": {
        "ja": "https://api.slack.com/apps → アプリ →「App Manifest」に manifest.yml を貼り直して保存"
        "(または「OAuth & Permissions」でスコープを追加)し、「Install App」→「Reinstall」で再インストールしてください。"
        "トークンは変わりません。",
        "en": "https://api.slack.com/apps → your app → App Manifest: paste manifest.yml again and save (or add"
        " the scopes under OAuth & Permissions), then Install App → Reinstall. The token stays the same.",
    },
    "doctor.scopes.no_manifest": {
        "ja": "manifest.yml を読めません({path}: {error})",
        "en": "Cannot read manifest.yml ({path}: {error})",
    },
    "doctor.scopes.fix_manifest": {
        "ja": "hiyoko のリポジトリの manifest.yml を --manifest で指定してください(例: hiyoko doctor --manifest"
        " ./manifest.yml)。",
        "en": "Point --manifest at hiyoko's manifest.yml, e.g. hiyoko doctor --manifest ./manifest.yml.",
    },
    "doctor.channel.ok": {
        "ja": "{names}: ボットは #{name}({channel})のメンバーです",
        "en": "{names}: the bot is a member of #{name} ({channel})",
    },
    "doctor.channel.not_member": {
        "ja": "{names}: ボットが #{name}({channel})に参加していません",
        "en": "{names}: the bot is not a member of #{name} ({channel})",
    },
    "doctor.channel.fix_invite": {
        "ja": "Slack で #{name} を開き「/invite @{bot}」と送ってください。",
        "en": "In Slack, open #{name} and send “/invite @{bot}”.",
    },
    "doctor.channel.failed": {
        "ja": "{names}: チャンネル {channel} を確認できません({error})",
        "en": "{names}: cannot check channel {channel} ({error})",
    },
    "doctor.channel.fix_not_found": {
        "ja": "チャンネルID {channel} を確認してください(チャンネル詳細の一番下)。プライベートチャンネルなら、"
        "先にそのチャンネルで「/invite @{bot}」と送ってください。",
        "en": "Check the channel id {channel} (channel details, at the bottom). For a private channel, first"
        " send “/invite @{bot}” in it.",
    },
    "doctor.channel.fix_scope": {
        "ja": "channels:read と groups:read のスコープが必要です: manifest.yml を「App Manifest」に貼り直して"
        "再インストールしてください。",
        "en": "The scopes channels:read and groups:read are needed: paste manifest.yml again under App Manifest"
        " and reinstall the app.",
    },
    # --- hiyoko doctor: the sheet ---------------------------------------------------------------
    "doctor.sheet.ok": {
        "ja": "スプレッドシート「{title}」を開けて、{who} が書き込めます。{tab}",
        "en": "The spreadsheet “{title}” opens and {who} can write it. {tab}",
    },
    "doctor.sheet.tab_exists": {"ja": "タブ {tab} があります。", "en": "The tab {tab} exists."},
    "doctor.sheet.tab_new": {
        "ja": "タブ {tab} は最初の同期で作られます。",
        "en": "The tab {tab} is created on the first sync.",
    },
    "doctor.sheet.no_credentials": {
        "ja": "SPREADSHEET_ID がありますが、GOOGLE_APPLICATION_CREDENTIALS(サービスアカウントの鍵)がありません",
        "en": "SPREADSHEET_ID is set but GOOGLE_APPLICATION_CREDENTIALS (the service account's key) is not",
    },
    "doctor.sheet.bad_key": {
        "ja": "{path} はサービスアカウントの JSON 鍵として読めません",
        "en": "{path} cannot be read as a service account's JSON key",
    },
    "doctor.sheet.fix_credentials": {
        "ja": "Google Cloud で Google Sheets API を有効にし、サービスアカウントの JSON 鍵を作って、そのファイルのパスを"
        " GOOGLE_APPLICATION_CREDENTIALS に設定してください。シートを使わないなら SPREADSHEET_ID を消すと"
        " ローカルの .xlsx に書きます。",
        "en": "In Google Cloud, enable the Google Sheets API, create a JSON key for a service account and set"
        " GOOGLE_APPLICATION_CREDENTIALS to its path. Without a Google Sheet, unset SPREADSHEET_ID: hiyoko then"
        " keeps a local .xlsx.",
    },
    "doctor.sheet.not_found": {
        "ja": "スプレッドシート {id} が見つからないか、{who} に共有されていません",
        "en": "The spreadsheet {id} is not found or not shared with {who}",
    },
    "doctor.sheet.read_only": {
        "ja": "スプレッドシート「{title}」は開けますが、{who} には書き込み権限がありません",
        "en": "The spreadsheet “{title}” opens but {who} cannot write it",
    },
    "doctor.sheet.fix_share": {
        "ja": "スプレッドシートの「共有」で {who} を「編集者」として追加してください。SPREADSHEET_ID は URL の"
        " /d/ と /edit の間の部分です。",
        "en": "Share the spreadsheet with {who} as Editor (Share button). SPREADSHEET_ID is the part of the URL"
        " between /d/ and /edit.",
    },
    "doctor.sheet.error": {
        "ja": "スプレッドシート {id} を確認できません({error})",
        "en": "Cannot check the spreadsheet {id} ({error})",
    },
    "doctor.sheet.fix_error": {
        "ja": "ネットワーク、Google Sheets API が有効か、鍵が有効か({who})を確認してください。",
        "en": "Check the network, that the Google Sheets API is enabled, and that the key is valid ({who}).",
    },
    "doctor.xlsx.ok": {
        "ja": "SPREADSHEET_ID なし: ローカルの {path} に書き込めます",
        "en": "No SPREADSHEET_ID: the local file {path} is writable",
    },
    "doctor.xlsx.not_writable": {
        "ja": "ローカルの {path} に書き込めません({error})",
        "en": "Cannot write the local file {path} ({error})",
    },
    "doctor.xlsx.fix_writable": {
        "ja": "hiyoko を実行するユーザーが {path} のフォルダに書き込めるようにするか、HIYOKO_XLSX_PATH を書き込める"
        "場所にしてください。",
        "en": "Let the user running hiyoko write the folder of {path}, or set HIYOKO_XLSX_PATH to a writable place.",
    },
    "doctor.xlsx.unreadable": {
        "ja": "{path} は .xlsx として読めません({error})",
        "en": "{path} cannot be read as .xlsx ({error})",
    },
    "doctor.xlsx.fix_unreadable": {
        "ja": "{path} を別の場所に移してから「hiyoko sheet resync」を実行すると、データベースから作り直します。",
        "en": "Move {path} aside, then run “hiyoko sheet resync”: it is rebuilt from the database.",
    },
    # --- hiyoko doctor: the database ------------------------------------------------------------
    "doctor.db.ok": {
        "ja": "データベース {url} に接続でき、最新の状態です",
        "en": "The database {url} answers and is migrated to the newest revision",
    },
    "doctor.db.not_migrated": {
        "ja": "データベース {url} が最新の状態になっていません(未適用のマイグレーションがあります)",
        "en": "The database {url} is not migrated to the newest revision",
    },
    "doctor.db.no_file": {
        "ja": "データベースのファイル {path} がまだありません({url})",
        "en": "The database file {path} does not exist yet ({url})",
    },
    "doctor.db.fix_upgrade": {
        "ja": "「hiyoko db upgrade」を一度実行してください(SQLite なら「hiyoko run」も起動時に行います)。",
        "en": "Run “hiyoko db upgrade” once (with SQLite, “hiyoko run” also does it at start).",
    },
    "doctor.db.unreachable": {
        "ja": "データベース {url} に接続できません({error})",
        "en": "Cannot reach the database {url} ({error})",
    },
    "doctor.db.bad_url": {
        "ja": "DATABASE_URL が SQLAlchemy の URL ではありません({error})",
        "en": "DATABASE_URL is not an SQLAlchemy URL ({error})",
    },
    "doctor.db.fix_url": {
        "ja": "DATABASE_URL とデータベースサーバーが動いているかを確認してください"
        "(例: postgresql+psycopg://user:pass@host/hiyoko、既定は sqlite:///hiyoko.db)。",
        "en": "Check DATABASE_URL and that the database server runs"
        " (e.g. postgresql+psycopg://user:pass@host/hiyoko; the default is sqlite:///hiyoko.db).",
    },
    "doctor.summary_ok": {
        "ja": "すべての確認に合格しました。「hiyoko run」で起動できます。",
        "en": "Every check passed. Start hiyoko with “hiyoko run”.",
    },
    "doctor.summary_failed": {
        "ja": "{count}件の問題があります。→ の手順で直してから、もう一度 hiyoko doctor を実行してください。",
        "en": "{count} problems found. Fix them as shown after →, then run hiyoko doctor again.",
    },
    # --- the Workflow Builder step --------------------------------------------------------------
    "workflow.failed": {
        "ja": "アップセル予兆を共有できませんでした — {problems}",
        "en": "The upsell signal was not shared — {problems}",
    },
    "workflow.save_failed": {
        "ja": "保存できませんでした。少し待ってからワークフローをもう一度実行してください。",
        "en": "Could not save just now. Please run the workflow again in a moment.",
    },
    "workflow.bad_kind": {
        "ja": "「{value}」は読めません。egg/chick、卵/ひよこ、🥚/🐣 のどれかにしてください。",
        "en": "“{value}” cannot be read. Use egg/chick, 卵/ひよこ or 🥚/🐣.",
    },
    "workflow.bad_category": {
        "ja": "「{value}」は読めません。席数追加、プランアップ、クロスセル、その他"
        "(seats、plan、cross_sell、other)のどれかにしてください。",
        "en": "“{value}” cannot be read. Use seats, plan, cross_sell or other (More seats, Plan upgrade,"
        " Cross-sell, Other).",
    },
    "workflow.bad_timing": {
        "ja": "「{value}」は日付として読めません(例: 2027-04-01、2027/4、2027年4月、4月頃、来年3月)。",
        "en": "“{value}” cannot be read as a date (e.g. 2027-04-01, 2027/4, 2027年4月, April 2027).",
    },
    "workflow.input.customer": {"ja": "顧客名", "en": "Customer"},
    "workflow.input.kind": {"ja": "種別", "en": "Kind"},
    "workflow.input.category": {"ja": "カテゴリ", "en": "Category"},
    "workflow.input.summary": {"ja": "お客様の言葉", "en": "What the customer said"},
    "workflow.input.timing": {"ja": "想定時期", "en": "Expected timing"},
    "workflow.input.owner": {"ja": "担当(営業)", "en": "Owner"},
    "workflow.input.submitter": {"ja": "共有者", "en": "Shared by"},
    "workflow.input.size": {"ja": "規模の見込み", "en": "Estimated size"},
    "workflow.input.source": {"ja": "きっかけ・出典", "en": "Source"},
    # --- hiyoko import --------------------------------------------------------------------------
    "import.field.created": {"ja": "タイムスタンプ", "en": "timestamp"},
    "import.field.submitter": {"ja": "投稿者", "en": "submitter"},
    "import.field.customer": {"ja": "顧客名", "en": "customer"},
    "import.field.kind": {"ja": "種別", "en": "kind"},
    "import.field.category": {"ja": "カテゴリ", "en": "category"},
    "import.field.summary": {"ja": "内容", "en": "summary"},
    "import.field.timing": {"ja": "時期", "en": "timing"},
    "import.field.size": {"ja": "規模", "en": "size"},
    "import.field.source": {"ja": "出典", "en": "source"},
    "import.field.owner": {"ja": "担当", "en": "owner"},
    "import.reason.missing": {"ja": "{field}が空です", "en": "the {field} is empty"},
    "import.reason.created_unreadable": {
        "ja": "タイムスタンプ「{value}」が読めません",
        "en": "the timestamp “{value}” cannot be read",
    },
    "import.reason.kind_unknown": {
        "ja": "種別「{value}」が読めません(卵/ひよこ、egg/chick、🥚/🐣)",
        "en": "the kind “{value}” cannot be read (egg/chick, 卵/ひよこ, 🥚/🐣)",
    },
    "import.reason.category_unknown": {
        "ja": "カテゴリ「{value}」が読めません(席数追加、プランアップ、クロスセル、その他)",
        "en": "the category “{value}” cannot be read (seats, plan, cross-sell, other)",
    },
    "import.reason.timing_unreadable": {
        "ja": "時期「{value}」が日付として読めません",
        "en": "the timing “{value}” cannot be read as a date",
    },
    "import.reason.chick_needs_timing": {
        "ja": "🐣ひよこなのに時期がありません(時期を書くか、種別を卵にしてください)",
        "en": "a 🐣 chick without a timing (add the timing, or make it an egg)",
    },
    "import.reason.user_not_found": {
        "ja": "{field}「{who}」に当たる Slack ユーザーがいません",
        "en": "no Slack user matches the {field} “{who}”",
    },
    "import.reason.user_ambiguous": {
        "ja": "{field}「{who}」に当たる人が{count}人います(メールアドレスかフルネームにしてください)",
        "en": "{count} people match the {field} “{who}” (use an e-mail address or the full name)",
    },
    "import.reason.owner_bot": {"ja": "担当「{who}」はボットです", "en": "the owner “{who}” is a bot"},
    "import.reason.owner_deactivated": {
        "ja": "担当「{who}」は無効化されたユーザーです(今の担当にしてください)",
        "en": "the owner “{who}” is deactivated (put today's owner)",
    },
    "import.reason.too_long": {
        "ja": "{field}が長すぎます({limit}文字まで、今は{length}文字)",
        "en": "the {field} is too long ({limit} characters at most, now {length})",
    },
    "import.reason_label.missing": {"ja": "必須項目が空", "en": "required cell empty"},
    "import.reason_label.created_unreadable": {"ja": "タイムスタンプが読めない", "en": "timestamp unreadable"},
    "import.reason_label.kind_unknown": {"ja": "種別が読めない", "en": "kind unreadable"},
    "import.reason_label.category_unknown": {"ja": "カテゴリが読めない", "en": "category unreadable"},
    "import.reason_label.timing_unreadable": {"ja": "時期が読めない", "en": "timing unreadable"},
    "import.reason_label.chick_needs_timing": {"ja": "時期のないひよこ", "en": "chick without timing"},
    "import.reason_label.user_not_found": {"ja": "ユーザーが見つからない", "en": "user not found"},
    "import.reason_label.user_ambiguous": {"ja": "ユーザーが特定できない", "en": "user ambiguous"},
    "import.reason_label.owner_bot": {"ja": "担当がボット", "en": "owner is a bot"},
    "import.reason_label.owner_deactivated": {"ja": "担当が無効化済み", "en": "owner deactivated"},
    "import.reason_label.too_long": {"ja": "長すぎる", "en": "too long"},
    "import.error.no_source": {
        "ja": "「{source}」はファイルとしても Google スプレッドシートのIDとしても見つかりません",
        "en": "“{source}” is neither a file nor a Google Sheet id or URL",
    },
    "import.error.unknown_format": {
        "ja": "{path} は .xlsx でも .csv でもありません",
        "en": "{path} is neither a .xlsx nor a .csv file",
    },
    "import.error.unreadable": {"ja": "{source} を読めません: {reason}", "en": "cannot read {source}: {reason}"},
    "import.error.no_tab": {
        "ja": "タブ「{tab}」がありません。あるタブ: {tabs}",
        "en": "there is no tab “{tab}”; the tabs are: {tabs}",
    },
    "import.error.encoding": {
        "ja": "CSV の文字コードが読めません(試したもの: {encodings})",
        "en": "cannot decode the CSV (tried {encodings})",
    },
    "import.error.no_google_credentials": {
        "ja": "Google スプレッドシートを読むには GOOGLE_APPLICATION_CREDENTIALS(サービスアカウントの鍵)が必要です",
        "en": "reading a Google Sheet needs GOOGLE_APPLICATION_CREDENTIALS (a service account's key)",
    },
    "import.error.google_not_shared": {
        "ja": "スプレッドシート {spreadsheet} が見つからないか共有されていません: {who} を閲覧者以上で共有してください",
        "en": "the spreadsheet {spreadsheet} is not found or not shared: share it with {who} (Viewer is enough)",
    },
    "import.error.bad_map": {
        "ja": "--map '{value}' は「見出し=項目」の形にしてください(項目: {fields})",
        "en": "--map '{value}' must be 'HEADER=field' (fields: {fields})",
    },
    "import.error.map_no_column": {
        "ja": "--map の見出し「{header}」の列がありません。列: {headers}",
        "en": "--map names the column “{header}”, which is not there; columns: {headers}",
    },
    "import.error.no_header": {
        "ja": "{source} の先頭10行に見出し行が見つかりません。--map '見出し=項目' で列を指定してください",
        "en": "no header row found in the first 10 rows of {source}; name the columns with --map 'HEADER=field'",
    },
    "import.error.missing_columns": {
        "ja": "必要な列が見つかりません: {fields}。--map '見出し=項目' で指定してください(列: {headers})",
        "en": "required columns not found: {fields}; name them with --map 'HEADER=field' (columns: {headers})",
    },
    "import.error.own_sheet": {
        "ja": "{source} は hiyoko 自身の Signals タブです。取り込むのは以前のシートです",
        "en": "{source} is hiyoko's own Signals tab; import the old sheet instead",
    },
    "import.error.no_token": {
        "ja": "担当・投稿者を Slack で探すため SLACK_BOT_TOKEN が必要です(hiyoko doctor で確認できます)",
        "en": "SLACK_BOT_TOKEN is needed to find owners and submitters in Slack (hiyoko doctor checks it)",
    },
    "import.error.slack": {
        "ja": "Slack でユーザーを探せません({error})。hiyoko doctor でスコープを確認してください",
        "en": "cannot look people up in Slack ({error}); check the scopes with hiyoko doctor",
    },
    "import.error.no_channel": {
        "ja": "--announce にはカードを投稿するチャンネル SIGNALS_CHANNEL_ID が必要です",
        "en": "--announce needs SIGNALS_CHANNEL_ID, the channel the cards go to",
    },
    "import.column.row": {"ja": "行", "en": "Row"},
    "import.column.result": {"ja": "結果", "en": "Result"},
    "import.column.created": {"ja": "作成日時", "en": "Created"},
    "import.column.kind": {"ja": "種別", "en": "Kind"},
    "import.column.customer": {"ja": "顧客名", "en": "Customer"},
    "import.column.category": {"ja": "カテゴリ", "en": "Category"},
    "import.column.timing": {"ja": "時期", "en": "Timing"},
    "import.column.owner": {"ja": "担当", "en": "Owner"},
    "import.column.submitter": {"ja": "投稿者", "en": "Submitter"},
    "import.column.summary": {"ja": "内容", "en": "Summary"},
    "import.result.new": {"ja": "取り込み", "en": "import"},
    "import.result.already": {"ja": "= 取り込み済み", "en": "= already there"},
    "import.result.refused": {"ja": "取り込めない", "en": "refused"},
    "import.source": {"ja": "読み込み元: {source}", "en": "Source: {source}"},
    "import.columns": {"ja": "列の対応: {columns}", "en": "Columns: {columns}"},
    "import.preview": {
        "ja": "プレビュー(--dry-run: 何も書き込みません)",
        "en": "Preview (--dry-run: nothing is written)",
    },
    "import.refused_title": {"ja": "取り込めなかった行({count}行):", "en": "Rows not imported ({count}):"},
    "import.refused_row": {"ja": "  {row}行目: {reasons}", "en": "  row {row}: {reasons}"},
    "import.by_reason": {"ja": "理由別: {reasons}", "en": "By reason: {reasons}"},
    "import.blank_rows": {"ja": "空の行 {count} 行は読み飛ばしました。", "en": "Skipped {count} blank rows."},
    "import.not_announced": {
        "ja": "チャンネルには投稿していません(投稿するなら --announce)。シート・履歴・App Home には出ます。",
        "en": "Nothing was posted to the channel (use --announce for that); the sheet, History and App Homes"
        " show them.",
    },
    "import.delivered": {
        "ja": "シート・履歴・App Home を更新しました({count}件)。",
        "en": "Updated the sheet, History and App Homes ({count} deliveries).",
    },
    "import.delivery_pending": {
        "ja": "{count}件はまだ届いていません(Slack かシートの一時的な失敗)。起動中の hiyoko が再試行します"
        "(止まっているなら hiyoko sheet resync)。",
        "en": "{count} deliveries are still pending (Slack or the sheet failed for now); a running hiyoko retries"
        " them (or run hiyoko sheet resync).",
    },
    "import.figures": {
        "ja": "読み込んだ行 {read} / 取り込み {imported} / 取り込み済み {already} / 取り込めなかった行 {refused}"
        " / {seconds}秒",
        "en": "Rows read {read} · imported {imported} · already there {already} · refused {refused} · {seconds} s",
    },
    "import.figures_dry": {
        "ja": "読み込んだ行 {read} / 取り込み予定 {imported} / 取り込み済み {already} / 取り込めない行 {refused}"
        " / {seconds}秒(--dry-run: 何も書き込んでいません)",
        "en": "Rows read {read} · would import {imported} · already there {already} · refused {refused}"
        " · {seconds} s (--dry-run: nothing written)",
    },
}
