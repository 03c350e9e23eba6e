"""ja/en strings of scheduled work: nudges, reminders, the weekly digest, `hiyoko jobs`."""

MESSAGES: dict[str, dict[str, str]] = {}
