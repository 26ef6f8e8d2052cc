"""Output: the files, tables, charts and briefings each command writes."""
