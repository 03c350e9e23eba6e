"""The team's own products and plan ladder, as `HIYOKO_PRODUCTS` and `HIYOKO_PLANS` write them. Pure.

Each is `;`-separated; each entry is a name and its other names after `|`:
`ゲンバチェック|GenbaCheck;ゲンバカメラ|GenbaCam`. Products: the first is the one most customers
use, so a hint naming another is cross-sell. Plans: lowest first, so a hint naming a higher plan
than the customer's is a plan hint.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_NAME = 100


@dataclass(frozen=True)
class Offering:
    name: str  # as the team writes it first
    aliases: tuple[str, ...] = ()  # other names, as written

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def parse_offerings(value: str) -> tuple[Offering, ...]:
    """`A|a1|a2;B|b1` → (Offering("A", ("a1", "a2")), Offering("B", ("b1",))). Empty → ().
    Raises ValueError naming the part that cannot be used (an empty name, a name given twice)."""
    found: list[Offering] = []
    seen: set[str] = set()
    for part in value.split(";"):
        if not part.strip():
            continue
        names = [name.strip() for name in part.split("|")]
        if not names[0]:
            raise ValueError(f"{part.strip()!r} has no name before its first '|'")
        kept: list[str] = []
        for name in names:
            if not name:
                continue
            if len(name) > MAX_NAME:
                raise ValueError(f"{name[:20]!r}… is longer than {MAX_NAME} characters")
            key = name.casefold()
            if key in seen:
                raise ValueError(f"{name!r} is named twice")
            seen.add(key)
            kept.append(name)
        found.append(Offering(kept[0], tuple(kept[1:])))
    return tuple(found)
