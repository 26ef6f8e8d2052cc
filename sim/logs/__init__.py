"""Logs: call records in, calibration to a scenario, replay of logged callers."""
