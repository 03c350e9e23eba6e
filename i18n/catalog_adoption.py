"""ja/en strings of adoption: `hiyoko doctor`, the Workflow Builder step, `hiyoko import`."""

MESSAGES: dict[str, dict[str, str]] = {}
