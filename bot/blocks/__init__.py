"""Block Kit built by pure functions: data in, JSON-ready dicts out."""
