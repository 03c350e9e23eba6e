"""ja/en strings of routing: the share's optional owner, why a person owns a signal."""

MESSAGES: dict[str, dict[str, str]] = {
    "field.owner.hint": {
        "ja": "空欄なら担当アカウント・チームに自動で割り当てます",
        "en": "Leave empty to route it to the account's rep or the team",
    },
    "routing.nobody": {
        "ja": "自動で割り当てられる人がいません — 担当を選んでください",
        "en": "no one to route this to — pick an owner",
    },
    # Why the owner has the signal: on the card and in the owner's thread line. {role} is
    # routing.role.*, {by} a mention.
    "routing.why.account": {"ja": "アカウントの{role}", "en": "the account's {role}"},
    "routing.why.team": {"ja": "{role}チームの順番", "en": "{role} team's turn"},
    "routing.why.chosen": {"ja": "{by} が指名", "en": "chosen by {by}"},
    # Engineer C's re-route (a deactivated owner's signals): by = the previous owner.
    "routing.why.rerouted": {
        "ja": "前の担当 {by} が無効になったため",
        "en": "{by} was deactivated",
    },
    "routing.why.label": {"ja": "担当の理由", "en": "Why this owner"},
    "routing.why.line": {"ja": "({why})", "en": " ({why})"},
    "routing.import.routed": {"ja": "(自動で割り当て)", "en": "(routed)"},
    "routing.role.ae": {"ja": "AE", "en": "AE"},
    "routing.role.csales": {"ja": "CSales", "en": "CSales"},
    "routing.role.csm": {"ja": "CSM", "en": "CSM"},
}
