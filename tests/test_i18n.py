"""The ja/en catalog: complete, consistent placeholders, and every key the code asks for exists."""

from __future__ import annotations

import importlib
import re
import string
from datetime import date
from pathlib import Path

import pytest

from bot.blocks.modal import share_modal
from i18n import LANGUAGES, language_of, t
from i18n.catalog import CATALOG
from models.signal import Category, Kind, SignalDraft, Status
from models.validation import validate_draft
from sheets.sync import header

ROOT = Path(__file__).resolve().parents[1]
SCANNED = [ROOT / "bot", ROOT / "sheets", ROOT / "cli"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# --- the catalog itself --------------------------------------------------------------------------


def test_languages() -> None:
    assert LANGUAGES == ("ja", "en")


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_entry_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert set(entry) == {"ja", "en"}
    ja, en = entry["ja"], entry["en"]
    assert ja.strip()
    assert en.strip()
    assert placeholders(ja) == placeholders(en)
    for name in placeholders(en):
        # t() fills by keyword only: a positional `{}` or `{0}` could never be filled.
        assert name.isidentifier(), name
    if not placeholders(en):
        # t() returns a text without parameters as is: a doubled brace would be shown doubled.
        assert "{{" not in ja + en
        assert "}}" not in ja + en


@pytest.mark.parametrize("key", sorted(CATALOG))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_entry_renders(key: str, lang: str) -> None:
    params = {name: f"<{name}>" for name in placeholders(CATALOG[key][lang])}
    text = t(key, lang, **params)
    for value in params.values():
        assert value in text
    assert "{" not in text
    assert "}" not in text


# --- t and language_of ---------------------------------------------------------------------------


def test_t_fills_parameters() -> None:
    assert t("error.too_long", "en", limit=150, length=151) == "Please keep this within 150 characters (now 151)."
    assert t("error.too_long", "ja", limit=150, length=151) == "150文字以内で入力してください(現在151文字)。"


@pytest.mark.parametrize("lang", ["fr", "", "jp", "EN"])
def test_t_falls_back_to_english(lang: str) -> None:
    assert t("modal.title", lang) == "Share upsell signal"
    assert t("error.timing_past", lang, today="2026-11-23") == "The timing cannot be in the past (today is 2026-11-23)."


def test_t_unknown_key_raises() -> None:
    with pytest.raises(KeyError):
        t("no.such.key", "en")


@pytest.mark.parametrize(
    ("locale", "default", "expected"),
    [
        ("ja-JP", "en", "ja"),
        ("en-US", "ja", "en"),
        ("en-GB", "ja", "en"),
        ("JA-jp", "en", "ja"),
        ("ja", "en", "ja"),
        (None, "en", "en"),
        (None, "ja", "ja"),
        ("", "en", "en"),
        ("fr-FR", "ja", "ja"),
        ("fr-FR", "en", "en"),
        ("jav-ID", "en", "en"),
    ],
)
def test_language_of(locale: str | None, default: str, expected: str) -> None:
    assert language_of(locale, default=default) == expected


def test_language_of_defaults_to_japanese() -> None:
    assert language_of("fr-FR") == "ja"
    assert language_of(None) == "ja"


# --- the keys the code asks for ------------------------------------------------------------------

# t("key", ...) or t(f"key.{x}", ...), over several lines too; quotes of either kind.
_T_CALL = re.compile(r"""(?<![\w.])t\(\s*(f?)(["'])(.+?)\2""")
_PROBLEM = re.compile(r"""(?<![\w.])Problem\(\s*(["'])(.+?)\1""")


def _sources() -> list[Path]:
    files: list[Path] = []
    for path in SCANNED:
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def _t_keys() -> tuple[set[str], set[str]]:
    """Literal keys and f-string templates found in t(...) calls."""
    literal: set[str] = set()
    templates: set[str] = set()
    for path in _sources():
        for is_f, _, key in _T_CALL.findall(path.read_text(encoding="utf-8")):
            (templates if is_f and "{" in key else literal).add(key)
    return literal, templates


def _problem_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*_sources(), *sorted((ROOT / "models").rglob("*.py"))]:
        keys.update(key for _, key in _PROBLEM.findall(path.read_text(encoding="utf-8")))
    return keys


LITERAL_KEYS, TEMPLATES = _t_keys()
PROBLEM_KEYS = _problem_keys()


def test_scanner_finds_the_calls() -> None:
    # Guards the regexes: a scanner that finds nothing would make the tests below pass vacuously.
    assert {"modal.title", "thread.assigned", "field.source", "command.help", "cli.db_upgraded"} <= LITERAL_KEYS
    assert {"kind.{signal.kind.value}", "sheet.{column}", "field.{field}.placeholder"} <= TEMPLATES
    assert {"error.required", "error.too_long", "error.unknown_user"} <= PROBLEM_KEYS


@pytest.mark.parametrize("key", sorted(LITERAL_KEYS | PROBLEM_KEYS))
def test_literal_key_is_in_the_catalog(key: str) -> None:
    assert key in CATALOG


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_fstring_key_matches_some_catalog_key(template: str) -> None:
    prefix = template.split("{", 1)[0]
    assert prefix, "an f-string key should start with a literal group such as 'kind.'"
    # Each {expression} stands for one key segment: "kind.{x}.short" matches "kind.egg.short".
    pattern = re.compile(r"[a-z_]+".join(re.escape(part) for part in re.split(r"\{[^{}]*\}", template)))
    assert any(pattern.fullmatch(key) for key in CATALOG), template


@pytest.mark.parametrize(
    "key",
    [f"kind.{kind.value}" for kind in Kind]
    + [f"kind.{kind.value}.short" for kind in Kind]
    + [f"category.{category.value}" for category in Category]
    + [f"status.{status.value}" for status in Status],
)
def test_every_enum_member_is_worded(key: str) -> None:
    assert key in CATALOG


@pytest.mark.parametrize("lang", LANGUAGES)
def test_modal_and_sheet_header_render(lang: str) -> None:
    # Renders the f-string keys of the modal (placeholders) and of the sheet header (columns).
    modal = share_modal(lang)
    assert modal["title"]["text"] == CATALOG["modal.title"][lang]
    columns = header(lang)
    assert columns[0] == "ID"
    assert CATALOG["sheet.customer"][lang] in columns


@pytest.mark.parametrize("lang", LANGUAGES)
def test_validation_problems_render_with_their_parameters(lang: str) -> None:
    # The parameters validate_draft hands over are exactly the placeholders the catalog expects.
    draft = SignalDraft(
        customer="",
        kind=Kind.EGG,
        category=Category.PLAN,
        summary="x" * 2001,
        timing=date(2026, 11, 22),
        owner_id="UAE",
    )
    problems = validate_draft(draft, date(2026, 11, 23))
    assert {problem.key for problem in problems.values()} == {"error.required", "error.too_long", "error.timing_past"}
    for problem in problems.values():
        assert set(problem.params) == placeholders(CATALOG[problem.key][lang])
        assert t(problem.key, lang, **problem.params)


AREA_CATALOGS = sorted(p.stem for p in (Path(__file__).parents[1] / "i18n").glob("catalog_*.py"))


def _core_keys() -> set[str]:
    """The keys catalog.py defines itself (read from its source: CATALOG also holds the areas')."""
    source = (Path(__file__).parents[1] / "i18n" / "catalog.py").read_text(encoding="utf-8")
    return set(re.findall(r'^    "([a-z0-9_.]+)": \{', source, re.MULTILINE))


def test_the_core_catalog_is_read() -> None:
    assert len(_core_keys()) > 100
    assert len(AREA_CATALOGS) >= 7  # adoption, jobs, absences, routing, accounts, readback, proposals, lists


@pytest.mark.parametrize("area", AREA_CATALOGS)
def test_an_area_catalog_redefines_no_other_key_and_is_merged(area: str) -> None:
    """catalog.py merges every area's catalog into the core one: a key in two of them would
    silently replace a message, and an area left unmerged would never be found."""
    keys = set(importlib.import_module(f"i18n.{area}").MESSAGES)
    others = _core_keys()
    for other in AREA_CATALOGS:
        if other != area:
            others |= set(importlib.import_module(f"i18n.{other}").MESSAGES)
    assert not keys & others
    assert keys <= set(CATALOG)
