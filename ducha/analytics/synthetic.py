"""Synthetic three-source data with known truth, for the three-way comparison's tests and
benchmark (三方比对): the exchange's deals, the registry's equity changes and the
enterprises' self-reports, as Arrow tables with reconcile's column names (and `row`), plus
the cases planted in them.

The world: state-owned groups (内蒙古……集团有限公司) holding subsidiaries in the leagues and
cities, private buyers, and one event per subsidiary: a deal on the exchange (产权转让 /
企业增资 / 资产转让, with its appraisal, followed by the registry change and reported by the
group), an approved off-exchange transfer (无偿划转 with an approval number), or a change
among private holders. Clean events far outnumber planted ones; each planted case breaks
exactly one rule, so it has exactly one finding type:

- 应进未进: a state holding changed in the registry, no deal, reported as 非公开协议转让 with
  no approval number;
- 应评未评: a transfer or capital increase without an appraisal number, or appraised more
  than a year before the deal;
- 低价成交: the price 60–88 % of the appraisal;
- 自报不实: the report's ratio, amount or counterparty differs, or the deal is not reported;
- 有交易无登记: a transfer or capital increase the registry never followed.

Noise (`Noise`) is applied to the mentions after the truth is fixed and never changes it:
missing, lower-case and one-character-mistyped codes; names with 有限责任公司 for 有限公司,
full-width brackets, the region dropped, shortened (鄂尔多斯) or written with the old league
name (伊克昭盟), or 内蒙古 put in front; dates shifted within the window.

Truth (`Case`): the finding type ("" for a clean case), the target enterprise's code and
name, the event's date and the rows of each source it wrote. `score` compares findings
with it (see there for what counts as a match).
"""

import dataclasses
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from ducha.analytics.duck import connect
from ducha.analytics.enterprises import Regions
from ducha.analytics.reconcile import (
    BELOW_APPRAISAL,
    EXCHANGE_HEADERS,
    FINDINGS,
    MISREPORTED,
    NOT_APPRAISED,
    NOT_ON_EXCHANGE,
    REGISTRY_HEADERS,
    SELF_REPORT_HEADERS,
    UNREGISTERED,
)
from ducha.core.uscc import ALPHABET, with_check_digit
from ducha.org.divisions import province_divisions

_SYLLABLES = (
    "东西南北中华鑫源泰丰盛兴隆恒通达宏远安康瑞祥金银蒙草原河套阳光昌明德宝利富嘉新天青山绿水云海鹏程广鸿晟聚信和益荣博"
)
_TRADES = ("能源", "煤业", "电力", "化工", "建设", "矿业", "稀土", "物流", "水务", "投资", "乳业", "农牧", "冶金",
           "热力", "燃气", "交通", "旅游", "置业", "环保", "科技")  # fmt: skip
_DEAL_PREFIX = {"产权转让": "NMCQ", "企业增资": "NMZZ", "资产转让": "NMZC"}  # 项目编号 as the exchange writes them
_GROUPS = (
    "能源",
    "交通投资",
    "矿业",
    "电力投资",
    "农牧业产业",
    "国有资本运营",
    "地质矿产",
    "水务投资",
    "高速公路",
    "黄金",
    "森林工业",
    "建设投资",
)  # 内蒙古……集团有限公司


@dataclass(frozen=True)
class Noise:
    """Chances per mention (codes, names) or per dated row (dates); `scaled` multiplies them all."""

    missing_code: float = 0.08
    lower_code: float = 0.05
    mistyped_code: float = 0.03
    name_variant: float = 0.35
    date_shift: float = 0.3
    shift_days: int = 30  # at most; the event still falls well within the window

    def scaled(self, factor: float) -> "Noise":
        chances = ("missing_code", "lower_code", "mistyped_code", "name_variant", "date_shift")
        return dataclasses.replace(self, **{f: min(1.0, getattr(self, f) * factor) for f in chances})


NO_NOISE = Noise(0, 0, 0, 0, 0)


@dataclass(frozen=True)
class Spec:
    deals: int = 400  # exchange rows, planted included
    planted: int = 10  # per finding type
    exempt: int = 40  # approved off-exchange transfers (a registry change and a self-report each)
    private_changes: int = 40  # registry changes among private holders (two rows each)
    seed: int = 0
    noise: Noise = field(default_factory=Noise)


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    region: str  # current league/city ("" for a province-level group)
    core: str  # e.g. 东源能源
    form: str = "有限公司"

    @property
    def name(self) -> str:
        return f"{'内蒙古' if not self.region else self.region}{self.core}{self.form}"


@dataclass
class Case:
    finding: str  # one of FINDINGS, or "" for a clean case
    how: str  # which variant was planted (for reading a miss)
    uscc: str
    name: str
    date: dt.date
    exchange_rows: list[int] = field(default_factory=list)
    registry_rows: list[int] = field(default_factory=list)
    self_rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Synthetic:
    exchange: pa.Table
    registry: pa.Table
    self_reports: pa.Table
    cases: list[Case]
    regions: Regions

    def planted(self) -> dict[str, int]:
        return {name: sum(c.finding == name for c in self.cases) for name in FINDINGS}


def inner_mongolia_regions() -> tuple[Regions, list[tuple[str, list[str], list[str]]]]:
    """The Regions the engine needs, and the leagues/cities with their former names and the
    division codes (theirs and their counties') that their enterprises' codes start with."""
    divisions = province_divisions()
    codes: dict[str, list[str]] = {d.code: [d.code] for d in divisions if d.parent_code is None}
    for d in divisions:
        if d.parent_code in codes:
            codes[d.parent_code].append(d.code)
    leagues = [(d.name, d.former_names, codes[d.code]) for d in divisions if d.parent_code is None]
    return Regions((d.name, d.former_names) for d in divisions), leagues


def generate(spec: Spec | None = None) -> Synthetic:
    spec = spec or Spec()
    rnd = random.Random(spec.seed)
    regions, leagues = inner_mongolia_regions()
    world = _World(rnd, leagues, spec.noise)
    kinds = [f for f in FINDINGS if f != NOT_ON_EXCHANGE]
    plan = [(f, i) for f in kinds for i in range(spec.planted)]
    if len(plan) > spec.deals:
        raise ValueError(f"deals: {spec.deals} cannot hold {len(plan)} planted deals")
    plan += [("", 0)] * (spec.deals - len(plan))
    rnd.shuffle(plan)
    for finding, i in plan:
        world.deal(finding, i)
    for i in range(spec.planted):
        world.off_exchange(approved=False, index=i)
    for i in range(spec.exempt):
        world.off_exchange(approved=True, index=i)
    for _ in range(spec.private_changes):
        world.private_change()
    return Synthetic(
        exchange=_table(EXCHANGE_HEADERS, world.exchange),
        registry=_table(REGISTRY_HEADERS, world.registry),
        self_reports=_table(SELF_REPORT_HEADERS, world.self_reports),
        cases=world.cases,
        regions=regions,
    )


_DATES = {"appraisal_date", "listed_from", "listed_to", "deal_date", "changed_on"}
_NUMBERS = {"ratio", "price", "appraisal", "amount", "ratio_before", "ratio_after", "capital_before", "capital_after"}


def _table(headers: dict[str, str], rows: list[dict]) -> pa.Table:
    """The rows as the file reader gives them: `row` from 2 (below the header), dates and numbers typed."""
    arrays = {"row": pa.array([r["row"] for r in rows], pa.int64())}
    for key in headers.values():
        kind = pa.date32() if key in _DATES else pa.float64() if key in _NUMBERS else pa.string()
        arrays[key] = pa.array([r.get(key) for r in rows], kind)
    return pa.table(arrays)


class _World:
    START = dt.date(2023, 1, 1)
    DAYS = 700

    def __init__(self, rnd: random.Random, leagues: list[tuple[str, list[str], list[str]]], noise: Noise):
        self.rnd, self.noise = rnd, noise
        self.leagues = [name for name, _, _ in leagues]
        self.former = {name: former for name, former, _ in leagues}
        self.areas = {name: areas for name, _, areas in leagues}
        # Noise draws from its own stream, so that the world and its truth are the same at any noise level.
        self.noisy = random.Random(rnd.random())
        self.exchange: list[dict] = []
        self.registry: list[dict] = []
        self.self_reports: list[dict] = []
        self.cases: list[Case] = []
        self._codes: set[str] = set()
        self._cores: set[str] = set()
        self.groups = [self._enterprise("", core, "集团有限公司") for core in _GROUPS]
        self.buyers = [self._enterprise(self._league()) for _ in range(60)]

    # The enterprises: unique codes and unique cores (two enterprises that share a core
    # are a matter for review, not a known truth).
    def _league(self) -> str:
        return self.rnd.choice(self.leagues)

    def _enterprise(self, region: str, core: str | None = None, form: str = "有限公司") -> Enterprise:
        while core is None or core in self._cores:
            core = "".join(self.rnd.sample(_SYLLABLES, 2 + (len(self._cores) > 40000))) + self.rnd.choice(_TRADES)
        self._cores.add(core)
        while True:
            area = self.rnd.choice(self.areas[region]) if region else "150000"
            code = with_check_digit("91" + area + "".join(self.rnd.choices(ALPHABET, k=9)))
            if code not in self._codes:
                self._codes.add(code)
                return Enterprise(code, region, core, form)

    def _day(self) -> dt.date:
        return self.START + dt.timedelta(days=self.rnd.randrange(self.DAYS))

    # Noise: how a source writes an enterprise or a date.
    def _code(self, e: Enterprise) -> str | None:
        r, n = self.noisy.random(), self.noise
        if r < n.missing_code:
            return self.noisy.choice((None, ""))
        if r < n.missing_code + n.lower_code:
            return e.uscc.lower()
        if r < n.missing_code + n.lower_code + n.mistyped_code:
            i = self.noisy.randrange(18)
            return e.uscc[:i] + self.noisy.choice([c for c in ALPHABET if c != e.uscc[i]]) + e.uscc[i + 1 :]
        return e.uscc

    def _name(self, e: Enterprise) -> str:
        if self.noisy.random() >= self.noise.name_variant:
            return e.name
        form = "有限责任公司" if e.form == "有限公司" else e.form
        variants = [
            e.name.replace("有限公司", "有限责任公司") if e.form == "有限公司" else e.name,
            f"{e.core}{form}",  # the region dropped
            f"内蒙古{e.region}{e.core}{e.form}",
            f"{e.region.removesuffix('市').removesuffix('盟')}{e.core}{e.form}",
            f"（{e.region or '内蒙古'}）{e.core}{e.form}",  # full-width brackets
        ]
        if self.former.get(e.region):
            variants.append(f"{self.former[e.region][0]}{e.core}{e.form}")  # the old league name
        return self.noisy.choice(variants)

    def _mention(self, e: Enterprise, name_key: str, code_key: str) -> dict:
        return {name_key: self._name(e), code_key: self._code(e)}

    def _shift(self, day: dt.date) -> dt.date:
        if self.noisy.random() >= self.noise.date_shift:
            return day
        return day + dt.timedelta(days=self.noisy.randint(-self.noise.shift_days, self.noise.shift_days))

    def _row(self, rows: list[dict], values: dict) -> int:
        values["row"] = len(rows) + 2
        rows.append(values)
        return values["row"]

    # Events.
    def deal(self, finding: str, index: int) -> None:
        rnd = self.rnd
        group, buyer = rnd.choice(self.groups), rnd.choice(self.buyers)
        target = self._enterprise(self._league())
        kind = "资产转让" if finding in ("", BELOW_APPRAISAL, MISREPORTED) and rnd.random() < 0.15 else None
        kind = kind or rnd.choice(("产权转让", "产权转让", "企业增资"))
        equity = kind != "资产转让"
        day = self._day()
        appraisal = round(rnd.uniform(200, 50000), 2)
        price = round(appraisal * rnd.uniform(0.92, 1.6), 2)
        ratio = float(rnd.choice((10, 15, 20, 25, 30, 34, 49, 51, 60, 100))) if equity else None
        appraisal_no: str | None = f"内国资评备〔{day.year}〕{rnd.randint(1, 999)}号"
        appraised_on = day - dt.timedelta(days=rnd.randint(30, 300))
        case = Case(finding, "clean", target.uscc, target.name, day)
        said_ratio, said_amount, said_to = ratio, price, buyer  # what the group reports
        registered, reported = equity, True
        if finding == NOT_APPRAISED:
            if index % 2:
                appraisal_no, case.how = None, "no appraisal number"
            else:
                appraised_on, case.how = day - dt.timedelta(days=rnd.randint(400, 700)), "appraisal expired"
        elif finding == BELOW_APPRAISAL:
            price = round(appraisal * rnd.uniform(0.6, 0.88), 2)
            said_amount, case.how = price, "price below 90 %"
        elif finding == UNREGISTERED:
            registered, case.how = False, "no registry change"
        elif finding == MISREPORTED:
            variant = index % 4 if equity else (1, 2, 3)[index % 3]
            case.how = ("ratio differs", "amount differs", "counterparty differs", "not reported")[variant]
            if variant == 0:
                said_ratio = float(ratio or 0) + rnd.choice((-5.0, 5.0, 10.0))
            elif variant == 1:
                said_amount = round(price * rnd.uniform(0.5, 0.8), 2)
            elif variant == 2:
                said_to = rnd.choice([b for b in self.buyers if b != buyer])
            else:
                reported = False
        listed = day - dt.timedelta(days=rnd.randint(25, 60))
        values = {
            "deal_no": f"{_DEAL_PREFIX[kind]}{day.year}-{len(self.exchange) + 1:06d}",
            "kind": kind, **self._mention(target, "target_name", "target_uscc"),
            **(self._mention(group, "transferor_name", "transferor_uscc") if kind != "企业增资"
               else self._mention(target, "transferor_name", "transferor_uscc")),
            **self._mention(buyer, "transferee_name", "transferee_uscc"),
            "ratio": ratio, "price": price, "appraisal": appraisal, "appraisal_no": appraisal_no,
            "appraisal_date": appraised_on, "listed_from": listed, "listed_to": listed + dt.timedelta(days=20),
            "deal_date": day, "league": target.region, "supervisor": group.name,
        }  # fmt: skip
        case.exchange_rows.append(self._row(self.exchange, values))
        if registered:
            changed_on = self._shift(day + dt.timedelta(days=rnd.randint(5, 90)))
            case.registry_rows += self._change(target, changed_on, group, buyer, ratio or 0, kind)
        if reported:
            said = self._report(group, target, kind, "进场交易", said_to, said_ratio, said_amount, appraisal,
                                appraisal_no, self._shift(day), None)  # fmt: skip
            case.self_rows.append(said)
        self.cases.append(case)

    def off_exchange(self, *, approved: bool, index: int) -> None:
        """A state holding moved off the exchange: lawful with an approval (clean), else 应进未进."""
        rnd = self.rnd
        group, receiver = rnd.sample(self.groups, 2)
        target = self._enterprise(self._league())
        day, ratio = self._day(), float(rnd.choice((20, 30, 51, 100)))
        method = "无偿划转" if approved else rnd.choice(("非公开协议转让", "无偿划转"))
        approval = f"内国资产权〔{day.year}〕{rnd.randint(1, 99)}号" if approved else rnd.choice((None, ""))
        case = Case("" if approved else NOT_ON_EXCHANGE, f"{method}, approved={approved}", target.uscc,
                    target.name, day)  # fmt: skip
        case.registry_rows += self._change(target, self._shift(day + dt.timedelta(days=rnd.randint(5, 60))),
                                           group, receiver, ratio, "产权转让", receiver_state=True)  # fmt: skip
        amount = 0.0 if method == "无偿划转" else round(rnd.uniform(100, 9000), 2)
        case.self_rows.append(self._report(group, target, "产权转让", method, receiver, ratio, amount, None, None,
                                           self._shift(day), approval))  # fmt: skip
        self.cases.append(case)

    def private_change(self) -> None:
        """Private holders trading among themselves: no state holding, nothing to find."""
        target = self._enterprise(self._league())
        seller, buyer = self.rnd.sample(self.buyers, 2)
        day = self._day()
        case = Case("", "private holders", target.uscc, target.name, day)
        case.registry_rows += self._change(target, day, seller, buyer, float(self.rnd.choice((10, 40))), "产权转让",
                                           seller_state=False)  # fmt: skip
        self.cases.append(case)

    def _change(self, target: Enterprise, day: dt.date, seller: Enterprise, buyer: Enterprise, ratio: float,
                kind: str, *, seller_state: bool = True, receiver_state: bool = False) -> list[int]:  # fmt: skip
        """The registry's rows of one change: the seller's holding down (or diluted), the buyer's up."""
        capital = float(self.rnd.choice((1000, 5000, 10000, 30000)))
        before = 100.0 if seller_state else 60.0
        after = round(before * (100 - ratio) / 100, 2) if kind == "企业增资" else max(before - ratio, 0.0)
        head = {**self._mention(target, "name", "uscc"), "authority": f"{target.region}市场监督管理局",
                "changed_on": day, "change": "注册资本变更" if kind == "企业增资" else "股东变更"}  # fmt: skip
        holders = (
            (seller, "国有" if seller_state else "非国有", before, after),
            (buyer, "国有" if receiver_state else "非国有", 0.0, ratio),
        )
        return [
            self._row(
                self.registry,
                {
                    **head,
                    **self._mention(e, "holder_name", "holder_uscc"),
                    "holder_kind": k,
                    "ratio_before": b,
                    "ratio_after": a,
                    "capital_before": capital * b / 100,
                    "capital_after": capital * a / 100,
                },
            )  # fmt: skip
            for e, k, b, a in holders
        ]

    def _report(self, group: Enterprise, target: Enterprise, kind: str, method: str, counterparty: Enterprise,
                ratio: float | None, amount: float, appraisal: float | None, appraisal_no: str | None,
                day: dt.date, approval: str | None) -> int:  # fmt: skip
        return self._row(self.self_reports, {
            "reporter": group.name, **self._mention(target, "target_name", "target_uscc"), "kind": kind,
            "method": method, **self._mention(counterparty, "counterparty_name", "counterparty_uscc"),
            "ratio": ratio, "amount": amount, "appraisal": appraisal, "appraisal_no": appraisal_no,
            "deal_date": day, "approval_no": approval,
        })  # fmt: skip


@dataclass
class Score:
    planted: int
    findings: int
    right: int  # findings that match a planted case of their type
    found: int  # planted cases at least one finding matches
    false: list[dict] = field(default_factory=list)  # the findings that match none
    missed: list[Case] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.findings if self.findings else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0


def score(findings: pa.Table, cases: list[Case]) -> dict[str, Score]:
    """Precision and recall per finding type.

    A finding matches a case when it has the case's finding type and names at least one of
    the case's rows (in any source: exchange_rows, registry_rows, self_rows). Every row
    belongs to exactly one case (each target enterprise has one event), so the rows say
    which event a finding is about however the engine matched the enterprise. Precision:
    the share of a type's findings that match a case of that type (several findings may
    match one case: an unreported deal is found from the deal and from its registry
    change); recall: the share of the type's cases that at least one finding matches.
    """
    owner: dict[tuple[str, int], int] = {}
    for i, case in enumerate(cases):
        for source, rows in (("exchange", case.exchange_rows), ("registry", case.registry_rows),
                             ("self", case.self_rows)):  # fmt: skip
            owner.update(((source, r), i) for r in rows)
    scores = {name: Score(sum(c.finding == name for c in cases), 0, 0, 0) for name in FINDINGS}
    hit: dict[str, set[int]] = defaultdict(set)
    for f in findings.to_pylist():
        s = scores[f["finding"]]
        s.findings += 1
        touched = {owner.get((source, r)) for source in ("exchange", "registry", "self")
                   for r in f[f"{source}_rows"] or []}  # fmt: skip
        matched = {i for i in touched if i is not None and cases[i].finding == f["finding"]}
        if matched:
            s.right += 1
            hit[f["finding"]] |= matched
        else:
            s.false.append(f)
    for name, s in scores.items():
        s.found = len(hit[name])
        s.missed = [c for i, c in enumerate(cases) if c.finding == name and i not in hit[name]]
    return scores


# ---------------------------------------------------------------------------------------
# The registry's bulk: private holders' changes among a population of enterprises


def background_registry(rows: int, enterprises: int, *, first_row: int = 2, seed: int = 0) -> pa.Table:
    """About `rows` registry rows (two per change) of changes among private holders, over
    a population of `enterprises` enterprises (an enterprise changes hands several times),
    numbered from `first_row`: what most of a province's registry holds and nothing should
    flag. Written as the registry writes what it registered: its own names and valid codes.
    Their cores have four syllables, the world's two or three, so that none is a planted
    enterprise's. Built in DuckDB: the benchmark asks for 10,000,000 rows."""
    rnd = random.Random(seed)
    _, leagues = inner_mongolia_regions()
    codes: set[str] = set()
    pool: dict[str, list] = {"k": [], "name": [], "uscc": [], "region": []}
    for k in range(enterprises):
        region, _, areas = leagues[rnd.randrange(len(leagues))]
        digits = [(k * 7919 + 13) % (len(_SYLLABLES) ** 4) // len(_SYLLABLES) ** i % len(_SYLLABLES) for i in range(4)]
        core = "".join(_SYLLABLES[d] for d in digits) + _TRADES[k % len(_TRADES)]
        while (code := with_check_digit("91" + rnd.choice(areas) + "".join(rnd.choices(ALPHABET, k=9)))) in codes:
            pass
        codes.add(code)
        for key, value in (("k", k), ("name", f"{region}{core}有限公司"), ("uscc", code), ("region", region)):
            pool[key].append(value)
    with connect() as con:
        con.register("pool", pa.table(pool))
        return _registry_changes(con, seed, enterprises, rows, first_row)


def _registry_changes(con: duckdb.DuckDBPyConnection, seed: int, enterprises: int, rows: int,
                      first_row: int) -> pa.Table:  # fmt: skip
    return con.sql(
        """
        WITH changes AS (
            SELECT c, hash(c, $seed, 1) % $n AS target, [hash(c, $seed, 2) % $n, hash(c, $seed, 3) % $n] AS holders,
                   DATE '2023-01-01' + (hash(c, $seed, 4) % 700)::INTEGER AS day,
                   CASE WHEN hash(c, $seed, 5) % 2 = 0 THEN 10.0 ELSE 40.0 END::DOUBLE AS ratio,
                   [1000.0, 5000.0, 10000.0, 30000.0][1 + (hash(c, $seed, 6) % 4)::INTEGER]::DOUBLE AS capital
            FROM range($changes) r(c))
        SELECT $first + 2 * c + h AS row, t.name, t.uscc, t.region || '市场监督管理局' AS authority,
               day AS changed_on, '股东变更' AS change, o.name AS holder_name, o.uscc AS holder_uscc,
               '非国有' AS holder_kind, b AS ratio_before, a AS ratio_after,
               capital * b / 100 AS capital_before, capital * a / 100 AS capital_after
        FROM (SELECT *, h, CASE h WHEN 0 THEN 60.0 ELSE 0.0 END::DOUBLE AS b,
                     CASE h WHEN 0 THEN 60.0 - ratio ELSE ratio END::DOUBLE AS a
              FROM changes, range(2) hs(h))
        JOIN pool t ON t.k = target JOIN pool o ON o.k = holders[h + 1]
        ORDER BY row
        """,
        params={"seed": seed, "n": enterprises, "changes": rows // 2, "first": first_row},
    ).to_arrow_table()
