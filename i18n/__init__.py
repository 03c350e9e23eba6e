"""Every user-facing string, in Japanese and English. `t("key", "ja", name=...)` words one."""

from __future__ import annotations

from typing import Literal, get_args

from i18n.catalog import CATALOG

Lang = Literal["ja", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)


def t(key: str, lang: str, /, **params: object) -> str:
    """The message `key` in `lang` (English when the language is unknown), filled with `params`."""
    entry = CATALOG[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def language_of(locale: str | None, default: str = "ja") -> Lang:
    """Map a Slack locale such as `ja-JP` or `en-US` to a catalog language."""
    prefix = (locale or "").split("-", 1)[0].lower()
    for lang in LANGUAGES:
        if prefix == lang:
            return lang
    return "en" if default == "en" else "ja"
