"""Benchmarks of rse-tender against the baselines a user would otherwise use (issue 9).

One command builds its own data, then prints a table with, for every workload, our figure, a
baseline measured in the same run, their ratio, the peak memory and the goal:

    python benchmarks/run.py             # or: make bench    (about 15 minutes on 2 cores)
    python benchmarks/run.py --quick     # smoke run: small data, one run each, goals not judged

Every figure is the median wall time of ``--runs`` runs (default 3) in a fresh process: whole
commands run as ``python -m tender ...`` subprocesses, imports included; computations that have no
command of their own (score + analysis) run in a child process that times them after building its
data. Peak memory is the largest resident set of one process of the tree (``ru_maxrss`` from
``wait4``: worker processes are not summed), highest over the runs; CPU is user + system time of
the whole tree. Exits with 1 when a goal is missed, so it can guard a CI job.

Workloads and baselines:

- ``collect``: `tender collect` of 1,000 filled workbooks (the demo campaign: 5 vendors x 65
  criteria, filled by simulated testers with openpyxl) against a loop of
  ``pandas.read_excel(sheet_name=None, engine="openpyxl")`` and against python-calamine alone
  (every sheet of every workbook parsed in one process: the floor).
- ``sheets``: `tender sheets` for 500 testers against openpyxl building and saving each tester's
  workbook (the same workbook, without the shared template).
- ``score``: scoring and the whole analysis (DESIGN.md sections 5-6) of 2,000 testers x 10 vendors
  x 120 criteria with 10,000 Monte Carlo draws, against pandas + scikit-criteria doing only the
  ranking and the Monte Carlo (a weighted sum per draw).
- ``report``: `tender report` for 10 vendors x 120 criteria and 40 testers, then at 600 and 2,400
  criteria to show how time grows, against a plain PDF of the same scores (pandas pivot ->
  ``DataFrame.to_html`` -> WeasyPrint).

``--data DIR`` keeps the generated data in DIR and reuses it on the next run (delete DIR after
changing the workbook layout or the demo). Linux only (``os.wait4``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GIB = 1024**3
MIB = 1024**2
WORKLOADS = ("collect", "sheets", "score", "report")


# ------------------------------------------------------------------------------------------------ measuring


@dataclass(frozen=True)
class Run:
    """One run of a process: wall time, peak resident memory, what it printed, processor time (user + system)."""

    seconds: float
    peak: int
    stdout: str
    cpu: float = 0.0


@dataclass
class Measure:
    """The runs of one thing measured; figures are the median time and the highest peak."""

    label: str
    runs: list[Run] = field(default_factory=list)
    #: times reported by the child itself, when it times a computation after building its data
    inner: list[float] = field(default_factory=list)
    inner_cpu: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(self.inner or [r.seconds for r in self.runs])

    @property
    def cpu(self) -> float:
        """Median processor time: above the wall time, the work ran in parallel; far below, others had the CPUs."""
        return statistics.median(self.inner_cpu or [r.cpu for r in self.runs])

    @property
    def peak(self) -> int:
        return max(r.peak for r in self.runs)

    @property
    def spread(self) -> str:
        times = self.inner or [r.seconds for r in self.runs]
        return f"{min(times):.2f}-{max(times):.2f}" if len(times) > 1 else ""


def run_process(argv: Sequence[str], check: Callable[[int, str], str | None] | None = None) -> Run:
    """Run ``argv`` to its end; its wall time and the peak RSS of its largest process (ru_maxrss)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err)
        # wait4 gives the rusage of this child and of the children it waited for (the worker pool).
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    problem = check(code, stdout) if check is not None else (f"exit code {code}" if code else None)
    if problem:
        raise SystemExit(f"{' '.join(argv)} failed: {problem}\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return Run(elapsed, usage.ru_maxrss * 1024, stdout, usage.ru_utime + usage.ru_stime)


@dataclass(frozen=True)
class Command:
    """One thing to measure: a label, its argv, what to do before each run (e.g. empty the ledger), a check."""

    label: str
    argv: Sequence[str]
    prepare: Callable[[], None] | None = None
    check: Callable[[int, str], str | None] | None = None


def measure(*commands: Command, runs: int) -> list[Measure]:
    """Run each command ``runs`` times, taking them in turn (ours, its baselines, ours again...).

    The machine's speed drifts by up to 30 % over minutes; taken in turn, each run of ours has a
    run of its baselines beside it, and the ratios compare runs made under the same conditions.
    """
    results = [Measure(command.label) for command in commands]
    for _ in range(runs):
        for command, result in zip(commands, results, strict=True):
            if command.prepare is not None:
                command.prepare()
            run = run_process(command.argv, command.check)
            result.runs.append(run)
            reported = json.loads(run.stdout) if run.stdout.startswith("{") else {}
            if "seconds" in reported:
                result.inner.append(reported["seconds"])
                result.inner_cpu.append(reported["cpu"])
    return results


def tender(*args: object) -> list[str]:
    """The argv of a whole `tender` command, with this interpreter."""
    return [sys.executable, "-m", "tender", *map(str, args)]


def child(name: str, *args: object) -> list[str]:
    """The argv of one of the child workloads of this file (see CHILDREN)."""
    return [sys.executable, str(Path(__file__).resolve()), "--child", name, *map(str, args)]


# --------------------------------------------------------------------------------------------- data builders


def ready(folder: Path) -> bool:
    """True when ``folder`` holds data built to the end by an earlier run (``--data``)."""
    return (folder / ".bench-ready").exists()


def mark_ready(folder: Path) -> None:
    (folder / ".bench-ready").write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))


_ANSWERS: dict[str, Any] = {}


def _fill_one(paths: tuple[str, str, str]) -> None:
    from vendors.workbook import fill_workbook

    template, target, tester = paths
    fill_workbook(Path(template), Path(target), _ANSWERS[tester])


def build_collect_data(root: Path, n_testers: int) -> None:
    """The demo campaign with ``n_testers`` testers whose filled workbooks wait in inbox/."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tender.collect import make_sheets
    from tender.demo import create_demo_campaign, simulate_answers

    if ready(root):
        return
    campaign = create_demo_campaign(root, "en", n_testers, 0, True)
    make_sheets(campaign)
    _ANSWERS.update(simulate_answers(campaign, 0))
    jobs = [
        (str(campaign.paths.sheets / f"{t.id}.xlsx"), str(campaign.paths.inbox / f"{t.id}.xlsx"), t.id)
        for t in campaign.testers
    ]
    campaign.paths.inbox.mkdir(exist_ok=True)
    # Filling is openpyxl load + save per workbook (about 0.1 s each): spread it over the CPUs.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(os.sched_getaffinity(0)), mp_context=context) as pool:
        list(pool.map(_fill_one, jobs, chunksize=16))
    _ANSWERS.clear()
    # Blank sheets are not collected (the campaign's own folder); the folder is emptied to save space.
    shutil.rmtree(campaign.paths.sheets)
    campaign.paths.sheets.mkdir()
    mark_ready(root)


def build_sheets_data(root: Path, n_testers: int) -> None:
    """The demo campaign with ``n_testers`` testers, no workbook written yet."""
    from tender.demo import create_demo_campaign

    if not ready(root):
        create_demo_campaign(root, "en", n_testers, 0, True)
        mark_ready(root)


def report_criteria(n_criteria: int, language: str = "en") -> Any:
    """``n_criteria`` criteria over the catalogue's categories: its criteria, then numbered variants of them.

    Variants keep the catalogue's realistic titles and text lengths; the catalogue's order of
    categories is kept so that the report reads as a real one.
    """
    import dataclasses

    from criteria.catalogue import catalogue
    from criteria.model import CriteriaSet

    base = catalogue(language)
    criteria = list(base.criteria)
    k = 0
    while len(criteria) < n_criteria:
        model = base.criteria[k % len(base.criteria)]
        criteria.append(dataclasses.replace(model, id=f"{model.id}-{k // len(base.criteria) + 2}"))
        k += 1
    order = {cat.id: n for n, cat in enumerate(base.categories)}
    chosen = sorted(criteria[:n_criteria], key=lambda c: (order[c.category], c.id))
    return CriteriaSet(base.categories, tuple(chosen))


def build_report_data(root: Path, n_criteria: int, n_vendors: int = 10, n_testers: int = 40) -> None:
    """A campaign of ``n_vendors`` x ``n_criteria`` whose ledger holds one accepted workbook per tester.

    The settings, vendors and testers are the demo's (more vendors are invented); the criteria are
    written with write_criteria. The simulated answers are recorded straight into the ledger as
    intakes, the very records `tender collect` writes: the report reads only the ledger, and filling
    40 workbooks of 24,000 rows with openpyxl would take longer than everything measured here.
    """
    import datetime as dt
    import hashlib
    from contextlib import closing

    from criteria.excel import write_criteria
    from tender.campaign import init_campaign, load_campaign
    from tender.demo import demo_testers, demo_vendors, simulate_answers
    from vendors import ledger
    from vendors.intake import Intake, ScoreRow, parse_score
    from vendors.model import Vendor

    if ready(root):
        return
    vendors = list(demo_vendors("en"))
    for v in range(len(vendors) + 1, n_vendors + 1):
        vendors.append(Vendor(f"V{v}", f"Vendor {v}", 10_000.0 * v, 3.0 + 0.4 * v, 2_000.0 * v))
    extra = {"deadline": "2027-03-31", "contact": "pilote-rse@valmeyrac.example", "users": 2400}
    testers = demo_testers(n_testers, "en", 0)
    init_campaign(root, "en", force=True, vendors=tuple(vendors[:n_vendors]), testers=testers, extra_settings=extra)
    write_criteria(report_criteria(n_criteria), root / "criteria.xlsx", "en")
    campaign = load_campaign(root)
    scale = campaign.settings.scale
    answers = simulate_answers(campaign, 0)
    received = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
    with closing(ledger.connect(campaign.paths.ledger)) as conn:
        for n, tester in enumerate(campaign.testers):
            rows = []
            for vendor, by_criterion in answers[tester.id].items():
                for criterion, (raw, comment) in by_criterion.items():
                    parsed = parse_score(raw, scale)
                    assert parsed is not None, (raw, criterion)
                    rows.append(ScoreRow(vendor, criterion, parsed[0], parsed[1], comment))
            sha = hashlib.sha256(f"{campaign.settings.campaign_id}/{tester.id}".encode()).hexdigest()
            intake = Intake(f"{tester.id}.xlsx", tester.id, tuple(rows))
            when = received + dt.timedelta(minutes=7 * n)
            ledger.record(conn, sha, f"inbox/{tester.id}.xlsx", f"{sha}.xlsx", intake, when)
    mark_ready(root)


# ------------------------------------------------------------------------------------- children (subprocesses)


def child_openpyxl(folder: str) -> None:
    """Baseline: every sheet of every workbook read with pandas and openpyxl, one after the other."""
    import pandas as pd

    rows = 0
    for path in sorted(Path(folder).glob("*.xlsx")):
        rows += sum(len(frame) for frame in pd.read_excel(path, sheet_name=None, engine="openpyxl").values())
    print(json.dumps({"rows": rows}))


def child_calamine(folder: str) -> None:
    """Floor: every sheet of every workbook parsed by python-calamine, nothing else."""
    from python_calamine import CalamineWorkbook

    rows = 0
    for path in sorted(Path(folder).glob("*.xlsx")):
        workbook = CalamineWorkbook.from_path(str(path))
        rows += sum(len(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names)
    print(json.dumps({"rows": rows}))


def child_sheets_openpyxl(root: str, outdir: str) -> None:
    """Baseline: openpyxl builds and saves each tester's workbook (the same workbook, no shared template)."""
    from criteria.safe import write_bytes_atomic
    from tender.campaign import load_campaign
    from tender.collect import workbook_spec
    from vendors.workbook import build_template

    campaign = load_campaign(Path(root))
    spec = workbook_spec(campaign)
    for tester in campaign.testers:
        write_bytes_atomic(Path(outdir) / f"{tester.id}.xlsx", build_template(spec).render(tester))
    print(json.dumps({"workbooks": len(campaign.testers)}))


def _score_campaign(n_testers: int) -> tuple[Any, ...]:
    sys.path.insert(0, str(HERE))
    from bench_analysis import campaign  # the analysis benchmark's invented campaign (issue 5)

    return campaign(n_testers=n_testers)


def child_score(n_testers: str, draws: str) -> None:
    """Ours: score() then analyse() on an invented campaign, timed after building it."""
    from vendors.analysis import analyse
    from vendors.scoring import ScoringParams, score

    criteria, vendors, testers, frame = _score_campaign(int(n_testers))
    params = ScoringParams(scale_max=5, users=500)
    start, start_cpu = time.perf_counter(), _cpu()
    result = score(criteria, vendors, frame, params, testers)
    scored = time.perf_counter()
    found = analyse(
        criteria, vendors, testers, frame, params, result, disagreement_sd=1.5, draws=int(draws), delta=0.25, seed=0
    )
    end = time.perf_counter()
    winner = next(v.id for v in result.vendors if v.rank == 1)
    share = found.sensitivity.monte_carlo.first_place_share.get(winner)
    print(json.dumps({"seconds": end - start, "cpu": _cpu() - start_cpu, "score": scored - start,
                      "analyse": end - scored, "winner": winner, "share": share, "rows": len(frame)}))  # fmt: skip


def _cpu() -> float:
    """Processor time of this process so far, its threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_skcriteria(n_testers: str, draws: str) -> None:
    """Baseline: pandas means per (vendor, criterion), then scikit-criteria's weighted sum, once per draw.

    This does only the ranking and the Monte Carlo of DESIGN.md section 6 (a), the part of the
    analysis an MCDA library offers; no knock-outs, disagreement, reliability, segments or other
    sensitivity analyses.
    """
    import numpy as np
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel

    criteria, vendors, _, frame = _score_campaign(int(n_testers))
    start, start_cpu = time.perf_counter(), _cpu()
    means = frame.groupby(["vendor", "criterion"])["score"].mean().unstack()
    ids = list(criteria.ids)
    matrix = means.reindex(index=[v.id for v in vendors], columns=ids).to_numpy()
    quality = np.nan_to_num(matrix) / 5 * 100
    tco = np.array([v.setup_cost + 3 * 12 * 500 * (v.price_per_user_month or 0) for v in vendors])
    price = 100 * tco.min() / tco
    decision = np.column_stack([quality, price])
    category_of = np.array([[c.id for c in criteria.categories].index(c.category) for c in criteria.criteria])
    category_weights = np.array([c.weight for c in criteria.categories])
    own = np.array([c.weight for c in criteria.criteria])
    within = own / np.bincount(category_of, weights=own)[category_of]
    rng = np.random.default_rng(0)
    wins = np.zeros(len(vendors))
    model = WeightedSumModel()
    for _ in range(int(draws)):
        factors = rng.uniform(0.75, 1.25, size=len(category_weights) + 2)
        cats = category_weights * factors[:-2]
        effective = cats[category_of] / cats.sum() * within
        q, p = 70 * factors[-2], 30 * factors[-1]
        weights = np.append(effective * q, p) / (q + p)
        dm = skc.mkdm(decision, [max] * decision.shape[1], weights=weights)
        wins[int(np.argmin(model.evaluate(dm).rank_))] += 1
    end = time.perf_counter()
    winner, share = vendors[int(wins.argmax())].id, float(wins.max()) / int(draws)
    print(json.dumps({"seconds": end - start, "cpu": _cpu() - start_cpu, "winner": winner, "share": share}))


def child_report_table(root: str, target: str) -> None:
    """Baseline: the mean score per criterion and vendor as one plain table, PDF by WeasyPrint."""
    import pandas as pd
    from weasyprint import HTML

    from vendors.ledger import current_scores

    scores = current_scores(Path(root) / ".tender" / "ledger.sqlite")
    table = scores.pivot_table(index="criterion", columns="vendor", values="score", aggfunc="mean")
    html = "<style>@page{size:A4 landscape}table{font-size:8pt;border-collapse:collapse}</style>"
    html += pd.DataFrame(table).round(2).to_html()
    HTML(string=html).write_pdf(target)
    print(json.dumps({"rows": len(table)}))


CHILDREN: dict[str, Callable[..., None]] = {
    "openpyxl": child_openpyxl,
    "calamine": child_calamine,
    "sheets-openpyxl": child_sheets_openpyxl,
    "score": child_score,
    "skcriteria": child_skcriteria,
    "report-table": child_report_table,
    "build-collect": lambda root, n: build_collect_data(Path(root), int(n)),
    "build-sheets": lambda root, n: build_sheets_data(Path(root), int(n)),
    "build-report": lambda root, n, testers: build_report_data(Path(root), int(n), n_testers=int(testers)),
}


def build(name: str, root: Path, *args: object) -> None:
    """Build data in a child process: this process stays small, so its size never leaks into a peak.

    A child created by fork or vfork inherits this process's resident size as its ``ru_maxrss``
    until it execs; a parent kept small keeps that floor at a few MiB.
    """
    if not ready(root):
        start = time.perf_counter()
        run_process(child(f"build-{name}", root, *args))
        print(f"    built {root.name} in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ workloads


@dataclass
class Line:
    """One line of the results table: ours against one baseline."""

    workload: str
    ours: Measure
    baseline: Measure | None
    goals: list[tuple[str, bool]] = field(default_factory=list)
    note: str = ""


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def mib(size: int) -> str:
    return f"{size / MIB:.0f} MiB"


def ratio_text(ours: Measure, baseline: Measure | None) -> str:
    """Baseline time / our time: above 1 we are that many times faster, below 1 that many times slower."""
    if baseline is None:
        return ""
    ratio = baseline.seconds / ours.seconds
    return f"{ratio:.2f}x" if ratio >= 1 else f"{ratio:.2f}x (ours {1 / ratio:.1f}x slower)"


#: Where each run's output is moved before the next run (see set_aside); emptied when the measures are done.
SET_ASIDE = ".set-aside"


def set_aside(path: Path, data: Path) -> None:
    """Move ``path`` (a previous run's output) out of the way, into ``data``'s set-aside folder, if it exists.

    Not deleted at once: on ext4 without a journal, as on the machine of RESULTS.md, the inode
    allocator skips every inode freed in the last seconds (``recently_deleted`` in
    ``find_inode_bit``). Creating 1,000 files right after deleting 1,000 spent 8 % of `tender
    collect`'s processor time there (perf), a cost a campaign's first collect never pays.
    """
    if path.exists():
        folder = data / SET_ASIDE
        folder.mkdir(exist_ok=True)
        path.rename(tempfile.mkdtemp(dir=folder))  # rename onto an empty folder replaces it


def bench_collect(data: Path, n: int, runs: int) -> list[Line]:
    root = data / f"collect-{n}"
    build("collect", root, n)
    inbox = root / "inbox"

    def fresh() -> None:
        # Each run collects into an empty ledger and archive, as the first `tender collect` of a campaign; the
        # campaign's secret, made with the workbooks, stays (collect checks each workbook's tester key with it).
        state = root / ".tender"
        secret = (state / "secret").read_bytes() if (state / "secret").exists() else None
        set_aside(state, data)
        if secret is not None:
            state.mkdir(mode=0o700)
            (state / "secret").write_bytes(secret)
            (state / "secret").chmod(0o600)
        (root / "out" / "collect-problems.xlsx").unlink(missing_ok=True)

    def all_accepted(code: int, stdout: str) -> str | None:
        return None if code == 0 and f"{n} accepted, 0 rejected" in stdout else f"exit code {code}, not all accepted"

    ours, openpyxl, floor = measure(
        Command("tender collect", tender("collect", root), fresh, all_accepted),
        Command("pandas.read_excel(openpyxl) loop", child("openpyxl", inbox)),
        Command("python-calamine alone", child("calamine", inbox)),
        runs=runs,
    )
    name = f"collect {n:,} workbooks"
    return [
        Line(
            name,
            ours,
            openpyxl,
            [
                ("<= 2 s", ours.seconds <= 2.0),
                (">= 7x faster than openpyxl", openpyxl.seconds >= 7 * ours.seconds),
            ],
        ),
        Line(name, ours, floor, [("<= 3x the raw reader", ours.seconds <= 3 * floor.seconds)]),
    ]


def bench_sheets(data: Path, n: int, runs: int) -> list[Line]:
    root = data / f"sheets-{n}"
    build("sheets", root, n)
    sheets, baseline_out = root / "sheets", root / "sheets-openpyxl"

    def empty(folder: Path) -> Callable[[], None]:
        def prepare() -> None:
            set_aside(folder, data)
            folder.mkdir()

        return prepare

    ours, baseline = measure(
        Command("tender sheets", tender("sheets", root), empty(sheets)),
        Command("openpyxl builds each workbook", child("sheets-openpyxl", root, baseline_out), empty(baseline_out)),
        runs=runs,
    )
    return [Line(f"sheets for {n:,} testers", ours, baseline, [("<= 6 s", ours.seconds <= 6.0)])]


def bench_score(n_testers: int, draws: int, runs: int) -> list[Line]:
    ours, baseline = measure(
        Command("score() + analyse()", child("score", n_testers, draws)),
        Command("pandas + scikit-criteria", child("skcriteria", n_testers, draws)),
        runs=runs,
    )
    first = json.loads(ours.runs[0].stdout)
    parts = [json.loads(r.stdout) for r in ours.runs]
    note = (
        f"{first['rows']:,} score rows; score {statistics.median(p['score'] for p in parts):.3f} s + analyse "
        f"{statistics.median(p['analyse'] for p in parts):.3f} s; winner {first['winner']} in "
        f"{100 * first['share']:.1f} % of draws (scikit-criteria: {json.loads(baseline.runs[0].stdout)['winner']} "
        f"in {100 * json.loads(baseline.runs[0].stdout)['share']:.1f} %)"
    )
    name = f"score + analysis {n_testers:,} x 10 x 120, {draws:,} draws"
    return [Line(name, ours, baseline, [("<= 1 s", ours.seconds <= 1.0)], note)]


def bench_report(data: Path, sizes: Sequence[int], n_testers: int, runs: int) -> list[Line]:
    lines = []
    for n_criteria in sizes:
        root = data / f"report-{n_criteria}-{n_testers}"
        build("report", root, n_criteria, n_testers)
        target = root / "out" / "report.pdf"
        plain = root / "out" / "plain-table.pdf"
        ours, baseline = measure(
            Command("tender report", tender("report", root), functools.partial(target.unlink, missing_ok=True)),
            Command("plain table PDF", child("report-table", root, plain)),
            runs=runs,
        )
        goals = []
        if n_criteria == 120:
            goals = [("<= 8 s", ours.seconds <= 8.0), ("<= 1 GiB", ours.peak <= GIB)]
        pages = ours.runs[-1].stdout.strip().splitlines()[0] if ours.runs[-1].stdout.strip() else ""
        note = pages[pages.rfind("(") :] if "(" in pages else ""
        lines.append(Line(f"report 10 x {n_criteria:,} criteria, {n_testers} testers", ours, baseline, goals, note))
    return lines


# -------------------------------------------------------------------------------------------------- output


def machine() -> list[str]:
    """The machine and software the figures come from."""
    from importlib.metadata import version

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
        ram = f"{int(memory.split()[1]) / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    packages = ("pandas", "numpy", "openpyxl", "python-calamine", "weasyprint", "scikit-criteria")
    versions = ", ".join(f"{p} {version(p)}" for p in packages)
    return [
        f"- machine: {cpu}, {len(os.sched_getaffinity(0))} CPUs usable, {ram}; {platform.platform()}",
        f"- Python {platform.python_version()}; {versions}",
    ]


#: The project's packages, whose bytecode is compiled before measuring (see compile_bytecode).
PACKAGES = ("criteria", "vendors", "reports", "tender")


def compile_bytecode() -> str:
    """Compile the project's modules to bytecode first, as ``pip install`` does; say what was found.

    Python reads the ``.pyc`` files beside the sources when they are there. Where the environment
    sets PYTHONDONTWRITEBYTECODE (as on the machine of RESULTS.md) and the package is installed in
    editable mode, none is ever written: every `tender` command compiled its 30 modules again
    (30-40 ms), while the baselines import only installed packages, compiled at install time.
    """
    import compileall

    flag = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "not set"
    root = HERE.parent
    ok = all(compileall.compile_dir(root / package, quiet=1) for package in PACKAGES)
    outcome = "done" if ok else "FAILED"
    return f"- bytecode of {', '.join(PACKAGES)} compiled first ({outcome}; PYTHONDONTWRITEBYTECODE {flag})"


def load() -> str:
    return "load average " + " / ".join(f"{x:.2f}" for x in os.getloadavg())


def table(lines: Sequence[Line], judged: bool) -> list[str]:
    out = [
        "| workload | ours (median) | range | CPU | peak memory | baseline | baseline (median) | baseline CPU "
        "| baseline peak | baseline ÷ ours | goals |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for line in lines:
        base = line.baseline
        goals = "; ".join(f"{g}: {'ok' if ok else 'MISSED'}" for g, ok in line.goals) if judged else "(not judged)"
        ours = (seconds(line.ours.seconds), line.ours.spread, seconds(line.ours.cpu), mib(line.ours.peak))
        theirs = (base.label, seconds(base.seconds), seconds(base.cpu), mib(base.peak)) if base else ("",) * 4
        cells = (line.workload, *ours, *theirs, ratio_text(line.ours, base), goals)
        out.append("| " + " | ".join(cells) + " |")
    notes = [f"- {line.workload}: {line.note}" for line in lines if line.note]
    return out + ([""] + notes if notes else [])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs per measure; the median counts (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: small data, one run each")
    parser.add_argument("--only", default=",".join(WORKLOADS), help=f"comma-separated subset of {','.join(WORKLOADS)}")
    parser.add_argument("--data", type=Path, default=None, help="build the data here and reuse it on the next run")
    parser.add_argument("--json", type=Path, default=None, help="also write every run's figures to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        CHILDREN[args.child[0]](*args.child[1:])
        return 0
    chosen = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = sorted(set(chosen) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose among {', '.join(WORKLOADS)}")
    runs = args.runs or (1 if args.quick else 3)
    q = args.quick
    print("# rse-tender benchmarks" + (" (quick smoke run: small data, goals not judged)" if q else ""), flush=True)
    print(*machine(), compile_bytecode(), f"- {runs} run(s) per measure; started with {load()}", sep="\n", flush=True)
    lines: list[Line] = []
    with tempfile.TemporaryDirectory(prefix="tender-bench-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        steps: dict[str, Callable[[], list[Line]]] = {
            "collect": lambda: bench_collect(data, 100 if q else 1000, runs),
            "sheets": lambda: bench_sheets(data, 50 if q else 500, runs),
            "score": lambda: bench_score(200 if q else 2000, 10_000, runs),
            "report": lambda: bench_report(data, (120,) if q else (120, 600, 2400), 10 if q else 40, runs),
        }
        try:
            for name in chosen:
                start = time.perf_counter()
                print(f"\n... {name} ({load()})", file=sys.stderr, flush=True)
                done = steps[name]()
                lines += done
                print(f"... {name} done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(data / SET_ASIDE, ignore_errors=True)
    # What this process weighs: the floor of every peak measured (see build()).
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"- finished with {load()}; this harness peaked at {own:.0f} MiB", "", *table(lines, not q), sep="\n")
    if args.json:
        records = [
            {
                "workload": line.workload,
                "ours": {"label": line.ours.label, "seconds": [r.seconds for r in line.ours.runs],
                         "inner": line.ours.inner, "peak": [r.peak for r in line.ours.runs]},
                "baseline": None if line.baseline is None else {
                    "label": line.baseline.label, "seconds": [r.seconds for r in line.baseline.runs],
                    "inner": line.baseline.inner, "peak": [r.peak for r in line.baseline.runs]},
                "goals": line.goals,
            }
            for line in lines
        ]  # fmt: skip
        args.json.write_text(json.dumps(records, indent=2) + "\n")
    missed = not q and any(not ok for line in lines for _, ok in line.goals)
    return int(missed)


if __name__ == "__main__":
    sys.exit(main())
