"""Time the whole `tender report` command on 10 vendors x 120 criteria (the committee report, ~30 pages).

Budget (issue 7): 8 seconds of wall time for the whole command, imports included, and at most 1 GiB of
memory. The campaign is the bundled demo stretched to 10 vendors and 120 criteria, filled by simulated
testers through the real `tender sheets` and `tender collect`. Run:

    python benchmarks/bench_report.py [--testers N] [--repeat N] [--keep DIR]

Exits with 1 when the best time or the peak memory is over budget, so that it can guard a CI job.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from criteria.catalogue import catalogue
from criteria.excel import write_criteria
from criteria.model import CriteriaSet
from tender.campaign import load_campaign
from tender.cli import cli
from tender.demo import create_demo_campaign, demo_vendors, fill_inbox
from vendors.io import write_vendors
from vendors.model import Vendor

BUDGET_SECONDS = 8.0
BUDGET_BYTES = 1024**3


def build(root: Path, n_vendors: int = 10, n_criteria: int = 120, n_testers: int = 40, language: str = "en") -> None:
    """The demo campaign with more vendors and criteria, collected from simulated testers' workbooks."""
    create_demo_campaign(root, language, n_testers, 0, True)
    base = catalogue(language)
    criteria = list(base.criteria)
    k = 0
    while len(criteria) < n_criteria:
        # Variants of the catalogue's criteria keep realistic titles and lengths.
        model = base.criteria[k % len(base.criteria)]
        criteria.append(dataclasses.replace(model, id=f"{model.id}-{k // len(base.criteria) + 2}"))
        k += 1
    order = {cat.id: n for n, cat in enumerate(base.categories)}
    criteria.sort(key=lambda c: (order[c.category], c.id))
    write_criteria(CriteriaSet(base.categories, tuple(criteria[:n_criteria])), root / "criteria.xlsx", language)
    vendors = list(demo_vendors(language))
    for v in range(len(vendors) + 1, n_vendors + 1):
        vendors.append(Vendor(f"V{v}", f"Vendor {v}", 10_000.0 * v, 3.0 + 0.4 * v, 2_000.0 * v))
    write_vendors(tuple(vendors[:n_vendors]), root / "vendors.xlsx", language)
    runner = CliRunner()
    for args in (["sheets", str(root)],):
        result = runner.invoke(cli, args)
        if result.exit_code:
            raise SystemExit(f"tender {args[0]} failed: {result.output}")
    fill_inbox(load_campaign(root), 0, mistakes=False)
    result = runner.invoke(cli, ["collect", str(root)])
    if result.exit_code:
        raise SystemExit(f"tender collect failed: {result.output}")


def run(root: Path) -> tuple[float, int, str]:
    """Wall time, peak memory (bytes) and output of one `tender report` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tender", "report", str(root)], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"tender report failed ({done.returncode}): {done.stderr}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) * 1024
    return elapsed, peak, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testers", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="build the campaign here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "campaign"
        build(root, n_testers=args.testers)
        runs = [run(root) for _ in range(args.repeat)]
    best = min(t for t, _, _ in runs)
    peak = max(m for _, m, _ in runs)
    print(runs[-1][2])
    print(
        f"tender report, 10 vendors x 120 criteria, {args.testers} testers: best {best:.2f} s of {args.repeat} runs "
        f"(budget {BUDGET_SECONDS:.0f} s), peak memory {peak / 2**20:.0f} MiB (budget {BUDGET_BYTES / 2**20:.0f} MiB)"
    )
    return int(best > BUDGET_SECONDS or peak > BUDGET_BYTES)


if __name__ == "__main__":
    sys.exit(main())
