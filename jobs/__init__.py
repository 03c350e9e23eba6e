"""Background work: the outbox relay, and (later) scheduled jobs. Plain functions of their inputs."""
