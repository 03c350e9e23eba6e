"""Customer-name keys for the duplicate warning: the same company written differently matches,
different companies do not."""

from __future__ import annotations

import pytest

from models.customers import normalize_customer

# Each group: spellings of one company that must share a key, and that key.
SAME: list[tuple[str, list[str]]] = [
    (
        "サンプル",
        [
            "サンプル",
            "株式会社サンプル",
            "サンプル株式会社",
            "（株）サンプル",
            "(株)サンプル",
            "㈱サンプル",
            "サンプル㈱",
            "サンプル（株）",
            "サンプル ( 株 )",
            "ｻﾝﾌﾟﾙ",
            "ｻﾝﾌﾟﾙ株式会社",
            " サンプル　株式会社 ",
            "株式会社　サンプル",
            "株式会社サンプル Co., Ltd.",
        ],
    ),
    (
        "acme",
        [
            "acme",
            "Acme Inc.",
            "ACME, Inc",
            "Ａｃｍｅ Corporation",
            "Acme Co., Ltd.",
            "Acme Co.,Ltd.",
            "Acme Co. Ltd",
            "Acme Co, Ltd",
            "Acme Incorporated",
            "Acme Co",
            "Acme Co.",
            "Acme Ltd",
            "Acme Ltd.",
            "Acme Limited",
            "Acme Corp",
            "Acme Corp.",
            "Acme LLC",
            "Acme L.L.C.",
            "Acme K.K.",
            "Acme KK",
            "Acme G.K.",
            "Acme GmbH",
            "ＡＣＭＥ　ＩＮＣ．",
            "  acme  ",
            "Acme Inc",
            "ACME CO LTD",
        ],
    ),
    ("やまだ", ["やまだ", "有限会社やまだ", "やまだ有限会社", "(有)やまだ", "（有）やまだ", "㈲やまだ", "やまだ㈲"]),
    (
        "テック",
        [
            "合同会社テック",
            "テック合同会社",
            "合資会社テック",
            "合名会社テック",
            "一般社団法人テック",
            "一般財団法人 テック",
            "テック(同)",
        ],
    ),
    # The middle dot, spaces, ASCII commas, dots and hyphens are not part of the key.
    (
        "サンプルテック",
        [
            "サンプル・テック",
            "サンプルテック",
            "サンプル テック",
            "ｻﾝﾌﾟﾙ･ﾃｯｸ",
            "サンプル・テック株式会社",
        ],
    ),
    ("atech", ["A-Tech", "ATech", "A Tech", "a.tech", "Ａ－Ｔｅｃｈ", "A-Tech Inc."]),
    ("acmefoods", ["Acme Foods", "ACME FOODS, INC.", "Acme-Foods Co., Ltd."]),
    ("コーヒー", ["コーヒー", "ｺｰﾋｰ", "コーヒー株式会社"]),  # the half-width long-vowel mark is kept as ー
    ("strasse", ["Straße", "STRASSE", "strasse GmbH"]),  # casefold, not lower
]


@pytest.mark.parametrize(("key", "names"), SAME, ids=[key for key, _ in SAME])
def test_spellings_of_one_company_share_a_key(key: str, names: list[str]) -> None:
    assert {name: normalize_customer(name) for name in names} == dict.fromkeys(names, key)


DIFFERENT: list[tuple[str, str]] = [
    ("Acme Foods", "Acme"),
    ("Acme Japan", "Acme"),
    ("サンプル商事", "サンプル"),
    ("ビール", "ビル"),  # ー matters in Japanese
    ("サンプル‐テック", "サンプルテック"),  # only the ASCII hyphen is dropped
    ("サンプル—テック", "サンプルテック"),
    ("ガス", "カス"),  # dakuten matters, also when half-width
    ("ｶﾞｽ", "カス"),
    ("Monaco", "Mona"),  # a legal form counts only as a word of its own
    ("Zinc", "Z"),
    ("Telco", "Tel"),
    ("Acme Kokk", "Acme"),
    # Latin forms are suffixes only: "Limited Brands" and "Co-op" are names, not legal forms.
    ("Limited Brands", "Brands"),
    ("Co-op Foods", "op Foods"),
    ("株式会社サンプル支店", "サンプル"),  # a legal form in the middle stays
    ("A1", "A2"),
]


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_companies_keep_different_keys(one: str, other: str) -> None:
    assert normalize_customer(one) != normalize_customer(other)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("株式会社", "株式会社"),  # nothing but a legal form: still a key, never ""
        (" 株式会社 ", "株式会社"),
        ("（株）", "(株)"),
        ("㈱", "(株)"),
        ("Inc.", "inc."),
        ("Co., Ltd.", "co.,ltd."),
        ("株式会社　有限会社", "株式会社有限会社"),
        ("", ""),
        ("   ", ""),
        ("\u3000", ""),
    ],
)
def test_a_name_that_is_only_a_legal_form_keeps_a_key(name: str, key: str) -> None:
    assert normalize_customer(name) == key


@pytest.mark.parametrize("name", [name for _, names in SAME for name in names] + [one for one, _ in DIFFERENT])
def test_a_key_is_its_own_key(name: str) -> None:
    # Stored keys can be compared with freshly computed ones without knowing which was normalized.
    key = normalize_customer(name)
    assert normalize_customer(key) == key
