"""The domain of hiyoko: pure, I/O-free types and rules. Imports nothing else of ours."""
