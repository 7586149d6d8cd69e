"""Problem generators of many shapes, for the tests (medium size) and the benchmark (Jakarta
and national size). Pure and deterministic: the same family, seed and geography give the
same problem.

Families (issue 20), each stressing one thing real rounds do:

* ``concentrated``: nearly all supply sits in three regencies;
* ``restricted``: most pledges restricted, some to an area the pledge is not in;
* ``skewed``: a few huge pledges and many tiny ones;
* ``zeros``: many needs (and some pledges) of quantity 0;
* ``extremes``: items heavily over- and under-supplied;
* ``duplicates``: many recipients on the same few areas;
* ``sparse_priorities``: priorities 1..40 with most of them empty;
* ``one_recipient``: one recipient with many items;
* ``mixed``: province/regency restrictions as a national round has them (the shape of the
  regression problem of issue 20).
"""

from __future__ import annotations

import csv
import gzip
import itertools
import random
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["FAMILIES", "generate", "medium_villages", "real_villages"]

FAMILIES = (
    "concentrated",
    "restricted",
    "skewed",
    "zeros",
    "extremes",
    "duplicates",
    "sparse_priorities",
    "one_recipient",
    "mixed",
)

# The Kemendagri data shipped in the package (ODbL, see ksbb/areas/data/wilayah/).
_VILLAGES = Path(__file__).resolve().parents[2] / "areas/data/wilayah/villages.csv.gz"


@lru_cache(maxsize=4)
def real_villages(prefix: str | None = None) -> tuple[str, ...]:
    with gzip.open(_VILLAGES, "rt", newline="", encoding="utf-8") as f:
        codes = [row["code"] for row in csv.DictReader(f)]
    return tuple(sorted(c for c in codes if prefix is None or c.startswith(prefix + ".")))


def medium_villages() -> tuple[str, ...]:
    """A small synthetic country: 2 provinces x 4 regencies x 3 districts x 3 villages."""
    return tuple(
        f"{p}.{r:02d}.{d:02d}.{2000 + v}"
        for p in ("31", "32")
        for r in range(1, 5)
        for d in range(1, 4)
        for v in range(1, 4)
    )


def _cut(code: str, depth: int) -> str:
    return ".".join(code.split(".")[:depth])


def generate(
    family: str,
    seed: int,
    villages: tuple[str, ...],
    *,
    recipients: int,
    pledges: int,
    items: int = 2,
    rws: int = 4,
) -> dict[str, Any]:
    """A problem of `family` over `villages` (each with `rws` RWs below it, 0 for none):
    about `recipients` recipients with a need line for ~70% of `items` items, and `pledges`
    pledges."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    rng = random.Random(f"{family}:{seed}")
    item_names = [f"item{k}" for k in range(items)]

    # Where needs are.
    if family == "duplicates":
        pool = rng.sample(villages, max(3, len(villages) // 40))
        need_areas = [f"{v}.{rng.randint(1, max(1, rws)):03d}" if rws else v for v in pool]
    else:
        need_areas = [f"{v}.{k:03d}" for v in villages for k in range(1, rws + 1)] or list(
            villages
        )
    prios: list[int] = [1, 2, 3]
    prio_w: list[float] = [0.2, 0.5, 0.3]
    if family == "sparse_priorities":
        prios, prio_w = [1, 4, 9, 17, 40], [0.1, 0.3, 0.1, 0.3, 0.2]

    needs: list[dict[str, Any]] = []
    for i in range(recipients):
        area = rng.choice(need_areas)
        if rng.random() < 0.2:  # institutions sit at village level
            area = _cut(area, 4)
        for item in item_names:
            if rng.random() < 0.7:
                q = rng.randint(5, 300)
                if family == "zeros" and rng.random() < 0.4:
                    q = 0
                needs.append(
                    {
                        "recipient": f"R{i:06d}",
                        "item": item,
                        "quantity": q,
                        "priority": rng.choices(prios, prio_w)[0],
                        "area": area,
                    }
                )
    if family == "one_recipient":
        extra = [f"kit{k:02d}" for k in range(40)]
        big = rng.choice(need_areas)
        for k, item in enumerate(item_names + extra):
            key = ("R-BIG", item)
            needs = [n for n in needs if (n["recipient"], n["item"]) != key]
            needs.append(
                {"recipient": "R-BIG", "item": item, "quantity": rng.randint(50, 5000),
                 "priority": 1 + k % 3, "area": big}
            )
        for j, item in enumerate(extra):  # a few others want some of the kits too
            for r in rng.sample(range(recipients), 3):
                needs.append({"recipient": f"R{r:06d}", "item": item,
                              "quantity": rng.randint(1, 50), "priority": 1 + j % 2,
                              "area": rng.choice(need_areas)})
        item_names = item_names + extra

    demand: dict[str, int] = defaultdict(int)
    for n in needs:
        demand[n["item"]] += n["quantity"]
    ratio = dict.fromkeys(item_names, 0.7)
    if family == "extremes":
        for k, item in enumerate(item_names):
            ratio[item] = (4.0, 0.03, 1.0, 0.2)[k % 4]

    # Where supply is.
    weights = [rng.lognormvariate(0, 1) for _ in villages]
    if family == "concentrated":
        regencies = sorted({_cut(v, 2) for v in villages})
        hot = set(rng.sample(regencies, min(3, len(regencies))))
        weights = [w * (1.0 if _cut(v, 2) in hot else 1e-3) for v, w in zip(villages, weights,
                                                                           strict=True)]
    cum = list(itertools.accumulate(weights))
    restrict_p: list[tuple[int | None, float]] = [(None, 0.4), (1, 0.3), (2, 0.2), (3, 0.1)]
    elsewhere = 0.0
    if family == "restricted":
        restrict_p = [(None, 0.05), (1, 0.3), (2, 0.35), (3, 0.2), (4, 0.1)]
        elsewhere = 0.15
    elif family == "mixed":
        restrict_p = [(None, 0.15), (1, 0.6), (2, 0.25)]

    raw: list[tuple[str, float, str, str | None]] = []
    for _ in range(pledges):
        item = rng.choice(item_names)
        base = rng.choices(villages, cum_weights=cum)[0]
        if rws and rng.random() < 0.3:
            base = f"{base}.{rng.randint(1, rws):03d}"
        depth = rng.choice([1, 2, 3, 4, 4, 5, 5]) if rws else rng.choice([1, 2, 3, 4, 4])
        area = _cut(base, depth)
        rdepth = rng.choices([d for d, _ in restrict_p], [w for _, w in restrict_p])[0]
        restrict = None if rdepth is None else _cut(base, min(rdepth, depth))
        if rng.random() < elsewhere:
            restrict = _cut(rng.choice(villages), rng.randint(1, 3))
        raw.append((item, rng.lognormvariate(0, 1.2), area, restrict))
    if family == "skewed":
        huge = set(rng.sample(range(len(raw)), min(4, len(raw))))
        raw = [(it, (1000.0 if k in huge else 0.02 * w), a, r)
               for k, (it, w, a, r) in enumerate(raw)]
    weight_sum: dict[str, float] = defaultdict(float)
    for it, w, _, _ in raw:
        weight_sum[it] += w
    out = []
    for k, (it, w, area, restrict) in enumerate(raw):
        q = max(1, round(w / weight_sum[it] * ratio[it] * demand[it]))
        if family == "zeros" and rng.random() < 0.1:
            q = 0
        out.append({"id": f"P{k:06d}", "item": it, "quantity": q, "area": area,
                    "restrict_to": restrict})
    return {"pledges": out, "needs": needs}
