"""Input: scenario files in, a validated ``Scenario`` out (files, YAML, fields, limits, clock, laws)."""
