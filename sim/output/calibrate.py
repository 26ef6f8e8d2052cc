"""What ``hotline calibrate`` writes: the calibrated scenario, its long samples beside it, the fit report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sim import files
from sim.errors import LogError
from sim.input import limits, yamlfile
from sim.logs.calibrate import fitted_digest
from sim.output.folders import SAMPLE_LAWS, short_name

MARK = "# Calibrated by `hotline calibrate`"      # the first words of every file it writes (see folders.check_file)


def write(raw: dict, report: dict, out: Path, seconds: float, source: str = "the log") -> list[Path]:
    """The calibrated scenario (long empirical samples in files beside it) and its fit report.

    A scenario larger than a scenario file may be (``sim.input.limits``) is refused (LogError naming
    ``source``) before anything is written: ``hotline simulate`` would refuse it.
    """
    raw = json.loads(json.dumps(raw))            # a copy we may edit
    written, samples = [], {}                    # identical samples (after-call gaps) share one file
    for line_id, line in raw["lines"].items():
        for key in SAMPLE_LAWS:
            law = line.get(key)
            if law and law.get("dist") == "empirical" and len(law.get("values", [])) > 50:
                content = "\n".join(f"{v:g}" for v in law["values"]) + "\n"
                if content not in samples:
                    safe = short_name(re.sub(r"[^\w-]+", "-", line_id), 60)
                    side = out.with_name(f"{out.stem}.{safe}.{key}.txt")
                    if side in samples.values():          # two line ids made safe alike ('a b', 'a/b')
                        side = out.with_name(f"{out.stem}.{safe}-{len(samples)}.{key}.txt")
                    samples[content] = side
                    written.append(side)
                line[key] = {"dist": "empirical", "file": samples[content].name}
    if isinstance(raw.get("calibrated_from"), dict):          # what was fitted, as the file holds it
        raw["calibrated_from"]["fitted"] = fitted_digest(raw)
    report = dict(report, calibration_seconds=round(seconds, 2))
    header = (f"{MARK} in {seconds:.1f} s; fit report: {out.stem}.fit.json\n"
              f"# Arrivals per interval of the week (calls per hour), talk and after-call times, patience,\n"
              f"# busyness, redials and agents per interval all come from the log. Run it as it is.\n")
    text = header + yamlfile.dump(raw)
    size = len(text.encode("utf-8"))
    if size > limits.SCENARIO_FILE_BYTES:
        raise LogError(source, "", f"the scenario fitted to it would be {size / 1e6:.1f} MB ({len(raw['lines'])} "
                       f"lines, each with its arrival rates per interval of the week), more than the "
                       f"{limits.SCENARIO_FILE_BYTES / 1e6:g} MB a scenario file may be; calibrate fewer lines at "
                       "a time, or with a longer --interval-minutes")
    out.parent.mkdir(parents=True, exist_ok=True)
    for content, side in samples.items():
        files.write_text(side, content)
    files.write_text(out, text)
    report_path = out.with_name(f"{out.stem}.fit.json")
    files.write_text(report_path, json.dumps(report, indent=2, ensure_ascii=False, default=float) + "\n")
    return [out, report_path] + written
