"""What the message listener keeps in memory so a workspace's every message costs almost nothing:
the set of channels listened to (a message elsewhere is one set lookup), and the detector with the
team's newest model. Both are read again from the database now and then (REFRESH_SECONDS: the
Accounts tab or a model may change in another process), and at once after /hiyoko watch/unwatch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hearing.detector import Detector
from hearing.learning import TeamModel
from models.offerings import parse_offerings
from settings import Settings
from store.suggestions import SuggestionStore

log = logging.getLogger(__name__)
REFRESH_SECONDS = 60.0


class Listening:
    def __init__(
        self,
        store: SuggestionStore,
        settings: Settings,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._channels: frozenset[str] = frozenset()
        self._read_at: float | None = None
        self._model_id: int | None = None
        self._detector = Detector(
            parse_offerings(settings.hiyoko_products), parse_offerings(settings.hiyoko_plans), None
        )

    def listens_to(self, channel_id: str) -> bool:
        """Is this channel an Accounts row's or a watched one? (Memory, read again when stale.)"""
        if self._stale():
            self.refresh(only_if_stale=True)
        return channel_id in self._channels

    def detector(self) -> Detector:
        """The detector with the team's newest model (swapped in when a newer one was trained)."""
        if self._stale():
            self.refresh(only_if_stale=True)
        return self._detector

    def _stale(self) -> bool:
        read_at = self._read_at
        return read_at is None or self.monotonic() - read_at >= self.refresh_seconds

    def refresh(self, *, only_if_stale: bool = False) -> None:
        """Read the channels listened to and the newest model's id again (a model is loaded only
        when it is newer than the one in use). `only_if_stale`: listeners that found the memory
        stale at once read it once between them."""
        with self._lock:
            if only_if_stale and not self._stale():
                return
            self._channels = self.store.listened_channel_ids()
            newest = self.store.newest_model_id()
            if newest is not None and newest != self._model_id:
                text = self.store.model_json(newest)
                try:
                    model = TeamModel.from_json(text or "")
                except ValueError as error:
                    log.warning("hearing model #%s is not usable (%s); the rules alone decide", newest, error)
                else:
                    self._detector = self._detector.with_model(model)
                    log.info("hearing: the team's model #%s (%d examples) is in use", newest, model.examples)
                self._model_id = newest
            self._read_at = self.monotonic()
