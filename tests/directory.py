"""The user directory as a running hiyoko has it once its start-up fill (users.list) is done.

The ack path reads only the directory, so tests about names, locales and refusals of known users
fill it first, as `serve` does at start. Import `filled_directory` into a test module to fill it
for every test there that uses the `hiyoko` fixture."""

from __future__ import annotations

import pytest

from app import Hiyoko
from models.permissions import parse_managers


def fill_directory(hiyoko: Hiyoko) -> Hiyoko:
    hiyoko.users.refresh(parse_managers(hiyoko.settings.hiyoko_managers)[1])
    return hiyoko


@pytest.fixture(autouse=True)
def filled_directory(request: pytest.FixtureRequest) -> None:
    if "hiyoko" in request.fixturenames:
        fill_directory(request.getfixturevalue("hiyoko"))
