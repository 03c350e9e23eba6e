"""`hiyoko hear`'s own lines (the detector's JSON lines are data, not prose)."""

MESSAGES: dict[str, dict[str, str]] = {
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
