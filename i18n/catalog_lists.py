"""ja/en strings of the Slack List: its people's column, `hiyoko lists create`."""

MESSAGES: dict[str, dict[str, str]] = {
    "lists.column.comment": {"ja": "コメント", "en": "Comment"},
    "lists.name": {"ja": "hiyoko シグナル", "en": "hiyoko signals"},
    "lists.created": {
        "ja": "Slackリストを作りました: {list_id}\n"
        ".env に次の行を入れて再起動してください:\nHIYOKO_SLACK_LIST_ID={list_id}",
        "en": "Made the Slack List {list_id}.\nPut this line in .env and restart:\nHIYOKO_SLACK_LIST_ID={list_id}",
    },
    "lists.error.paid_only": {
        "ja": "Slackリストは有料プランのワークスペースでしか使えません({error})",
        "en": "Slack Lists need a workspace on a paid plan ({error})",
    },
    "lists.error.missing_scope": {
        "ja": "アプリにスコープ {needed} がありません。manifest.yml のスコープでアプリを再インストールしてください",
        "en": "the app lacks the scope {needed}: reinstall it with the scopes of manifest.yml",
    },
    "lists.error.other": {
        "ja": "Slackリストを作れませんでした: {error}",
        "en": "could not make the Slack List: {error}",
    },
}
