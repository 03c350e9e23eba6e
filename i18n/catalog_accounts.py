"""ja/en strings of the Accounts tab: what `hiyoko accounts check` says of a row it cannot use, and
how to fix it; `hiyoko accounts import`; the doctor's accounts line."""

_PERSON_FIX_JA = "SlackのユーザーID(U…)、Slackに登録されたメールアドレス、または表示名を1人分だけ書いてください"
_PERSON_FIX_EN = "write one person: their Slack user id (U…), their e-mail address as in Slack, or their display name"

MESSAGES: dict[str, dict[str, str]] = {
    # --- where -------------------------------------------------------------------------------
    "accounts.where.row": {"ja": "{row}行目", "en": "row {row}"},
    "accounts.where.cell": {"ja": "{row}行目 · {column}「{value}」", "en": 'row {row} · {column} "{value}"'},
    # --- problems and their fixes --------------------------------------------------------------
    "accounts.problem.no_header": {
        "ja": "見出し行に「顧客名」(Customer)の列がありません({value})",
        "en": "the header row has no Customer (顧客名) column ({value})",
    },
    "accounts.fix.no_header": {
        "ja": "1行目を見出しにしてください: 顧客名, AE, カスタマーセールス, CSM, チャンネル, 別名, CRM ID"
        "(英語なら Customer, AE, CSales, CSM, Channel, Aliases, CRM ID)。それまで前回読めた顧客一覧を使います",
        "en": "make row 1 the header: Customer, AE, CSales, CSM, Channel, Aliases, CRM ID (or 顧客名, AE, "
        "カスタマーセールス, CSM, チャンネル, 別名, CRM ID); until then the accounts last read stay in use",
    },
    "accounts.problem.duplicate_column": {
        "ja": "同じ意味の列が2つあります(先の「{first}」を使います)",
        "en": 'a second column of the same kind (the first, "{first}", is used)',
    },
    "accounts.fix.duplicate_column": {
        "ja": "どちらかの列を消すか、見出しを変えてください",
        "en": "delete one of the two columns or rename its header",
    },
    "accounts.problem.missing_customer": {
        "ja": "顧客名がありません(この行は使いません)",
        "en": "no customer name (the row is not used)",
    },
    "accounts.fix.missing_customer": {
        "ja": "顧客名を書くか、行を消してください",
        "en": "write the customer's name or delete the row",
    },
    "accounts.problem.too_long": {
        "ja": "{limit}文字を超えています(使いません)",
        "en": "longer than {limit} characters (not used)",
    },
    "accounts.fix.too_long": {
        "ja": "会社名だけを書いてください(メモは別の列へ)",
        "en": "write the company's name only (notes go in a column of your own)",
    },
    "accounts.problem.duplicate_customer": {
        "ja": "{first}行目と同じ顧客です(表記ゆれ・別名を含む。この行は使いません)",
        "en": "the same customer as row {first} (spelling, legal form and aliases aside; the row is not used)",
    },
    "accounts.fix.duplicate_customer": {
        "ja": "{first}行目とまとめて1行にしてください(別の表記は「別名」列へ)",
        "en": "merge it into row {first} (other spellings go in the Aliases column)",
    },
    "accounts.problem.alias_taken": {
        "ja": "この別名は{first}行目の顧客名か別名と同じです(この別名は使いません)",
        "en": "this alias is row {first}'s name or alias already (the alias is not used)",
    },
    "accounts.fix.alias_taken": {
        "ja": "どちらの顧客の別名かを決めて、もう一方から消してください",
        "en": "decide whose alias it is and remove it from the other row",
    },
    "accounts.problem.several_people": {
        "ja": "1つのセルに複数の人が書かれています(空欄として扱います)",
        "en": "more than one person in one cell (treated as empty)",
    },
    "accounts.fix.several_people": {"ja": _PERSON_FIX_JA, "en": _PERSON_FIX_EN},
    "accounts.problem.unknown_id": {
        "ja": "このIDのSlackユーザーがいません(空欄として扱います)",
        "en": "no Slack user has this id (treated as empty)",
    },
    "accounts.fix.unknown_id": {
        "ja": "IDを確かめてください(プロフィールの「︙」→「メンバーIDをコピー」)。入社したばかりの人なら "
        "`hiyoko jobs run directory_refresh` のあとにもう一度",
        "en": "check the id (profile → ⋮ → Copy member ID); for someone who just joined, run "
        "`hiyoko jobs run directory_refresh` and check again",
    },
    "accounts.problem.unknown_email": {
        "ja": "このメールアドレスのSlackユーザーがいません(空欄として扱います)",
        "en": "no Slack user has this e-mail address (treated as empty)",
    },
    "accounts.fix.unknown_email": {
        "ja": "Slackのプロフィールに登録されたアドレスを書くか、ユーザーID(U…)を書いてください",
        "en": "write the address on the person's Slack profile, or their user id (U…)",
    },
    "accounts.problem.unknown_name": {
        "ja": "この名前のSlackユーザーがいません(空欄として扱います)",
        "en": "no Slack user has this display or real name (treated as empty)",
    },
    "accounts.fix.unknown_name": {
        "ja": "Slackの表示名どおりに書くか、メールアドレスかユーザーID(U…)を書いてください",
        "en": "write the name as Slack shows it, or the person's e-mail address or user id (U…)",
    },
    "accounts.problem.ambiguous_person": {
        "ja": "この名前の人が複数います({ids}。空欄として扱います)",
        "en": "more than one person has this name ({ids}; treated as empty)",
    },
    "accounts.fix.ambiguous_person": {
        "ja": "メールアドレスかユーザーID(U…)で書いてください",
        "en": "write the person's e-mail address or user id (U…) instead",
    },
    "accounts.problem.bot_person": {
        "ja": "ボットです({id}。空欄として扱います)",
        "en": "this is a bot ({id}; treated as empty)",
    },
    "accounts.fix.bot_person": {"ja": _PERSON_FIX_JA, "en": _PERSON_FIX_EN},
    "accounts.problem.deactivated_person": {
        "ja": "Slackで無効化された人です({id}。空欄として扱い、チームに回します)",
        "en": "deactivated in Slack ({id}; treated as empty, the team takes it)",
    },
    "accounts.fix.deactivated_person": {
        "ja": "後任の人に書き換えてください",
        "en": "write the person who took over instead",
    },
    "accounts.problem.bad_channel": {
        "ja": "チャンネルIDではありません(空欄として扱います)",
        "en": "not a channel id (treated as empty)",
    },
    "accounts.fix.bad_channel": {
        "ja": "チャンネル名ではなくID(C…またはG…)を書いてください: チャンネル名をクリック → 一番下のチャンネルID",
        "en": "write the channel's id (C… or G…), not its name: click the channel's name → the id at the bottom",
    },
    "accounts.problem.channel_taken": {
        "ja": "{first}行目と同じチャンネルです(この行では使いません)",
        "en": "row {first} has this channel already (not used for this row)",
    },
    "accounts.fix.channel_taken": {
        "ja": "1つのチャンネルは1顧客にしてください",
        "en": "give each channel to one customer only",
    },
    "accounts.problem.bot_not_in_channel": {
        "ja": "hiyokoがこのチャンネルに参加していません",
        "en": "hiyoko is not a member of this channel",
    },
    "accounts.fix.bot_not_in_channel": {
        "ja": "チャンネルで `/invite @hiyoko` を実行してください",
        "en": "run `/invite @hiyoko` in the channel",
    },
    "accounts.problem.channel_not_found": {
        "ja": "hiyokoからこのチャンネルが見えません(ないか、hiyokoのいないプライベートチャンネル)",
        "en": "hiyoko cannot see this channel (no such channel, or a private one hiyoko is not in)",
    },
    "accounts.fix.channel_not_found": {
        "ja": "IDを確かめ、プライベートチャンネルなら `/invite @hiyoko` を実行してください",
        "en": "check the id; for a private channel, run `/invite @hiyoko` in it",
    },
    # --- hiyoko accounts check ------------------------------------------------------------------
    "accounts.check.no_tab": {
        "ja": "✅ {where} に顧客一覧はありません(担当はすべてチームに回ります)",
        "en": "✅ no accounts in {where} (every signal goes to the teams)",
    },
    "accounts.check.ok": {
        "ja": "✅ {where}: {accounts}社、すべての行を使えます",
        "en": "✅ {where}: {accounts} account(s), every row usable",
    },
    "accounts.check.failed": {
        "ja": "❌ {where}: {rows}行にそのままでは使えない所があります(問題 {problems}件、使える顧客 {accounts}社)",
        "en": "❌ {where}: {rows} row(s) cannot be used as written ({problems} problem(s); "
        "{accounts} account(s) usable)",
    },
    "accounts.check.directory_filled": {
        "ja": "ユーザー一覧が空だったのでSlackから読みました({count}人)",
        "en": "the user directory was empty: read {count} user(s) from Slack",
    },
    "accounts.check.channels_unchecked": {
        "ja": "チャンネルへの参加は確かめていません: {reason}",
        "en": "channel membership not checked: {reason}",
    },
    "accounts.check.no_token": {"ja": "SLACK_BOT_TOKEN がありません", "en": "SLACK_BOT_TOKEN is not set"},
    "accounts.error.read": {
        "ja": "{where} を読めませんでした: {error}",
        "en": "could not read {where}: {error}",
    },
    # --- hiyoko accounts import ---------------------------------------------------------------
    "accounts.error.write": {
        "ja": "{where} に書き込めませんでした: {error}",
        "en": "could not write to {where}: {error}",
    },
    "accounts.import.no_file": {"ja": "ファイルがありません: {path}", "en": "no such file: {path}"},
    "accounts.import.format": {
        "ja": "{path}: .csv か .xlsx を指定してください",
        "en": "{path}: give a .csv or .xlsx file",
    },
    "accounts.import.empty": {"ja": "{path} は空です", "en": "{path} is empty"},
    "accounts.import.no_header": {
        "ja": "{path} の最初の行に「顧客名」(Customer)の列がありません",
        "en": "{path}: the first row has no Customer (顧客名) column",
    },
    "accounts.import.written": {
        "ja": "{where} に{rows}行を書き込みました(見出しを除く)",
        "en": "wrote {rows} row(s) to {where} (header aside)",
    },
    # --- the doctor -------------------------------------------------------------------------------
    "doctor.accounts.ok": {
        "ja": "顧客一覧: {accounts}社({where})",
        "en": "Accounts: {accounts} account(s) ({where})",
    },
    "doctor.accounts.failed": {
        "ja": "顧客一覧: {rows}行にそのままでは使えない所があります(問題 {problems}件)",
        "en": "Accounts: {rows} row(s) cannot be used as written ({problems} problem(s))",
    },
    "doctor.accounts.fix": {
        "ja": "`hiyoko accounts check` で行ごとの直し方を見てください",
        "en": "run `hiyoko accounts check` for each row and its fix",
    },
    "doctor.accounts.unreadable": {
        "ja": "顧客一覧を読めませんでした: {error}",
        "en": "could not read the Accounts tab: {error}",
    },
    "doctor.accounts.skipped": {
        "ja": "顧客一覧は確かめていません(データベースが使えません)",
        "en": "Accounts not checked (the database is not ready)",
    },
}
