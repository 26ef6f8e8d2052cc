"""The ``hotline`` command line.

Every way a command can fail on the user's input ends the same: one line
``error: ...`` naming the file or option and what to do, exit code 2, no
traceback; Ctrl-C ends with one line and exit code 130.  Output paths are
checked before any work, files appear whole (``sim.files``, ``sim.output.folders``), and a rerun
leaves nothing of the previous run that it did not write again.
"""

from __future__ import annotations

import json
import math
import os
import sys
import warnings
from contextlib import nullcontext
from pathlib import Path

import click

from sim import files
from sim.errors import INTERRUPTED_EXIT, USAGE_EXIT, InputError, OptionError
from sim.input import limits
from sim.output import folders
from sim.run.executors import MAX_WORKERS


class FiniteFloat(click.FloatRange):
    """A FloatRange that also refuses nan and inf (Click's range checks let nan through)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


LOG_FORMAT = click.Choice(["generic", "anonymous-bank"])
SECONDS = float(limits.SECONDS.high)
MEAN_SECONDS = float(limits.MEAN_SECONDS.low)
MAX_ERLANG_AGENTS = 20_000_000          # twice the largest load sim.erlang computes exactly; ~2 s, ~0.2 GB
REPLICATIONS = click.IntRange(int(limits.REPLICATIONS.low), int(limits.REPLICATIONS.high))
LANG = click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
                    help="Language of chart labels (zh needs a font with Chinese characters).")
DEFAULT_MAX_ABANDON = 0.05              # GB/T 33358-2016: a 24-hour connection rate of at least 95%
DEFAULT_SHRINKAGE = 0.30                # leave, training, meetings: a common contact-centre planning figure


def out_option(help_text: str):
    """--out as the user typed it: ``sim.output.folders`` checks it (an empty value is an error, not '.')."""
    return click.option("--out", metavar="DIR", help=help_text)


def parallel_options(command):
    """--workers and --scheduler: where replications run (same numbers wherever they run)."""
    command = click.option("--scheduler", metavar="ADDRESS|local",
                           help="Run on a Dask cluster at ADDRESS (tcp://host:8786), or 'local' to start one here.")(command)
    return click.option("--workers", "-w", type=click.IntRange(1, MAX_WORKERS),
                        help="Worker processes on this machine (default: all cores).")(command)


def _file_names(_ctx, param, values):
    """Paths of files named on the command line; an empty name would read as this folder (``Path("")``)."""
    for value in values:
        if not value.strip():
            raise click.BadParameter("an empty name names no file: give the log file's path", param=param)
    return tuple(Path(value) for value in values)


LOG_PATHS = {"type": click.Path(), "callback": _file_names}


def arrivals_options(help_text: str):
    """--arrivals LOG (repeatable) and --format: last year's own calls as the callers."""
    def add(command):
        command = click.option("--format", "fmt", type=LOG_FORMAT, default="generic", show_default=True,
                               help="Format of the --arrivals logs.")(command)
        return click.option("--arrivals", "arrival_logs", multiple=True, metavar="LOG", help=help_text,
                            **LOG_PATHS)(command)
    return add


def check_format(arrival_logs) -> None:
    """--format given without --arrivals reads nothing: say so rather than run as if it had."""
    ctx = click.get_current_context()
    if not arrival_logs and ctx.get_parameter_source("fmt") == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("--format says how to read the --arrivals logs, and none is given; add "
                               "--arrivals LOG, or leave --format out", ctx=ctx)


def make_runner(workers, scheduler):
    from sim.run.executors import Runner
    return Runner(workers, scheduler)


class _Quiet:
    """A progress bar that shows nothing (off a terminal)."""

    def update(self, _n: int = 1):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False


def progress_bar(total: int, desc: str):
    """A bar of replications done on a terminal; off one, nothing (tqdm would show nothing either, and importing
    it costs a hundredth of a second)."""
    if not sys.stderr.isatty():
        return _Quiet()
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit="replication", file=sys.stderr, disable=None, leave=False)


CALIBRATE_RECORD = "calibrate {}"       # calibrate's files in a folder's manifest, by the scenario's file name


def finish(out: Path, command: str, paths: list[Path], folder: Path | None = None) -> str:
    """Record what ``command`` wrote into the folder and remove the previous run's files it did not write again;
    returns a line saying what went ('' when nothing did)."""
    tidied = folders.record(folder or out, command, paths)
    said = []
    if tidied.removed:
        said.append(f"removed {len(tidied.removed)} file(s) of the previous run that this one did not write: "
                    + ", ".join(str(p) for p in tidied.removed))
    if tidied.kept:
        said.append(f"kept {len(tidied.kept)} file(s) of the previous run that this one did not write, since they "
                    "were changed after it wrote them: " + ", ".join(str(p) for p in tidied.kept)
                    + "; remove them if they are no longer wanted")
    return "\n".join(said)


def warn_precision(runs) -> None:
    """Say on stderr when too few replications leave a headline figure's interval wider than useful."""
    from sim.results.figures import precision_warnings
    for run in runs:
        for line in precision_warnings(run):
            click.echo(f"warning: {line}", err=True)


def warn_plan_precision(plans) -> None:
    """Say on stderr when a plan judged interval by interval (``targets: interval``) judged them too roughly
    to see a miss."""
    from sim.plan.requirements import interval_precision_warning
    for plan in plans:
        if plan.scenario.planning.targets == "interval":
            line = interval_precision_warning(plan.check, plan.verified.replications)
            if line:
                click.echo(f"warning: {plan.scenario.name}: {line}", err=True)


def shared(values: set):
    """The one value all share, or None when they differ."""
    return next(iter(values)) if len(values) == 1 else None


def check_shown_names(loaded, scenario_files) -> None:
    """Scenarios set side by side must read apart: tables, charts and briefings show each by its label in the
    language asked for (else its name), and other places by its name, so no two may show alike in a language,
    and no label may be another scenario's name (its section would seem to hold the other's figures)."""
    from sim.input.reader import LABEL_LANGUAGES
    names = {s.name: f for s, f in zip(loaded, scenario_files)}
    for lang in LABEL_LANGUAGES:
        seen: dict[str, str] = {}
        for s, f in zip(loaded, scenario_files):
            shown = s.label.get(lang) or s.name
            if shown in seen:
                raise click.UsageError(f"{f} and {seen[shown]} would both be shown as {shown!r} ({lang}): give "
                                       "each scenario its own label")
            seen[shown] = f
            if shown != s.name and shown in names:
                raise click.UsageError(f"{f}: label {shown!r} ({lang}) is the name of {names[shown]}: a reader "
                                       "would take one scenario's figures for the other's; give another label")


def warn_cautions(s, staffed: bool = True) -> None:
    """Say on stderr, before a run, what the scenario allows but a planner rarely means (``sim.input.cautions``);
    not ``staffed`` (a plan staffs it): what no staffing changes (a run that starts in a closure whose callbacks
    it then lacks) and what the plan would make of its planning section."""
    from sim.input.cautions import cautions, closed_callback_cautions, planning_cautions, size_cautions
    for line in cautions(s) if staffed else closed_callback_cautions(s) + planning_cautions(s) + size_cautions(s):
        click.echo(f"warning: {s.name}: {line}", err=True)


def wrote_line(lang: str, n: int, folder: Path) -> str:
    """"wrote N files in FOLDER", in the language of the command's tables."""
    from sim.output.labels import text
    return text("wrote_files", lang, n=n, folder=folder)


def done(wrote: str, note: str) -> None:
    """The last lines of a command: what it wrote, and what of the previous run it removed."""
    click.echo(wrote)
    if note:
        click.echo(note)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Cli(click.Group):
    """Turns user mistakes into one clear line on stderr and exit code 2, never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        # every chart goes to a file: a backend asked for elsewhere (a desktop's, or a misspelt one, which
        # matplotlib refuses at import) is not this tool's; workers inherit the choice
        os.environ["MPLBACKEND"] = "Agg"
        for stream in (sys.stdout, sys.stderr):
            # a terminal whose encoding has no Chinese characters (PYTHONIOENCODING=latin-1) shows their codes
            # rather than end the command after its files were written
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            # `hotline` alone asks what there is: the list of commands, as --help gives it
            click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
            sys.exit(0)
        except click.ClickException as exc:
            # Click would print "Usage: ...", "Try ...", "Error: ..." on three lines
            ctx = getattr(exc, "ctx", None)
            where = f"{ctx.command_path}: " if ctx is not None else ""
            hint = f" (see '{ctx.command_path} --help')" if isinstance(exc, click.UsageError) and ctx else ""
            click.echo(f"error: {where}{_one_line(exc.format_message())}{hint}", err=True)
            sys.exit(USAGE_EXIT)
        except click.exceptions.Abort:
            click.echo("interrupted", err=True)
            sys.exit(INTERRUPTED_EXIT)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {_one_line(exc)}", err=True)
            ctx.exit(USAGE_EXIT)
        except KeyboardInterrupt:
            click.echo("interrupted: stopped before the end; every file written so far is whole", err=True)
            ctx.exit(INTERRUPTED_EXIT)
        except OSError as exc:
            # a place written to that turned out unusable after the checks: a full disk, a folder where a
            # file goes (or the reverse), permissions changed meanwhile; what was written so far is whole
            where = exc.filename2 or exc.filename
            what = exc.strerror or str(exc)
            if where is None and _printing(exc):
                click.echo(f"error: the standard output (where the command prints): {_one_line(what)}: cannot be "
                           "printed to; free space where it goes or send it elsewhere (the files written so far "
                           "are whole)", err=True)
                ctx.exit(USAGE_EXIT)
            click.echo(f"error: {where + ': ' if where else ''}{_one_line(what)}: cannot be written; free space or "
                       "fix that path, or give another place with --out", err=True)
            ctx.exit(USAGE_EXIT)


def _printing(exc: BaseException) -> bool:
    """Did ``exc`` come from printing (``click.echo``): a full disk behind ``> file``, /dev/full?"""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "echo" and f"click{os.sep}utils.py" in code.co_filename:
            return True
        tb = tb.tb_next
    return False


@click.group(cls=_Cli)
@click.version_option(package_name="hotline-sim")
def main():
    """Simulate and plan the seats of a merged 12345 government service hotline."""


@main.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replications", "-r", type=REPLICATIONS, help="Independent runs (default: the scenario's, else 10).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's, else 1).")
@out_option("Output folder (default results/<scenario name>/).")
@click.option("--trace", is_flag=True, help="Also write every call, one log in the generic format per "
              "replication (trace-r0.csv, ...; large; runs in this process).")
@arrivals_options("Logged calls of every line (repeat for several files) as the callers, lines matched by name; "
                  "the scenario's laws give questions, talk times and patience (runs in this process).")
@parallel_options
def simulate(scenario_file, replications, seed, out, trace, arrival_logs, fmt, workers, scheduler):
    """Simulate SCENARIO_FILE and write summary.json, intervals.csv and a copy of the scenario."""
    check_format(arrival_logs)
    from sim.input import scenario
    from sim.logs.calllog import TraceWriter
    from sim.output import simulate as written
    from sim.output import tables
    from sim.run.runs import simulate as run_scenario
    s = scenario.load(scenario_file)
    out = folders.check_folder(out, "--out", folders.default_dir(s.name),
                               [*scenario.files_read(s), *arrival_logs], command="simulate", results=written.FILES)
    make_source = None
    if arrival_logs:
        from sim.logs import calllog
        from sim.logs.replay import known_lines, with_arrivals
        log = known_lines(s, calllog.read(list(arrival_logs), fmt))
        s, make_source, silent = with_arrivals(s, log)
        for warning in log.notes + ([f"lines of the scenario without a logged call get no callers: "
                                     f"{', '.join(silent)}"] if silent else []):
            click.echo(f"warning: {warning}", err=True)
    reps = scenario.check_replications(s, replications or s.replications)
    warn_cautions(s)
    traces: list[Path] = []
    with files.together():          # the whole set, traces too, or the previous run's untouched
        with make_runner(workers, scheduler) as runner, progress_bar(reps, f"simulating {s.name}") as bar, \
                (files.staging(out) if trace else nullcontext()) as staged:
            # trace files grow during the run: they are written aside and move in whole at the end
            trace_sink = TraceWriter(staged, list(s.lines), s.start_minute) if trace else None
            try:
                result = run_scenario(s, reps, seed, progress=lambda r: bar.update(1), trace=trace_sink,
                                      runner=runner, make_source=make_source)
            finally:
                if trace_sink is not None:
                    trace_sink.close()
            if trace_sink is not None:
                trace_sink.close(reps)          # a replication in which no call arrived: its header alone
            if trace:
                traces = [out / p.name for p in sorted(staged.iterdir())]
        paths = written.write(result, out)
    note = finish(out, "simulate", paths + traces)
    click.echo(tables.summary_table(written.summary(result)))
    done("wrote " + ", ".join(str(p) for p in paths + traces), note)
    warn_precision([result])


@main.command()
@click.argument("scenario_files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replications", "-r", type=REPLICATIONS, help="Independent runs (default: the first scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed shared by all scenarios (default: the first's).")
@out_option("Output folder (default results/compare-<names>/).")
@LANG
@parallel_options
def compare(scenario_files, replications, seed, out, lang, workers, scheduler):
    """Run SCENARIO_FILES on the same callers; compare them against the first.

    Writes compare.json, compare.csv, compare_lines.csv, sl_by_hour.png,
    sl_by_line.png and each scenario's own results into the output folder.
    """
    if len(scenario_files) < 2:
        raise click.UsageError("give at least two scenario files to compare")
    from sim.input import scenario
    from sim.input.reader import describe
    from sim.output import compare as written
    from sim.output import tables
    loaded = [scenario.load(f) for f in scenario_files]   # every file is checked before anything runs
    names = [s.name for s in loaded]
    if len(set(names)) < len(names):
        raise click.UsageError(f"scenario names must differ to be compared, got {', '.join(names)}")
    check_shown_names(loaded, scenario_files)
    subfolders = [folders.default_dir(n).name for n in names]     # each scenario's results go to OUT/<folder>/
    for name, folder in zip(names, subfolders):
        if folder in written.FILES or folder == folders.MANIFEST:
            raise click.UsageError(f"scenario name {name!r} would write its results to a folder named like the "
                                   f"comparison's own file {folder}; rename the scenario")
    for i, folder in enumerate(subfolders):
        if folder in subfolders[:i]:
            other = names[subfolders.index(folder)]
            raise click.UsageError(f"scenario names {other!r} and {names[i]!r} would both write their results to "
                                   f"the folder {folder}/; rename one of them")
    for f, s in zip(scenario_files[1:], loaded[1:]):
        if s.threshold_seconds != loaded[0].threshold_seconds:   # a service level is "answered within T s"
            raise click.UsageError(f"{f}: service_level.threshold_seconds is {s.threshold_seconds:g}, "
                                   f"{scenario_files[0]}'s {loaded[0].threshold_seconds:g}: service levels are "
                                   "compared on one threshold; give every scenario the same")
        for field, value in s.clock_fields.items():    # else replication r does not see the same callers
            theirs = loaded[0].clock_fields[field]
            if value != theirs:
                raise click.UsageError(f"{f}: {field} is {describe(value)}, {scenario_files[0]}'s {describe(theirs)}: "
                                       "compare pairs replications on the same callers over the same time; give "
                                       "every scenario the same, or simulate them apart")
    reps = replications or loaded[0].replications
    for s in loaded:
        scenario.check_replications(s, reps)
    seed = loaded[0].seed if seed is None else seed
    out = folders.check_folder(out, "--out", folders.default_dir("_".join(names), prefix="compare-"),
                               [f for s in loaded for f in scenario.files_read(s)], command="compare",
                               results=written.result_files(subfolders))
    for s in loaded:
        warn_cautions(s)
    from sim.run.runs import simulate_many
    with make_runner(workers, scheduler) as runner, progress_bar(reps * len(loaded), "comparing") as bar:
        runs_done = simulate_many(loaded, reps, seed, progress=lambda r: bar.update(1), runner=runner)
    with files.together():
        paths = written.write(runs_done, out, lang)
    note = finish(out, "compare", paths)
    click.echo(tables.comparison_table(written.comparison(runs_done)))
    done(wrote_line(lang, len(paths), out), note)
    warn_precision(runs_done)


@main.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replications", "-r", type=click.IntRange(2, int(limits.REPLICATIONS.high)), help="Replications of each simulation "
              "(default: planning.replications, else the scenario's).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@out_option("Output folder (default results/plan-<name>/).")
@LANG
@parallel_options
def plan(scenario_file, replications, seed, out, lang, workers, scheduler):
    """Plan the cheapest 7x24 roster that meets the targets of SCENARIO_FILE, and verify it."""
    from sim.input import scenario
    from sim.output import plan as written
    from sim.output import tables
    from sim.plan.planner import plan as make_plan
    s = scenario.load(scenario_file)
    out = folders.check_folder(out, "--out", folders.default_dir(s.name, prefix="plan-"), scenario.files_read(s),
                               command="plan", results=written.result_files())
    # progress on a terminal only (as the progress bars): in a log, a refusal stays the one line it is
    say = (lambda line: click.echo(line, err=True)) if sys.stderr.isatty() else (lambda line: None)
    warn_cautions(s, staffed=False)
    say(f"planning {s.name}: requirement, roster, verification ...")
    with make_runner(workers, scheduler) as runner:
        result = make_plan(s, replications, seed, runner=runner,
                           progress=lambda stage, detail: say(f"  {stage}: {detail}"))
    with files.together():
        paths = written.write_plan(result, out, lang)
    note = finish(out, "plan", paths)
    click.echo(tables.plan_table(written.plan_summary(result)))
    done(wrote_line(lang, len(paths), out), note)
    warn_precision([result.verified])
    warn_plan_precision([result])


@main.command()
@click.argument("scenario_files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replications", "-r", type=click.IntRange(2, int(limits.REPLICATIONS.high)),
              help="Replications of every simulation (default: the first file's planning.replications).")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed shared by all options (default: the first's).")
@out_option("Output folder (default results/decide-<names>/).")
@arrivals_options("Verify every option (and today) on these logged calls of every line instead of drawn "
                  "callers; lines matched by name.")
@LANG
@parallel_options
def decide(scenario_files, replications, seed, out, arrival_logs, fmt, lang, workers, scheduler):
    """Plan every option in SCENARIO_FILES to the same goals and set them side by side.

    Each option is sized by the planner and verified on the same callers; the
    first file as staffed is "today".  Writes decision.json, decision.csv,
    decision_lines.csv, decision.xlsx, cost.png, sl_by_line.png, each option's
    plan (plan-<name>/) and today's run (today/).
    """
    check_format(arrival_logs)
    from sim.input import scenario
    from sim.output import decide as written
    from sim.output import tables
    from sim.plan.decide import DRAWN, check_options
    from sim.plan.decide import decide as make_decision
    loaded = [scenario.load(f) for f in scenario_files]   # every file is checked before anything runs
    names = [s.name for s in loaded]
    if len(set(names)) < len(names):
        raise click.UsageError(f"option names must differ, got {', '.join(names)}")
    check_shown_names(loaded, scenario_files)
    check_options(loaded)
    out = folders.check_folder(out, "--out", folders.default_dir("_".join(names), prefix="decide-"),
                               [*(f for s in loaded for f in scenario.files_read(s)), *arrival_logs], command="decide",
                               results=written.result_files(names))
    for s in loaded:
        warn_cautions(s, staffed=False)
    through, verified_on = None, DRAWN
    if arrival_logs:
        from sim.logs import calllog
        from sim.logs.replay import known_lines, replay_scenario, with_arrivals
        log = calllog.read(list(arrival_logs), fmt)
        logs = [known_lines(s, log) for s in loaded]      # many calls of a line an option lacks: refused
        for s, option_log in zip(loaded, logs):
            replay_scenario(s, option_log, staffing="scenario")         # before work
        for warning in dict.fromkeys(w for option_log in logs for w in option_log.notes):
            click.echo(f"warning: {warning}", err=True)
        # an option's planned scenario has its lines (and another name)
        through = lambda s: with_arrivals(s, known_lines(s, log))[:2]     # noqa: E731
        verified_on = f"the logged calls of {log.source} ({len(log):,} calls, redials included)"
    say = (lambda line: click.echo(line, err=True)) if sys.stderr.isatty() else (lambda line: None)
    with make_runner(workers, scheduler) as runner:
        result = make_decision(loaded, replications, seed, progress=say, runner=runner, through=through,
                               verified_on=verified_on)
    with files.together():
        data, paths = written.write(result, out, lang)
    note = finish(out, "decide", paths)
    click.echo(tables.decision_table(data, lang))
    done(wrote_line(lang, len(paths), out), note)
    warn_precision([o.run for o in result.options])
    warn_plan_precision([o.plan for o in result.options if o.plan is not None])


@main.command()
@click.argument("scenario_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--vary", "varies", multiple=True, required=True, metavar="FIELD=START:STOP:STEP|V1,V2,...",
              help="A field of the scenario and its values, e.g. pools.general.seats=40:80:2; repeat for a grid "
                   f"(at most {limits.MAX_VARIANTS:,} variants in all).")
@click.option("--replications", "-r", type=REPLICATIONS, help="Replications per variant.")
@click.option("--seed", type=click.IntRange(min=0))
@out_option("Output folder (default results/sweep-<name>/).")
@LANG
@parallel_options
def sweep(scenario_file, varies, replications, seed, out, lang, workers, scheduler):
    """Run a grid of variants of SCENARIO_FILE; resumes where an interrupted run stopped."""
    from sim.input import scenario
    from sim.output import sweep as written
    from sim.output import tables
    from sim.run.runs import simulate_many
    from sim.run.store import Store
    from sim.run.sweep import parse_vary, variants
    s = scenario.load(scenario_file)
    parsed = [parse_vary(v) for v in varies]
    if seed is not None and any(v.name == "seed" for v in parsed):
        raise click.BadParameter("seed is varied and --seed fixes it for every variant; give one or the other",
                                 param_hint="'--vary'")
    grid = variants(s, parsed)                      # every variant is checked before anything runs
    reps = scenario.check_replications(s, replications or s.replications)
    out = folders.check_folder(out, "--out", folders.default_dir(s.name, prefix="sweep-"), scenario.files_read(s),
                               command="sweep", results=written.FILES)
    store = Store(out / "store")
    if store.root.exists() and not store.root.is_dir():
        raise OptionError("--out", str(out), f"{store.root} is not a folder; a sweep keeps its finished "
                          "replications in a folder of that name: move that file away, or give another --out")
    from sim.run.store import scenario_key
    keys = [scenario_key(v, v.seed if seed is None else seed) for _, v in grid]
    blocked = store.blocked(keys, reps)
    if blocked is not None:
        raise OptionError("--out", str(out), f"{blocked} is in the way of a replication the sweep would keep there "
                          "(a sweep's store holds only its own files): move it away, or give another --out")
    stored = sum(store.has(k, r) for k in keys for r in range(reps))
    if stored:
        # found, not yet read: an entry is checked when it is read, and one that is damaged is run again
        click.echo(f"found {stored} of {reps * len(grid)} replications stored in {store.root} by an earlier run "
                   "of the same variants: each is used once read and checked whole, else run again", err=True)
    say = (lambda line: click.echo(line, err=True)) if sys.stderr.isatty() else (lambda line: None)
    say(f"sweep of {len(grid)} variants x {reps} replications: {', '.join(v.name for v in parsed)}")
    try:
        with make_runner(workers, scheduler) as runner, progress_bar(reps * len(grid), f"sweep of {len(grid)} variants") as bar:
            runs_done = simulate_many([v for _, v in grid], reps, seed, progress=lambda r: bar.update(1),
                                      runner=runner, store=store)
    except KeyboardInterrupt:
        kept = sum(store.has(k, r) for k in keys for r in range(reps))
        click.echo(f"interrupted: the {kept} finished replications are kept in {store.root}; run the same command "
                   "again to continue" if kept else "interrupted before any replication finished; nothing was kept",
                   err=True)
        sys.exit(INTERRUPTED_EXIT)
    rows = written.rows([c for c, _ in grid], runs_done)
    # a threshold or target varied by the sweep is each row's own: no single one labels the table and charts
    threshold = shared({v.threshold_seconds for _, v in grid})
    target = shared({v.service_level_target for _, v in grid})
    with files.together():
        paths = written.write(rows, [v.name for v in parsed], out, threshold, target, lang)
    note = finish(out, "sweep", paths)
    click.echo(tables.sweep_text(rows, [v.name for v in parsed], threshold))
    done(f"wrote {', '.join(str(p) for p in paths)}", note)


@main.command()
@click.argument("results_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", metavar="FILE", help="The HTML file to write (default results/briefing-<folders>.html).")
@LANG
def report(results_dirs, out, lang):
    """One self-contained HTML briefing from the folders of simulate, compare and plan."""
    repeat = files.first_repeat(results_dirs)  # the same run twice in one briefing would look like two options
    if repeat is not None:
        raise click.BadParameter(f"{repeat[0]} is given twice (as {repeat[1]} too); give each results folder once",
                                 param_hint="'RESULTS_DIRS'")
    from sim.output import report as briefing
    # each is a results folder, before anything under it is listed
    kinds = {Path(folder): briefing.kind_of(Path(folder)) for folder in results_dirs}
    # the results it reads (an earlier briefing among them may be written again)
    inputs = [p for d in results_dirs for p in Path(d).rglob("*") if p.suffix.lower() not in (".html", ".htm")]
    # named after the folders, like compare's and decide's own folders: a second briefing keeps the first
    default = folders.default_dir("_".join(Path(d).resolve().name for d in results_dirs), prefix="briefing-")
    given = out
    out = folders.check_file(out, "--out", default.with_name(default.name + ".html"), inputs,
                             mark=briefing.GENERATOR, command="hotline report")
    if given is not None and out.suffix.lower() not in (".html", ".htm"):
        # a browser opens the page by its name; "briefing.pdf" holding HTML opens nowhere
        raise click.BadParameter(f"{given}: the briefing is an HTML page; give a name ending in .html "
                                 "(print it to PDF from the browser)", param_hint="'--out'")
    changed = {path: kind for folder, kind in kinds.items() for path in folders.changed_since_written(folder, kind)}
    for folder in kinds:
        if folders.manifest_unreadable(folder):
            click.echo(f"warning: {folder / folders.MANIFEST} cannot be read (edited or damaged): whether the "
                       "folder's files are still as their command wrote them cannot be checked", err=True)
    with warnings.catch_warnings():
        # numbers edited into a results file may overflow on the way to being refused: the refusal says it
        warnings.simplefilter("ignore", RuntimeWarning)
        page = briefing.build(list(results_dirs), lang, changed)
    for path, kind in changed.items():
        if path.suffix == ".yaml":
            shown = "the briefing shows its assumptions with a note that they may be another run's"
        elif kind == "simulate" and path.name == "summary.json":
            shown = "the briefing takes its figures from run.npz, and only the name and threshold from it"
        else:
            shown = "the briefing shows it as it is now"
        click.echo(f"warning: {path} is not the file `hotline {kind}` wrote there (changed since, or copied in "
                   f"from another run): {shown}", err=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(out, page)
    click.echo(f"wrote {out} ({len(page) / 1024:,.0f} KiB, figures embedded; open it in any browser)")


@main.command()
@click.argument("store_dir", metavar="DIR", type=click.Path())
@click.option("--older-than", "older_than_days", type=FiniteFloat(min=0), metavar="DAYS",
              help="Also remove entries last written more than DAYS days ago.")
@click.option("--all", "remove_all", is_flag=True, help="Remove every entry of the store.")
def prune(store_dir, older_than_days, remove_all):
    """Clean a sweep's result store (DIR: the sweep's folder or its store/).

    Removes what killed runs left (temporary files), entries that cannot be
    read, and with --older-than or --all older or all entries; files the tool
    did not write are never touched.  Prints what it removed.
    """
    from sim.run.store import Store, find_store
    if not str(store_dir).strip():
        raise click.BadParameter("is empty; give a sweep's output folder or its store/", param_hint="'DIR'")
    if remove_all and older_than_days is not None:      # --all would win, and remove what DAYS meant to keep
        raise click.UsageError("give --older-than DAYS or --all, not both")
    store = Store(find_store(Path(store_dir)))
    removed = store.prune(older_than_days, remove_all)
    for path, why in removed:
        click.echo(f"removed {path} ({why})")
    click.echo(f"removed {len(removed)} file(s) from {store.root}")


@main.command()
@click.argument("logs", nargs=-1, required=True, **LOG_PATHS)
@click.option("--format", "fmt", type=LOG_FORMAT, default="generic", show_default=True, help="Log format.")
@click.option("--out", metavar="FILE", help="Scenario file to write "
              "(default results/<name>.yaml); the fit report goes beside it.")
@click.option("--name", default="calibrated", show_default=True, help="Scenario name.")
@click.option("--skip-bad-rows", is_flag=True, help="Leave out unreadable rows (counted in the report) "
              "instead of stopping at the first.")
@click.option("--interval-minutes", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--threshold-seconds", type=FiniteFloat(0, SECONDS), default=20.0, show_default=True)
def calibrate(logs, fmt, out, name, skip_bad_rows, interval_minutes, threshold_seconds):
    """Fit a runnable scenario to call LOGS, with a fit report beside it."""
    import time

    from sim.logs import calibrate as cal
    from sim.logs import calllog
    from sim.output import calibrate as written
    from sim.output import tables
    if not name.strip():
        raise click.BadParameter("is empty; give the scenario a name (simulate writes to results/<name>/)",
                                 param_hint="'--name'")
    if any(not c.isprintable() for c in name):      # the scenario written would be refused by every command
        raise click.BadParameter("must be one line of text without control characters", param_hint="'--name'")
    default = folders.default_dir(name)
    out = folders.check_file(out, "--out", default.with_name(default.name + ".yaml"), logs, companions=True,
                             mark=written.MARK, command="hotline calibrate")
    folders.check_companions(out, "--out", written.MARK, "hotline calibrate", CALIBRATE_RECORD.format(out.name))
    started = time.perf_counter()
    log = calllog.read(list(logs), fmt, skip_bad_rows)
    raw, report = cal.calibrate(log, name, interval_minutes, threshold_seconds)
    seconds = time.perf_counter() - started
    with files.together():
        paths = written.write(raw, report, out, seconds, log.source)
    note = finish(out, CALIBRATE_RECORD.format(out.name), paths, folder=out.parent)
    click.echo(tables.calibration_table(report))
    done(f"calibrated in {seconds:.1f} s; wrote {', '.join(str(p) for p in paths[:2])}"
         + (f" and {len(paths) - 2} sample files" if len(paths) > 2 else ""), note)
    for warning in report["warnings"]:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@click.argument("logs", nargs=-1, required=True, **LOG_PATHS)
@click.option("--scenario", "scenario_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Scenario whose laws (patience, talk times) the replay uses.")
@click.option("--format", "fmt", type=LOG_FORMAT, default="generic", show_default=True, help="Log format.")
@click.option("--handle-times", type=click.Choice(["scenario", "log"]), default="scenario", show_default=True,
              help="Talk times from the scenario's laws or from the log.")
@click.option("--staffing", type=click.Choice(["log", "scenario"]), default="log", show_default=True,
              help="Agents per interval as seen working in the log, or the scenario's.")
@click.option("--replications", "-r", type=click.IntRange(2, int(limits.REPLICATIONS.high)), default=10, show_default=True)
@click.option("--seed", type=click.IntRange(min=0))
@click.option("--skip-bad-rows", is_flag=True, help="Leave out unreadable rows (counted) instead of stopping.")
@out_option("Output folder (default results/replay-<name>/).")
def replay(logs, scenario_file, fmt, handle_times, staffing, replications, seed, skip_bad_rows, out):
    """Feed logged arrivals through the model and compare with what happened, day by day."""
    from sim.input import scenario
    from sim.logs import calllog
    from sim.logs.replay import replay as run_replay
    from sim.logs.replay import summary_line
    from sim.output import replay as written
    s = scenario.load(scenario_file)
    out = folders.check_folder(out, "--out", folders.default_dir(s.name, prefix="replay-"),
                               [*logs, *scenario.files_read(s)], command="replay", results=written.FILES)
    log = calllog.read(list(logs), fmt, skip_bad_rows)
    result = run_replay(s, log, replications, seed, handle_times, staffing)
    with files.together():
        paths = written.write(result, out)
    note = finish(out, "replay", paths)
    click.echo(summary_line(result))
    done(f"wrote {len(paths)} files in {out}", note)
    for warning in result.log.notes:
        click.echo(f"warning: {warning}", err=True)


def _json_safe(value):
    """``value`` with every float that is not finite as None: JSON has no inf or nan."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@main.command()
@click.option("--per-hour", type=FiniteFloat(min=0), required=True, help="Arrivals, calls per hour.")
@click.option("--handle-seconds", type=FiniteFloat(MEAN_SECONDS, SECONDS), required=True,
              help="Mean handle time (talk + after-call work), seconds.")
@click.option("--patience-seconds", type=FiniteFloat(MEAN_SECONDS, SECONDS),
              help="Mean patience, seconds (Erlang A); omit for Erlang C (nobody hangs up).")
@click.option("--agents", type=click.IntRange(1, MAX_ERLANG_AGENTS), help="Agents on duty; omit to find the fewest that meet the target.")
@click.option("--threshold-seconds", type=FiniteFloat(0, SECONDS), default=15.0, show_default=True,
              help="Service-level threshold, seconds.")
@click.option("--target", type=FiniteFloat(0, 1, max_open=True), default=0.8, show_default=True,
              help="Service-level target (share of offered calls answered within the threshold).")
@click.option("--max-abandon", type=FiniteFloat(0, 1), default=DEFAULT_MAX_ABANDON, show_default=True,
              help="Abandon-rate ceiling the fewest agents must also meet (GB/T 33358-2016: at least 95% "
                   "connected); 1 leaves it out.")
@click.option("--shrinkage", type=FiniteFloat(0, 1, max_open=True), default=DEFAULT_SHRINKAGE, show_default=True,
              help="Share of paid time off the phones: agents to employ = agents on the phones / (1 - shrinkage).")
@click.option("--rows", "around", type=click.IntRange(0, 100), default=5, show_default=True,
              help="Agent counts shown either side of the answer.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def erlang(per_hour, handle_seconds, patience_seconds, agents, threshold_seconds, target, max_abandon, shrinkage,
           around, as_json):
    """Exact Erlang C / Erlang A staffing table for one stationary queue, as planners' spreadsheets show it."""
    from sim.output.tables import erlang_table
    from sim.plan import erlang as erl
    from sim.plan.costs import employ
    ceiling = None if max_abandon >= 1 else max_abandon
    try:
        rows, answer = erl.staffing_table(per_hour, handle_seconds, patience_seconds, threshold_seconds, target,
                                          ceiling, around)
        chosen = rows[answer] if agents is None else erl.erlang_a(per_hour, handle_seconds, patience_seconds,
                                                                  agents, threshold_seconds)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    model = "Erlang A (M/M/n+M)" if patience_seconds else "Erlang C (M/M/n)"
    report = {
        "model": model,
        "figures": chosen.as_dict(),
        "erlang_b_blocking": erl.erlang_b(chosen.agents, chosen.offered_erlangs),
        "fewest_agents_for_target": rows[answer].agents,
        "target": {"service_level": target, "threshold_seconds": threshold_seconds, "max_abandon_rate": ceiling},
        "shrinkage": shrinkage,
        "table": [{**f.as_dict(), "agents_to_employ": employ(f.agents, shrinkage)} for f in rows],
    }
    if as_json:
        click.echo(json.dumps(_json_safe(report), indent=2))   # an unstable queue's inf waits: null
        return
    click.echo(erlang_table(report, answer, None if agents is None else chosen))


if __name__ == "__main__":
    main()
