#!/usr/bin/env python3
"""Independent reference model of Guarantor's options engine, objective "cheapest".

An analyst's check of the Rust engine, written from the documents (docs/campaign-format.md,
"Fields" and "Semantics"; docs/options.md, sections 1 to 3), not from the engine's code, and
solved with CBC through PuLP instead of microlp or HiGHS.

What it models, for one scenario of a campaign file (canonical JSON, or TOML):

* Current offers only: the last revision of each proposal that is not withdrawn.
* An offer is set aside when the scenario excludes its respondent for the capability's category
  (by membership or by name) or when one of its scenario-fact conditions does not hold.
* An arc (offer, requirement) exists when the capability is the same, the requirement's phase is
  within the offer's [earliest_phase, last_phase], the offer's `sectors` and caveats
  (no_contact_line, out_of_country_only, excluded_sectors) allow the sector, and the scenario does
  not close the sector. In an enduring phase an offer that is not rotation_backed and has no
  no_shared_rotation caveat, of a capability whose rotation_ratio is above 1, places its
  units in the line's rotation pool (a pooled arc: factor
  1, at most min(offered, ceil(required * rotation_ratio)) units). Otherwise the rotation factor
  is the capability's rotation_ratio in an enduring phase unless the offer is rotation_backed,
  else 1; the arc deploys at most min(required, floor(offered / factor)) units and is dropped if
  that is 0.
* A requirement whose capability has a `composition` may also be met by assembling units from
  its parts: an offer of a part's capability that serves the line's phase and sector gets a
  part arc (factor as above for the part's capability, never pooled, at most
  min(floor(offered / factor), required * units of the part per assembled unit)); a line gets
  part arcs only if every part has one.
* Variables: x[arc] integer; u[offer] integer <= offered; s[req] continuous shortfall;
  y[respondent] binary (commits); a[offer] binary for offers with linked conditions;
  d[req] integer, units a line's rotation pool keeps deployed (lines with pooled arcs);
  e[req] integer, units assembled from parts (lines with part arcs).
* Constraints: a line's coverage is sum x over its direct arcs + d + e; for each part k of an
  assembled line, sum x over its part-k arcs = n_k * e; coverage + s >= required
  and coverage <= required per requirement; ratio * d <= sum of pooled x <= ratio * d (plus
  1 - 1e-6 when the ratio is fractional); per offer and phase
  sum factor * x <= u; u <= offered * y[owner]; y[p] <= sum x over p's arcs; u <= offered * a;
  "if X commits": a <= y[X]; "with at least N partners": N * a <= sum y of the other respondents
  in the model; troop ceiling per phase on in-country personnel deployed (direct and part x, and d, times
  personnel per unit); optional budget on
  sum unit cost * u (unit cost converted to the campaign currency, rounded to the thousand;
  unpriced offers cost 0, a funding unit costs 1).
* Goals, lexicographically: essential shortfall (sum s / required over essential lines), then
  desirable shortfall, then cost per year; each optimum becomes the bound
  goal <= optimum + 1e-6 * max(|optimum|, 1) on the later stages. CBC, relative gap 1e-6.

What it leaves out: every other objective (fairest, footprint, robust, fewest conditions), the
K-options search and no-good cuts, N-1 robustness, shortfall reasons, the greedy start, the
HiGHS reduction, and validation (the file is assumed valid, as `guarantor validate` would
accept it). With --time-limit, a stage that CBC stops without any package ends the run with the
previous stage's package (or none), and `proven` is false.

Reported figures are recomputed from the placements, as the engine does: units accepted per
offer = max over phases of sum factor * x, rounded up; cost = sum unit cost * units accepted;
shortfall of a line = required - (units placed directly + floor(units in its pool / ratio)).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import pulp

# Tolerance of a stage's optimum when it becomes a bound (docs/options.md, section 3).
BOUND_TOL = 1e-6
# Relative MIP gap of every stage.
MIP_GAP = 1e-6
GOALS = ("essential_shortfall", "desirable_shortfall", "cost")


@dataclass
class OfferLine:
    """A current offer as the model sees it."""

    respondent: str
    id: str
    capability: str
    quantity: int
    unit_cost_m: float
    personnel: int
    usable: bool
    may_pool: bool
    if_commits: list[str] = field(default_factory=list)
    min_partners: list[int] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return bool(self.if_commits or self.min_partners)


@dataclass
class Arc:
    offer: int
    requirement: int
    factor: float
    max_units: int
    pooled: bool
    part: int | None = None


@dataclass
class Instance:
    """One scenario's view of the campaign."""

    scenario: dict[str, Any]
    offers: list[OfferLine]
    requirements: list[dict[str, Any]]
    req_phase: list[int]
    req_in_country: list[bool]
    req_ratio: list[float]
    req_personnel: list[int]
    # Units of each part per assembled unit, for composite lines every part of which some
    # offer can serve (empty otherwise).
    req_parts: list[list[int]]
    arcs: list[Arc]
    respondents: list[str]
    n_phases: int


def round_half_away(v: float) -> int:
    """Rounds like Rust's f64::round (halves away from zero)."""
    return int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1)


def load_campaign(path: str) -> dict[str, Any]:
    if path.lower().endswith(".toml"):
        import tomllib  # only for hand-written files

        with open(path, "rb") as f:
            return tomllib.load(f)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def scenarios_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The campaign's scenarios, or the built-in `as-offered` one (every fact holds)."""
    if doc.get("scenarios"):
        return doc["scenarios"]
    return [{"id": "as-offered", "facts": {f["id"]: True for f in doc.get("facts", [])}}]


def unit_cost_m(doc: dict[str, Any], offer: dict[str, Any], category: str) -> float:
    """Cost of one unit per year in millions of the campaign currency."""
    if category == "funding":
        return 1.0
    money = offer.get("cost_per_unit_year")
    if money is None:
        return 0.0
    thousands = round_half_away(float(money["amount_m"]) * 1000.0)
    currency = money["currency"]
    if currency != doc["campaign"]["currency"]:
        rate = float(doc["campaign"].get("exchange_rates", {})[currency])
        thousands = round_half_away(thousands * rate)
    return thousands / 1000.0


def excluded(scenario: dict[str, Any], respondent: dict[str, Any], category: str) -> bool:
    for rule in scenario.get("excluded_contributors", []):
        who = respondent["code"] in rule.get("respondents", []) or (
            rule.get("member_of") is not None
            and rule["member_of"] in respondent.get("memberships", [])
        )
        cats = rule.get("categories", [])
        if who and (not cats or category in cats):
            return True
    return False


def sector_allowed(offer: dict[str, Any], sector: dict[str, Any]) -> bool:
    if "sectors" in offer and sector["id"] not in offer["sectors"]:
        return False
    for caveat in offer.get("caveats", []):
        if caveat == "no_contact_line" and sector.get("contact_line", False):
            return False
        if caveat == "out_of_country_only" and sector["kind"] != "out_of_country":
            return False
        if isinstance(caveat, dict) and sector["id"] in caveat.get("excluded_sectors", []):
            return False
    return True


def build_instance(doc: dict[str, Any], scenario: dict[str, Any]) -> Instance:
    phase_index = {p["id"]: i for i, p in enumerate(doc["phases"])}
    n_phases = len(doc["phases"])
    sectors = {s["id"]: s for s in doc["sectors"]}
    caps = {c["id"]: c for c in doc["catalogue"]}
    respondents = {r["code"]: r for r in doc["respondents"]}
    facts = scenario.get("facts", {})

    offers: list[OfferLine] = []
    raw: list[dict[str, Any]] = []
    for proposal in doc.get("proposals", []):
        if proposal.get("withdrawn") is not None or not proposal.get("revisions"):
            continue
        code = proposal["respondent"]
        for offer in proposal["revisions"][-1].get("offers", []):
            cap = caps[offer["capability"]]
            usable = not excluded(scenario, respondents[code], cap["category"])
            line = OfferLine(
                respondent=code,
                id=offer["id"],
                capability=offer["capability"],
                quantity=int(offer["quantity"]),
                unit_cost_m=unit_cost_m(doc, offer, cap["category"]),
                personnel=int(cap["personnel_per_unit"]),
                usable=usable,
                may_pool=not offer.get("rotation_backed", False)
                and "no_shared_rotation" not in offer.get("caveats", []),
            )
            for cond in offer.get("conditions", []):
                if "scenario" in cond and not facts.get(cond["scenario"], False):
                    line.usable = False
                elif "if_commits" in cond:
                    line.if_commits.append(cond["if_commits"])
                elif "min_partners" in cond:
                    line.min_partners.append(int(cond["min_partners"]))
            offers.append(line)
            raw.append(offer)

    requirements = doc.get("requirements", [])
    req_phase = [phase_index[r["phase"]] for r in requirements]
    req_in_country = [sectors[r["sector"]]["kind"] != "out_of_country" for r in requirements]
    closed = set(scenario.get("excluded_sectors", []))

    arcs: list[Arc] = []
    req_parts: list[list[int]] = [[] for _ in requirements]
    for ri, req in enumerate(requirements):
        if req["sector"] in closed:
            continue
        enduring = bool(doc["phases"][req_phase[ri]].get("enduring", False))
        sector = sectors[req["sector"]]

        def serves(offer: dict[str, Any]) -> bool:
            first = phase_index[offer["earliest_phase"]]
            last = phase_index[offer["last_phase"]] if "last_phase" in offer else n_phases - 1
            return first <= req_phase[ri] <= last and sector_allowed(offer, sector)

        composition = caps[req["capability"]].get("composition")
        if composition:
            # Parts deploy as they are (their own rotation, never pooled), n per assembled unit.
            names = [p["capability"] for p in composition["parts"]]
            part_arcs = []
            for oi, (line, offer) in enumerate(zip(offers, raw)):
                if not line.usable or line.capability not in names or not serves(offer):
                    continue
                k = names.index(line.capability)
                ratio = float(caps[line.capability]["rotation_ratio"])
                factor = ratio if enduring and not offer.get("rotation_backed", False) else 1.0
                per_unit = int(composition["parts"][k]["quantity"])
                max_units = min(
                    int(math.floor(line.quantity / factor + 1e-9)),
                    int(req["quantity"]) * per_unit,
                )
                if max_units > 0:
                    part_arcs.append(Arc(oi, ri, factor, max_units, False, k))
            if all(any(a.part == k for a in part_arcs) for k in range(len(names))):
                arcs.extend(part_arcs)
                req_parts[ri] = [int(p["quantity"]) for p in composition["parts"]]
        for oi, (line, offer) in enumerate(zip(offers, raw)):
            if not line.usable or line.capability != req["capability"]:
                continue
            if not serves(offer):
                continue
            ratio = float(caps[line.capability]["rotation_ratio"])
            if enduring and line.may_pool and ratio > 1.0:
                pool = int(math.ceil(int(req["quantity"]) * ratio - 1e-9))
                arcs.append(Arc(oi, ri, 1.0, min(line.quantity, pool), True))
                continue
            factor = ratio if enduring and not offer.get("rotation_backed", False) else 1.0
            max_units = min(int(math.floor(line.quantity / factor + 1e-9)), int(req["quantity"]))
            if max_units > 0:
                arcs.append(Arc(oi, ri, factor, max_units, False))

    model_respondents = {offers[a.offer].respondent for a in arcs}
    for a in arcs:
        model_respondents.update(offers[a.offer].if_commits)
    return Instance(
        scenario=scenario,
        offers=offers,
        requirements=requirements,
        req_phase=req_phase,
        req_in_country=req_in_country,
        req_ratio=[float(caps[r["capability"]]["rotation_ratio"]) for r in requirements],
        req_personnel=[int(caps[r["capability"]]["personnel_per_unit"]) for r in requirements],
        req_parts=req_parts,
        arcs=arcs,
        respondents=sorted(model_respondents),
        n_phases=n_phases,
    )


@dataclass
class Model:
    prob: pulp.LpProblem
    x: list[pulp.LpVariable]
    u: dict[int, pulp.LpVariable]
    s: list[pulp.LpVariable]
    goals: dict[str, pulp.LpAffineExpression]


def build_model(inst: Instance, budget_m: float | None) -> Model:
    prob = pulp.LpProblem("cheapest", pulp.LpMinimize)
    x = [
        pulp.LpVariable(f"x{k}", 0, a.max_units, cat=pulp.LpInteger)
        for k, a in enumerate(inst.arcs)
    ]
    with_arcs = sorted({a.offer for a in inst.arcs})
    u = {
        o: pulp.LpVariable(f"u{o}", 0, inst.offers[o].quantity, cat=pulp.LpInteger)
        for o in with_arcs
    }
    s = [pulp.LpVariable(f"s{r}", 0, int(q["quantity"])) for r, q in enumerate(inst.requirements)]
    can_commit = {inst.offers[a.offer].respondent for a in inst.arcs}
    y = {
        p: pulp.LpVariable(f"y_{p}", 0, 1 if p in can_commit else 0, cat=pulp.LpInteger)
        for p in inst.respondents
    }
    a_var = {
        o: pulp.LpVariable(f"a{o}", cat=pulp.LpBinary)
        for o in with_arcs
        if inst.offers[o].linked
    }

    covered: list[list[tuple[pulp.LpVariable, float]]] = [[] for _ in inst.requirements]
    load: dict[tuple[int, int], list[tuple[pulp.LpVariable, float]]] = {}
    troops: list[list[tuple[pulp.LpVariable, float]]] = [[] for _ in range(inst.n_phases)]
    deployed_by: dict[str, list[tuple[pulp.LpVariable, float]]] = {p: [] for p in inst.respondents}
    pool: dict[int, list[tuple[pulp.LpVariable, float]]] = {}
    parts: dict[tuple[int, int], list[tuple[pulp.LpVariable, float]]] = {}
    for k, arc in enumerate(inst.arcs):
        phase = inst.req_phase[arc.requirement]
        line = inst.offers[arc.offer]
        if arc.pooled:
            pool.setdefault(arc.requirement, []).append((x[k], 1.0))
        else:
            if arc.part is None:
                covered[arc.requirement].append((x[k], 1.0))
            else:
                parts.setdefault((arc.requirement, arc.part), []).append((x[k], 1.0))
            if inst.req_in_country[arc.requirement] and line.personnel:
                troops[phase].append((x[k], float(line.personnel)))
        load.setdefault((arc.offer, phase), []).append((x[k], arc.factor))
        deployed_by[line.respondent].append((x[k], 1.0))
    for r, terms in pool.items():
        q = int(inst.requirements[r]["quantity"])
        d = pulp.LpVariable(f"d{r}", 0, q, cat=pulp.LpInteger)
        ratio = inst.req_ratio[r]
        slack = 0.0 if ratio == int(ratio) else 1.0 - 1e-6
        covered[r].append((d, 1.0))
        if inst.req_in_country[r] and inst.req_personnel[r]:
            troops[inst.req_phase[r]].append((d, float(inst.req_personnel[r])))
        prob += pulp.LpAffineExpression(terms + [(d, -ratio)]) >= 0, f"pool_lo{r}"
        prob += pulp.LpAffineExpression(terms + [(d, -ratio)]) <= slack, f"pool_hi{r}"

    for r, per_unit in enumerate(inst.req_parts):
        if not per_unit:
            continue
        e = pulp.LpVariable(f"e{r}", 0, int(inst.requirements[r]["quantity"]), cat=pulp.LpInteger)
        covered[r].append((e, 1.0))
        for k, n in enumerate(per_unit):
            terms = parts.get((r, k), [])
            prob += pulp.LpAffineExpression(terms + [(e, -float(n))]) == 0, f"parts{r}_{k}"

    for r, req in enumerate(inst.requirements):
        q = int(req["quantity"])
        if covered[r]:
            prob += pulp.LpAffineExpression(covered[r]) <= q, f"cap{r}"
        prob += pulp.LpAffineExpression(covered[r] + [(s[r], 1.0)]) >= q, f"cover{r}"
    for (o, t), terms in load.items():
        prob += pulp.LpAffineExpression(terms + [(u[o], -1.0)]) <= 0, f"load{o}_{t}"
    ceiling = inst.scenario.get("troop_ceiling")
    if ceiling is not None:
        for t, terms in enumerate(troops):
            if terms:
                prob += pulp.LpAffineExpression(terms) <= int(ceiling), f"ceiling{t}"
    for o in with_arcs:
        line = inst.offers[o]
        prob += u[o] - line.quantity * y[line.respondent] <= 0, f"commit{o}"
        if o in a_var:
            a = a_var[o]
            prob += u[o] - line.quantity * a <= 0, f"taken{o}"
            for i, code in enumerate(line.if_commits):
                prob += a - y[code] <= 0, f"ifc{o}_{i}"
            others = [(y[p], 1.0) for p in inst.respondents if p != line.respondent]
            for i, n in enumerate(line.min_partners):
                prob += pulp.LpAffineExpression(others + [(a, -float(n))]) >= 0, f"mp{o}_{i}"
    for p in inst.respondents:
        prob += pulp.LpAffineExpression(deployed_by[p] + [(y[p], -1.0)]) >= 0, f"deploys_{p}"

    cost = pulp.LpAffineExpression([(u[o], inst.offers[o].unit_cost_m) for o in with_arcs])
    if budget_m is not None:
        prob += cost <= budget_m, "budget"

    def shortfall(priority: str) -> pulp.LpAffineExpression:
        return pulp.LpAffineExpression(
            [
                (s[r], 1.0 / int(req["quantity"]))
                for r, req in enumerate(inst.requirements)
                if req["priority"] == priority
            ]
        )

    goals = {
        "essential_shortfall": shortfall("essential"),
        "desirable_shortfall": shortfall("desirable"),
        "cost": cost,
    }
    return Model(prob, x, u, s, goals)


def measure(inst: Instance, xv: list[int]) -> dict[str, Any]:
    """Figures recomputed from the placements, as the engine reports them."""
    covered = [0] * len(inst.requirements)
    pool = [0] * len(inst.requirements)
    parts = [[0] * len(p) for p in inst.req_parts]
    load: dict[tuple[int, int], float] = {}
    for k, arc in enumerate(inst.arcs):
        if arc.pooled:
            pool[arc.requirement] += xv[k]
        elif arc.part is not None:
            parts[arc.requirement][arc.part] += xv[k]
        else:
            covered[arc.requirement] += xv[k]
        key = (arc.offer, inst.req_phase[arc.requirement])
        load[key] = load.get(key, 0.0) + arc.factor * xv[k]
    accepted = [0] * len(inst.offers)
    for (o, _), v in load.items():
        accepted[o] = max(accepted[o], max(0, math.ceil(v - 1e-9)))
    short = {"essential": 0.0, "desirable": 0.0}
    for r, req in enumerate(inst.requirements):
        q = int(req["quantity"])
        if inst.req_parts[r]:
            sets = min(u // n for u, n in zip(parts[r], inst.req_parts[r]))
            covered[r] += min(sets, max(q - covered[r], 0))
        kept = int(math.floor(pool[r] / inst.req_ratio[r] + 1e-9))
        covered[r] += min(kept, max(q - covered[r], 0))
        short[req["priority"]] += max(q - covered[r], 0) / q
    cost = sum(line.unit_cost_m * n for line, n in zip(inst.offers, accepted))
    return {
        "essential_shortfall": short["essential"],
        "desirable_shortfall": short["desirable"],
        "cost_m": cost,
        "accepted": accepted,
    }


def solve_scenario(
    doc: dict[str, Any],
    scenario: dict[str, Any],
    time_limit: float | None,
    budget_m: float | None,
    placements: bool,
) -> dict[str, Any]:
    started = time.perf_counter()
    inst = build_instance(doc, scenario)
    model = build_model(inst, budget_m)
    solver = pulp.PULP_CBC_CMD(msg=False, gapRel=MIP_GAP, timeLimit=time_limit)
    stages: list[dict[str, Any]] = []
    proven = True
    # Placements of the last stage that found a package: a stage stopped by the time limit
    # without one leaves the previous stage's package (and `proven` false).
    xv: list[int] | None = None
    for goal in GOALS:
        expr = model.goals[goal]
        model.prob.setObjective(expr)
        t0 = time.perf_counter()
        model.prob.solve(solver)
        seconds = time.perf_counter() - t0
        status = model.prob.sol_status
        obj: float | None = None
        if status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
            obj = float(pulp.value(expr) or 0.0)  # an empty sum has no value
        stages.append(
            {
                "goal": goal,
                "objective": obj,
                "status": pulp.LpSolution[status],
                "seconds": round(seconds, 4),
            }
        )
        proven = proven and status == pulp.LpSolutionOptimal
        if obj is None:
            break
        xv = [round_half_away(v.varValue or 0.0) for v in model.x]
        model.prob += expr <= obj + BOUND_TOL * max(abs(obj), 1.0), f"bound_{goal}"

    out: dict[str, Any] = {"scenario": scenario["id"]}
    m = measure(inst, xv) if xv is not None else None
    out.update(
        essential_shortfall=m["essential_shortfall"] if m else None,
        desirable_shortfall=m["desirable_shortfall"] if m else None,
        cost_m=round(m["cost_m"], 6) if m else None,
    )
    out.update(
        proven=proven,
        seconds=round(time.perf_counter() - started, 4),
        stages=stages,
        size={
            "offers": len(inst.offers),
            "requirements": len(inst.requirements),
            "arcs": len(inst.arcs),
            "respondents": len(inst.respondents),
        },
    )
    if placements and m is not None and xv is not None:
        accepted = []
        for o, line in enumerate(inst.offers):
            if m["accepted"][o] <= 0:
                continue
            where = {
                inst.requirements[a.requirement]["id"]: xv[k]
                for k, a in enumerate(inst.arcs)
                if a.offer == o and xv[k] > 0
            }
            accepted.append(
                {
                    "respondent": line.respondent,
                    "offer": line.id,
                    "units": m["accepted"][o],
                    "placements": where,
                }
            )
        out["accepted"] = accepted
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Reference model (PuLP + CBC) of the options engine's 'cheapest' objective."
    )
    parser.add_argument("file", help="campaign file (canonical JSON, or .toml)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--scenario", help="scenario id (default: the campaign's first scenario)")
    which.add_argument("--all", action="store_true", help="every scenario, in file order")
    parser.add_argument("--time-limit", type=float, help="CBC time limit per stage, seconds")
    parser.add_argument("--budget", type=float, help="budget per year, millions")
    parser.add_argument(
        "--placements", action="store_true", help="also print the units accepted per offer"
    )
    args = parser.parse_args(argv)

    doc = load_campaign(args.file)
    scenarios = scenarios_of(doc)
    if args.scenario is not None:
        scenarios = [s for s in scenarios if s["id"] == args.scenario]
        if not scenarios:
            known = ", ".join(s["id"] for s in scenarios_of(doc))
            parser.error(f"unknown scenario {args.scenario!r} (known: {known})")
    elif not args.all:
        scenarios = scenarios[:1]
    for scenario in scenarios:
        result = solve_scenario(doc, scenario, args.time_limit, args.budget, args.placements)
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
