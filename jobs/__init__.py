"""Background work: the outbox relay and its heartbeat, the scheduled tasks and their timer."""
