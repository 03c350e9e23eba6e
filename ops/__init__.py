"""Running hiyoko: JSON logs with request and signal ids, Prometheus metrics, health, the outbox CLI."""
