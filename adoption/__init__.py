"""Adopting hiyoko: `hiyoko doctor`, the Workflow Builder step, `hiyoko import` of the old sheet."""
