"""Time to calibrate a scenario from one month of the Anonymous Bank log (target: seconds).

The month is the one shipped in data/anonymous_bank_1999/ (gzip).  Reports
reading the file (decompressing included) and fitting separately; reading
alone is the baseline in the same process, so the fit's cost is a ratio to it.

    python benchmarks/bench_calibrate.py [MONTH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))            # this checkout's sim, not an installed one

from sim.logs import calllog  # noqa: E402
from sim.logs import calibrate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("month", nargs="?", default="june", choices=calllog.BANK_MONTHS,
                        help="the month of 1999 to calibrate from (default: june)")
    month = parser.parse_args().month
    path, = calllog.bank_months(month)
    start = time.perf_counter()
    log = calllog.read([path], "anonymous-bank")
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    calibrate.calibrate(log, "bench")
    fit_s = time.perf_counter() - start
    print(f"{month}: {len(log):,} calls; read {read_s:.2f} s, fitted {fit_s:.2f} s, total {read_s + fit_s:.2f} s "
          f"(fitting = {fit_s / read_s:.2f} x reading)")


if __name__ == "__main__":
    main()
