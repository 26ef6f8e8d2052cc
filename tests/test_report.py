"""hotline report: a self-contained HTML briefing, checked in a real headless Chromium."""

import re
from pathlib import Path

import numpy as np
import pytest
import system_packages
import yaml
from click.testing import CliRunner

from sim.cli import main
from sim.output import labels

EXP = lambda mean: {"dist": "exponential", "mean": mean}           # noqa: E731
ROOT = Path(__file__).resolve().parents[1]
FUYANG = ROOT / "scenarios" / "fuyang"


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def result_dirs(tmp_path_factory):
    """Small results of simulate, compare and plan."""
    tmp = tmp_path_factory.mktemp("results")
    invoke("simulate", ROOT / "scenarios" / "default.yaml", "-r", "2", "--out", tmp / "sim")
    short = []
    for name in ("status_quo", "full_merge"):
        from sim.input import scenario as sc
        raw = dict(sc.load(FUYANG / f"{name}.yaml").raw, horizon_hours=24)
        path = tmp / f"{name}.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True))
        short.append(path)
    invoke("compare", *short, "-r", "2", "--out", tmp / "cmp")
    rates = [60] * 16 + [600] * 2 + [60] * 30
    peak = {"name": "peak", "horizon_hours": 48, "interval_minutes": 30,
            "lines": {"L": {"arrivals": {"per_interval": rates}, "pool": "p",
                            "handle_seconds": {"dist": "exponential", "mean": 300},
                            "patience_seconds": {"dist": "exponential", "mean": 600}}},
            "pools": {"p": {"seats": 1}},
            "planning": {"shifts": [{"name": "h", "starts": [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)],
                                     "hours": 1}], "replications": 3}}
    (tmp / "peak.yaml").write_text(yaml.safe_dump(peak))
    invoke("plan", tmp / "peak.yaml", "--out", tmp / "plan")
    return [tmp / "cmp", tmp / "plan", tmp / "sim"]


def browse(page: Path, screenshot: Path):
    """Open the page in headless Chromium: (console messages, images as (complete, width), page height)."""
    system_packages.ensure()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1100,1400"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.resolve().as_uri())
        images = driver.execute_script("return [...document.images].map(i => [i.complete, i.naturalWidth])")
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1100, min(height + 100, 8000))
        driver.save_screenshot(str(screenshot))
        return driver.get_log("browser"), images, height
    finally:
        driver.quit()


def test_briefing_is_self_contained_and_renders_in_chromium(result_dirs, tmp_path):
    page = tmp_path / "briefing.html"
    invoke("report", *result_dirs, "--out", page)
    html = page.read_text()
    assert not re.search(r"""(src|href)=['"]?(https?:|//)""", html)         # nothing fetched from a network
    assert html.count("data:image/png;base64,") == 6                        # 2 compare + 3 plan + 1 simulate
    assert "service level = calls answered within 15 s / calls offered" in html
    assert "Assumptions and their sources" in html
    assert "Changzhou" in html                                              # the scenario's sources travel along
    # the plan verified 48 hours of its week, and the briefing says so beside "every target met"
    assert "48 hours from Mon 00:00 only: the roster&#x27;s other hours rest on Erlang A alone" in html
    console, images, height = browse(page, tmp_path / "shot.png")
    assert not [m for m in console if m["level"] in ("SEVERE", "ERROR")], console
    assert len(images) == 6 and all(done and width > 300 for done, width in images), images
    from PIL import Image
    shot = np.asarray(Image.open(tmp_path / "shot.png").convert("L"), dtype=float)
    assert height > 2000 and shot.std() > 20                                # a long page with real content


def test_chinese_briefing_uses_a_font_with_every_character(result_dirs, tmp_path):
    system_packages.ensure()
    page = tmp_path / "briefing_zh.html"
    invoke("report", *result_dirs, "--out", page, "--lang", "zh")
    html = page.read_text()
    assert "15秒接通率" in html and "呼损率" in html and "<html lang='zh-CN'>" in html
    assert "仅自周一 00:00起48小时；排班其余时段仅按排队论公式（Erlang A）估算，未经仿真验证" in html
    assert "及时接通率" not in html and "缺勤" not in html and "一次办结率" not in html     # one term for each figure
    # the goals beside "every target met" and "after shrinkage" (found by an outside review, 2026-12-05)
    assert "方案目标：15秒接通率不低于80%、呼损率不高于5%" in html                   # default.yaml's simulation
    assert "规划目标</td><td>15秒接通率不低于80%、呼损率不高于5%（每个时段）；排班损耗率0%" in html     # the plan
    assert "服务水平" not in html and "放弃率" not in html            # a 12345 manager's words
    from matplotlib import font_manager
    font = labels.cjk_font()
    assert font is not None
    face = font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=font)))
    chars = {c for entry in labels.TEXT.values() for v in [entry.get("zh", "")]
             for c in (v if isinstance(v, str) else "".join(v)) if ord(c) > 0x2E80}
    missing = [c for c in chars if face.get_char_index(ord(c)) == 0]
    assert chars and not missing, missing
    console, images, _ = browse(page, tmp_path / "shot_zh.png")
    assert not [m for m in console if m["level"] in ("SEVERE", "ERROR")]
    assert all(done and width > 300 for done, width in images)


def test_chinese_without_a_font_is_refused_with_how_to_install_one(result_dirs, tmp_path, monkeypatch):
    monkeypatch.setattr(labels, "cjk_font", lambda: None)
    result = CliRunner().invoke(main, ["report", str(result_dirs[2]), "--out", str(tmp_path / "x.html"),
                                       "--lang", "zh"])
    assert result.exit_code == 2
    assert "no font with Chinese characters" in result.output and "apt-get install fonts-noto-cjk" in result.output
    assert "Traceback" not in result.output


def test_briefings_without_out_are_named_after_their_folders(result_dirs, tmp_path, monkeypatch):
    """Two reports without --out keep both pages: each is named after the folders it reads."""
    monkeypatch.chdir(tmp_path)
    cmp, plan, sim = result_dirs
    invoke("report", sim)
    invoke("report", cmp, plan)
    pages = sorted(p.name for p in (tmp_path / "results").iterdir())
    assert pages == ["briefing-cmp_plan.html", "briefing-sim.html"]


def test_report_refuses_a_folder_that_holds_no_results(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "is not a results folder" in result.output


def test_a_run_copied_in_from_another_run_is_refused_not_mixed_into_the_briefing(tmp_path):
    default = ROOT / "scenarios" / "default.yaml"
    invoke("simulate", default, "-r", "2", "--seed", "1", "--out", tmp_path / "a")
    invoke("simulate", default, "-r", "2", "--seed", "5", "--out", tmp_path / "b")
    (tmp_path / "a" / "run.npz").write_bytes((tmp_path / "b" / "run.npz").read_bytes())
    result = CliRunner().invoke(main, ["report", str(tmp_path / "a"), "--out", str(tmp_path / "a.html")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "summary.json and run.npz come from different runs (seed, total offered" in result.output
    assert not (tmp_path / "a.html").exists()
    invoke("report", tmp_path / "b", "--out", tmp_path / "b.html")          # a folder of one run is reported


def test_results_changed_since_they_were_written_are_named_in_a_warning(tmp_path):
    invoke("simulate", ROOT / "scenarios" / "default.yaml", "-r", "2", "--out", tmp_path / "a")
    invoke("simulate", ROOT / "scenarios" / "erlang-a-check.yaml", "-r", "2", "--out", tmp_path / "b")
    for name in ("summary.json", "run.npz"):        # a whole run copied over another, its scenario left behind
        (tmp_path / "a" / name).write_bytes((tmp_path / "b" / name).read_bytes())
    output = invoke("report", tmp_path / "a", "--out", tmp_path / "a.html")
    warned = sorted(line.split()[1] for line in output.splitlines() if line.startswith("warning: "))
    assert warned == [str(tmp_path / "a" / "run.npz"), str(tmp_path / "a" / "summary.json")]
    assert "not the file `hotline simulate` wrote there" in output
    assert "warning" not in invoke("report", tmp_path / "b", "--out", tmp_path / "b.html")


STALE_FONT_CHECK = r"""
import sys, warnings
from matplotlib import font_manager
from sim.output import labels
manager = font_manager.fontManager
# as if the Chinese font were installed after matplotlib listed the fonts (and cached the list):
files = {f.fname for f in manager.ttflist if f.name in labels.CJK_FONTS}
manager.ttflist = [f for f in manager.ttflist if f.fname not in files]
font_manager.fontManager._findfont_cached.cache_clear()
assert labels._known_cjk(manager) is None
font = labels.cjk_font()
assert font is not None, "the new font was not found"
path = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
assert font_manager.get_font(path).get_char_index(ord("中")) != 0, path
from sim.output import plots
import numpy as np
with warnings.catch_warnings():
    warnings.simplefilter("error")           # a missing glyph is a warning: make it fail
    fig = plots.seats_curve(np.arange(3.0), {"方案": (np.ones(3) * .8, np.ones(3) * .7, np.ones(3) * .9)},
                            "接通率", "坐席与接通率", lang="zh")
    fig.savefig(sys.argv[1])
print(font)
"""


def test_a_font_installed_after_matplotlib_listed_the_fonts_is_found_in_the_same_process(tmp_path):
    """The stale font list of a first run on a fresh machine, reproduced without uninstalling anything:
    a process whose font manager lacks the Chinese font (installed after the list was made) still
    finds it, looks it up, and draws Chinese labels without a missing glyph."""
    system_packages.ensure()
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-c", STALE_FONT_CHECK, str(tmp_path / "zh.png")], capture_output=True,
                          text=True, env={**__import__("os").environ, "MPLCONFIGDIR": str(tmp_path / "mpl")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() in labels.CJK_FONTS and (tmp_path / "zh.png").stat().st_size > 5000


def _cells(html: str, first: str) -> list[str]:
    """The cells of the first table row whose first cell is ``first``."""
    match = re.search(r"<tr><td>" + re.escape(first) + r"</td>(.*?)</tr>", html)
    assert match, first
    return re.findall(r"<td>(.*?)</td>", match.group(1))


def test_a_briefing_from_a_simulate_folder_and_from_a_compare_folder_reports_the_same_figures(tmp_path):
    """Both compute the scenario's figures from the same sums by the same function (no averaging of bounds)."""
    base = yaml.safe_load((ROOT / "scenarios" / "default.yaml").read_text())
    one = dict(base, horizon_hours=48, name="one")
    two = dict(one, name="two", pools={"general": {"seats": 30}})
    for name, data in (("one", one), ("two", two)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data))
    invoke("simulate", tmp_path / "one.yaml", "-r", "3", "--seed", "5", "--out", tmp_path / "sim")
    invoke("compare", tmp_path / "one.yaml", tmp_path / "two.yaml", "-r", "3", "--seed", "5", "--out", tmp_path / "cmp")
    invoke("report", tmp_path / "sim", "--out", tmp_path / "sim.html")
    invoke("report", tmp_path / "cmp", "--out", tmp_path / "cmp.html")
    invoke("report", tmp_path / "cmp" / "one", "--out", tmp_path / "inner.html")
    from_sim = _cells((tmp_path / "sim.html").read_text(), "total")        # offered, SL, abandoned, ASA
    from_inner = _cells((tmp_path / "inner.html").read_text(), "total")
    from_cmp = _cells((tmp_path / "cmp.html").read_text(), "one")           # agents, SL, abandoned, ASA, ...
    assert from_sim == from_inner
    assert from_sim[1:4] == from_cmp[1:4], (from_sim, from_cmp)
    assert "%" in from_sim[1] and ("±" in from_sim[1] or "–" in from_sim[1])      # an interval shown either way
    from sim.output.report import service_level_by_hour
    charted_sim = service_level_by_hour(tmp_path / "sim")["one"]
    charted_cmp = service_level_by_hour(tmp_path / "cmp")["one"]
    for a, b in zip(charted_sim, charted_cmp):
        assert np.allclose(a, b, equal_nan=True, atol=1e-9)
    assert np.isfinite(charted_sim[1]).sum() == 46      # two days of hours, the 2-hour warm-up aside


def print_pdf(page: Path, pdf: Path) -> list[str]:
    """Print the page to A4 PDF in headless Chromium, as a manager's browser would; the text of each page."""
    import base64

    from pypdf import PdfReader
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions

    system_packages.ensure()
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.resolve().as_uri())
        a4 = PrintOptions()
        a4.page_width, a4.page_height = 21.0, 29.7
        pdf.write_bytes(base64.b64decode(driver.print_page(a4)))
    finally:
        driver.quit()
    return [p.extract_text() for p in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def decision_dir(tmp_path_factory):
    """A small decision between two labelled options, with a base file whose comments are assumptions."""
    from test_decide import option

    tmp = tmp_path_factory.mktemp("decision")
    common = option("common", merged=False)
    for key in ("name", "lines", "pools"):
        common.pop(key)
    (tmp / "common.yaml").write_text("# volumes: an assumption from the Changzhou 2021 yearbook\n"
                                     + yaml.safe_dump(common), encoding="utf-8")
    paths = []
    for name, merged, zh in (("parallel", False, "各自接听"), ("merged", True, "并入12345")):
        data = {k: v for k, v in option(name, merged).items() if k in ("name", "lines", "pools")}
        data.update({"base": "common.yaml", "label": {"en": f"{name} lines", "zh": zh}, "horizon_hours": 24})
        data["lines"]["A"]["label"] = {"en": "Funan", "zh": "阜南"}
        paths.append(tmp / f"{name}.yaml")
        paths[-1].write_text(f"# the {name} option\n" + yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    invoke("decide", *paths, "-r", "3", "-w", "1", "--out", tmp / "dec")
    return tmp / "dec"


@pytest.mark.parametrize("lang, words", [
    ("en", ("The decision", "parallel lines", "merged lines", "answered within 20 s", "agents (people)",
            "seats (workstations)", "3 replications")),
    ("zh", ("决策结论", "各自接听", "并入12345", "20秒接通率", "呼损率", "话务员（人）", "坐席（个）", "3轮仿真")),
])
def test_the_printed_briefing_has_the_decision_box_on_page_one(decision_dir, tmp_path, lang, words):
    page = tmp_path / f"briefing_{lang}.html"
    invoke("report", decision_dir, "--out", page, "--lang", lang)
    html = page.read_text(encoding="utf-8")
    assert "break-inside:avoid" in html and "@media print" in html
    assert "Changzhou 2021 yearbook" in html and "the merged option" in html     # assumptions of the base chain
    pages = print_pdf(page, tmp_path / f"briefing_{lang}.pdf")
    first = "".join(pages[0].split())            # PDF text breaks lines inside table cells
    for word in words:
        assert "".join(word.split()) in first, (word, pages[0][:800])
    assert "✓" in pages[0]
    assert ("阜南" if lang == "zh" else "Funan") in "".join(pages)


def test_the_decision_box_marks_a_goal_missed_when_a_line_misses_it(decision_dir, tmp_path):
    """Found by an outside hunt (2026-12-05): an option whose city total met the goals while one of its lines
    missed them was marked ✓✓ in the briefing, where decide's table said MISSED: the marks were the total's.
    A goal is met for the city and every line (``goals_met``), as decide judges it."""
    import json
    import shutil

    folder = tmp_path / "dec"
    shutil.copytree(decision_dir, folder)
    data = json.loads((folder / "decision.json").read_text(encoding="utf-8"))
    entry = data["options"][0]
    assert entry["goals"]["total"]["service_level"]["met"]
    entry["goals_met"]["service_level"] = False       # a line missed it, the city's total did not
    (folder / "decision.json").write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "briefing.html"
    invoke("report", folder, "--out", page)
    box = page.read_text(encoding="utf-8").split("<section class='decision'>")[1].split("</section>")[0]
    rows = [re.findall(r"<td>(.*?)</td>", r, flags=re.S) for r in re.findall(r"<tr>(.*?)</tr>", box, flags=re.S)]
    cells = next(r for r in rows if r and r[0] == entry["label"]["en"])    # the plan, not today's rosters
    assert "✗" in cells[1] and "✓" not in cells[1]
    assert ("✓" in cells[2]) is entry["goals_met"]["abandon_rate"]


def test_a_plan_briefing_names_its_scenario_and_pools_by_their_labels(tmp_path):
    """Found by an outside review (2026-12-05): the Chinese plan briefing's heading and its roster and
    requirement charts showed the ids fuyang-full-merge, general and tax."""
    from sim.output.report import pool_names
    plan = {"name": "one", "label": {"zh": "全面整合"}, "horizon_hours": 24,
            "lines": {"L": {"arrivals": {"per_hour": 30}, "pool": "general", "handle_seconds": EXP(240)}},
            "pools": {"general": {"seats": 1, "label": {"zh": "12345坐席"}}},
            "planning": {"shifts": [{"name": "day", "starts": ["00:00", "08:00", "16:00"], "hours": 8}],
                         "replications": 2}}
    (tmp_path / "one.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    invoke("plan", tmp_path / "one.yaml", "--out", tmp_path / "plan")
    invoke("report", tmp_path / "plan", "--out", tmp_path / "b.html", "--lang", "zh")
    assert "<h2>坐席与排班方案：全面整合</h2>" in (tmp_path / "b.html").read_text(encoding="utf-8")
    data = __import__("json").loads((tmp_path / "plan" / "plan.json").read_text(encoding="utf-8"))
    assert pool_names(data, ["general"], "zh") == {"general": "12345坐席"}
    assert pool_names(data, ["general"], "en") == {"general": "general"}
