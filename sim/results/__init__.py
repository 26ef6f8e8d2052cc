"""Results: figures from the runs' sums, at any grain, with intervals over replications."""
