"""Time the analysis of DESIGN.md section 6 on 2,000 testers x 10 vendors x 120 criteria with 10,000 draws.

Budget (issue 5): one second for the whole analysis. Run: python benchmarks/bench_analysis.py [--repeat N].
Exits with 1 when the best time is over budget, so that it can guard a CI job.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from criteria.model import Category, CriteriaSet, Criterion, Priority
from vendors import analysis
from vendors.model import Tester, Vendor
from vendors.scoring import SCORE_COLUMNS, ScoringParams, score

BUDGET_SECONDS = 1.0


def campaign(
    n_testers: int = 2000, n_vendors: int = 10, n_criteria: int = 120, n_categories: int = 12, seed: int = 0
) -> tuple[CriteriaSet, tuple[Vendor, ...], tuple[Tester, ...], pd.DataFrame]:
    """An invented campaign: vendors of different quality, noisy integer scores, 10 % N/A, three group columns."""
    rng = np.random.default_rng(seed)
    categories = tuple(Category(f"K{c}", f"Category {c}", float(rng.integers(1, 5))) for c in range(n_categories))
    criteria = CriteriaSet(
        categories,
        tuple(
            Criterion(
                f"C{i:03d}",
                f"K{i % n_categories}",
                f"Criterion {i}",
                "",
                Priority.MUST if i % 17 == 0 else Priority.SHOULD,
                float(rng.integers(1, 4)),
            )
            for i in range(n_criteria)
        ),
    )
    vendors = tuple(
        Vendor(f"V{v}", f"Vendor {v}", setup_cost=1000.0 * v, price_per_user_month=5.0 + v) for v in range(n_vendors)
    )
    testers = tuple(
        Tester(
            f"T{t:04d}",
            f"Tester {t}",
            groups={
                "department": ("sales", "it", "hr", "ops")[t % 4],
                "level": ("staff", "manager", "executive")[t % 3],
                "generation": ("X", "Y", "Z")[(t // 7) % 3],
            },
        )
        for t in range(n_testers)
    )
    quality = rng.uniform(2.0, 4.5, size=(n_vendors, n_criteria))
    tester = np.repeat(np.arange(n_testers), n_vendors * n_criteria)
    vendor = np.tile(np.repeat(np.arange(n_vendors), n_criteria), n_testers)
    criterion = np.tile(np.arange(n_criteria), n_testers * n_vendors)
    value = np.clip(np.round(quality[vendor, criterion] + rng.normal(0.0, 1.2, tester.size)), 0, 5)
    na = rng.random(value.size) < 0.1
    value[na] = np.nan
    frame = pd.DataFrame(
        {
            "tester": np.array([t.id for t in testers], dtype=object)[tester],
            "vendor": np.array([v.id for v in vendors], dtype=object)[vendor],
            "criterion": np.array(criteria.ids, dtype=object)[criterion],
            "score": value,
            "na": na,
            "comment": "",
        },
        columns=list(SCORE_COLUMNS),
    )
    return criteria, vendors, testers, frame


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, float]:
    """Best wall-clock and best CPU time of ``repeat`` runs (CPU time shows what other processes cost us)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; the best one counts")
    args = parser.parse_args()
    criteria, vendors, testers, frame = campaign()
    params = ScoringParams(scale_max=5, users=500)
    result = score(criteria, vendors, frame, params, testers)
    print(f"{len(testers)} testers x {len(vendors)} vendors x {len(criteria.criteria)} criteria: {len(frame):,} rows")

    def whole() -> object:
        return analysis.analyse(
            criteria,
            vendors,
            testers,
            frame,
            params,
            result,
            disagreement_sd=1.5,
            draws=10_000,
            delta=0.25,
            seed=0,
        )

    parts: dict[str, Callable[[], object]] = {
        "disagreements": lambda: analysis.disagreements(criteria, vendors, frame, 1.5),
        "alpha_by_vendor": lambda: analysis.alpha_by_vendor(criteria, vendors, frame),
        "segments (10 groups)": lambda: analysis.segments(criteria, vendors, testers, frame, params),
        "monte_carlo (10,000)": lambda: analysis.monte_carlo(criteria, result, draws=10_000, delta=0.25, seed=0),
        "flip_weights": lambda: analysis.flip_weights(criteria, result, delta=0.25),
        "leave_one_out (mean)": lambda: analysis.leave_one_out(criteria, vendors, testers, frame, params, result),
    }
    print(f"  {'':<24} {'wall':>7}   {'cpu':>7}")
    for name, run in parts.items():
        wall, cpu = best_of(args.repeat, run)
        print(f"  {name:<24} {wall:7.3f} s {cpu:7.3f} s")
    total, cpu = best_of(args.repeat, whole)
    verdict = "ok" if total <= BUDGET_SECONDS else "OVER BUDGET"
    print(f"  {'analyse (all of it)':<24} {total:7.3f} s {cpu:7.3f} s  (budget {BUDGET_SECONDS:.1f} s wall: {verdict})")
    return 0 if total <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
