"""Prometheus metrics: counters the relay and jobs bump in this process, and gauges read from the
database at scrape time (so every replica reports the same signals and backlog)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from models.clock import Clock
from store import Outbox, SignalStore
from store.schedule import JobStore


class DatabaseCollector(Collector):
    def __init__(self, store: SignalStore, outbox: Outbox, jobs: JobStore, clock: Clock) -> None:
        self.store = store
        self.outbox = outbox
        self.jobs = jobs
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        signals = GaugeMetricFamily("hiyoko_signals", "Signals by kind and status", labels=["kind", "status"])
        for (kind, status), count in sorted(self.store.counts().items()):
            signals.add_metric([kind, status], count)
        yield signals
        states = self.outbox.counts()
        backlog = GaugeMetricFamily("hiyoko_outbox_rows", "Outbox rows by state", labels=["state"])
        for state in ("pending", "done", "dead"):
            backlog.add_metric([state], states.get(state, 0))
        yield backlog
        oldest: datetime | None = self.outbox.oldest_pending()
        age = (self.clock.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "hiyoko_outbox_oldest_pending_seconds", "Age of the oldest undelivered row", value=max(0.0, age)
        )
        runs = GaugeMetricFamily(
            "hiyoko_job_last_run_timestamp_seconds", "When each job last ran (claimed)", labels=["job"]
        )
        for name, run in sorted(self.jobs.last_runs().items()):
            runs.add_metric([name], run.claimed_at.timestamp())
        yield runs


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "hiyoko_deliveries",
            "Outbox deliveries by target and outcome",
            ["target", "outcome"],
            registry=self.registry,
        )
        self.job_runs = Counter(
            "hiyoko_job_runs", "Scheduled job runs by job and outcome", ["job", "outcome"], registry=self.registry
        )

    def watch_database(self, store: SignalStore, outbox: Outbox, jobs: JobStore, clock: Clock) -> None:
        self.registry.register(DatabaseCollector(store, outbox, jobs, clock))

    def delivered(self, target: str, outcome: str, count: int = 1) -> None:
        self.deliveries.labels(target=target, outcome=outcome).inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
