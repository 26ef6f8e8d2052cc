"""Model: one replication of a scenario on SimPy (callers, pools, routing, transfers, outbound work, counters)."""
