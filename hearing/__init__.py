"""Hearing eggs in customer channels: the detector (a morphological analyser, rules and a small
local model) and its training from the team's own signals. Pure given its analyser."""
