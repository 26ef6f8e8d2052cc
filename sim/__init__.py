"""hotline-sim: simulate and plan the seats of a merged 12345 government service hotline."""

__version__ = "0.1.0"
