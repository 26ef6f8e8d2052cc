"""What ``hotline calibrate`` writes: the calibrated scenario, its long samples beside it, the fit report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sim import files
from sim.input import yamlfile


def write(raw: dict, report: dict, out: Path, seconds: float) -> list[Path]:
    """The calibrated scenario (long empirical samples in files beside it) and its fit report."""
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = json.loads(json.dumps(raw))            # a copy we may edit
    written, samples = [], {}                    # identical samples (after-call gaps) share one file
    for line_id, line in raw["lines"].items():
        for key in ("handle_seconds", "wrapup_seconds"):
            law = line.get(key)
            if law and law.get("dist") == "empirical" and len(law.get("values", [])) > 50:
                content = "\n".join(f"{v:g}" for v in law["values"]) + "\n"
                if content not in samples:
                    safe = re.sub(r"[^\w-]+", "-", line_id)
                    side = out.with_name(f"{out.stem}.{safe}.{key}.txt")
                    files.write_text(side, content)
                    samples[content] = side
                    written.append(side)
                line[key] = {"dist": "empirical", "file": samples[content].name}
    report = dict(report, calibration_seconds=round(seconds, 2))
    header = (f"# Calibrated by `hotline calibrate` in {seconds:.1f} s; fit report: {out.stem}.fit.json\n"
              f"# Arrivals per interval of the week (calls per hour), talk and after-call times, patience,\n"
              f"# busyness, redials and agents per interval all come from the log. Run it as it is.\n")
    files.write_text(out, header + yamlfile.dump(raw))
    report_path = out.with_name(f"{out.stem}.fit.json")
    files.write_text(report_path, json.dumps(report, indent=2, ensure_ascii=False, default=float) + "\n")
    return [out, report_path] + written
