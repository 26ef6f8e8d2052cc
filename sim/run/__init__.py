"""Run: replications of scenarios, where they run (executors), the result store and sweeps of variants."""
