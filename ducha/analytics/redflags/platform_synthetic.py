"""Synthetic platform bid data (platform-bids.md layout) with planted collusion and splitting
patterns and known truth, for the platform indicators' tests and benchmark.

The world: buyers (盟市的局委办), a pool of bidders each with its own machine code, MAC,
upload IP, deposit account, contact and phone, a pool of evaluation experts. Ordinary lots
are tendered openly (some by 邀请招标 / 竞争性谈判), 3–8 bids spread 1–15 % below the control
price with cents, the lowest wins, five experts score around each bid's merit. Noise that
must not flag (`Noise`): bids uploaded from a few public networks' IPs, contact people who
share a common name (with their own phones), bidders who bid often and lose to anyone,
buyers with many small competitive contracts and a few small non-competitive ones.

Planted, `planted` of each indicator, each on its own subject (truth: (code, id)):
shared machine code / MAC / IP; one deposit account; one phone, or one name with a phone
missing; three prices in arithmetic or geometric steps above the others; a contract over
the threshold let by 询价 / 单一来源 / 直接发包 / 竞争性磋商; three or four non-competitive
contracts of one buyer and type within ten months, each under the threshold and together
over it; a cover bidder losing six or seven lots to one winner; a buyer whose eight lots
go mostly to one supplier; an expert scoring one bidder 15–25 points over the panel in four
lots.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from ducha.analytics.redflags.collusion import INDICATORS, NON_COMPETITIVE, THRESHOLDS
from ducha.core.uscc import ALPHABET, with_check_digit

HEADERS = ("项目编号", "标段", "项目类型", "招标人", "代理机构", "招标方式", "公告发布时间", "投标截止时间", "开标时间",
           "投标人", "投标人统一社会信用代码", "投标报价", "是否中标", "投标文件制作机器码", "投标IP地址", "MAC地址",
           "保证金缴纳账户", "联系人", "联系电话", "评标专家", "专家评分", "合同金额", "合同签订日期")  # fmt: skip
_REGIONS = ("呼和浩特市", "包头市", "乌海市", "赤峰市", "通辽市", "鄂尔多斯市", "呼伦贝尔市", "巴彦淖尔市",
            "乌兰察布市",
            "兴安盟", "锡林郭勒盟", "阿拉善盟")  # fmt: skip
_OFFICES = (
    "交通运输局",
    "水利局",
    "教育局",
    "卫生健康委员会",
    "住房和城乡建设局",
    "自然资源局",
    "农牧局",
    "林业和草原局",
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"  # noqa: E501
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇鹏飞俊峰海燕雪梅晨"
_TRADES = ("建设", "建筑工程", "路桥", "水利水电", "设备", "科技", "信息技术", "工程咨询", "环境工程", "医疗器械")
_KINDS = ("施工", "货物", "服务", "勘察", "设计", "监理")
_KIND_CLASS = {"施工": "施工", "货物": "货物", "服务": "服务", "勘察": "勘察设计监理", "设计": "勘察设计监理",
               "监理": "勘察设计监理"}  # fmt: skip


@dataclass(frozen=True)
class Noise:
    public_ip: float = 0.15  # chance a bid is uploaded from one of the public networks
    public_networks: int = 6
    contact_names: int = 120  # the common names contacts draw from (shared names, own phones)
    losers: int = 25  # bidders who bid often (a third of lots) and never bid low
    small_competitive: float = 0.2  # share of ordinary lots that are small (5–50万元) and competitive
    small_non_competitive: float = 0.08  # share let by 询价 etc., 1–12万元 goods/services


@dataclass(frozen=True)
class Spec:
    lots: int = 2000  # ordinary lots (the planted add their own)
    planted: int = 10  # per indicator
    bidders: int = 500
    experts: int = 150
    seed: int = 0
    noise: Noise = field(default_factory=Noise)


@dataclass(frozen=True)
class Bidder:
    uscc: str
    name: str
    machine: str
    mac: str
    ip: str
    account: str
    contact: str
    phone: str


@dataclass(frozen=True)
class Synthetic:
    rows: pa.Table  # the file's rows: HEADERS as strings, plus `row`
    truth: set[tuple[str, str]]  # (indicator, id) planted


class _World:
    def __init__(self, spec: Spec):
        self.spec, self.rnd = spec, random.Random(spec.seed)
        self.rows: list[dict[str, Any]] = []
        self.truth: set[tuple[str, str]] = set()
        self.lot_no = 0
        self.codes: set[str] = set()
        self.names: set[str] = set()
        names = [f"{s}{g}" for s in _SURNAMES for g in _GIVEN]
        self.rnd.shuffle(names)
        self.common_names = names[: spec.noise.contact_names]
        self.expert_names = [n + "某" for n in names[: spec.experts + 3 * spec.planted]]
        self.experts = self.expert_names[: spec.experts]
        self.spare_experts = self.expert_names[spec.experts :]
        self.buyers = [f"{r}{o}" for r in _REGIONS for o in _OFFICES]
        self.rnd.shuffle(self.buyers)
        self.public_ips = [f"221.{self.rnd.randrange(256)}.{self.rnd.randrange(256)}.{k + 1}"
                           for k in range(spec.noise.public_networks)]  # fmt: skip
        self.bidders = [self.new_bidder() for _ in range(spec.bidders)]
        self.losers = [self.new_bidder() for _ in range(spec.noise.losers)]

    def new_bidder(self) -> Bidder:
        r = self.rnd
        while (
            code := with_check_digit("91" + "150" + f"{r.randrange(1000):03d}" + "".join(r.choices(ALPHABET, k=9)))
        ) in self.codes:  # noqa: E501
            pass
        self.codes.add(code)
        while (
            name := f"{r.choice(_REGIONS)}{''.join(r.choices(_GIVEN, k=2))}{r.choice(_TRADES)}有限公司"
        ) in self.names:
            pass
        self.names.add(name)
        return Bidder(code, name, f"{r.getrandbits(64):016X}", "-".join(f"{r.randrange(256):02X}" for _ in range(6)),
                      f"{r.randrange(1, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}",
                      f"6222{r.randrange(10**15):015d}", r.choice(self.common_names),
                      f"13{r.randrange(10**9):09d}")  # fmt: skip

    def lot(self, *, buyer: str | None = None, kind: str | None = None, method: str = "", amount: float | None = None,
            bidders: list[Bidder] | None = None, winner: Bidder | None = None, day: int | None = None,
            experts: list[str] | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """One lot's bid rows (appended), ordinary unless told otherwise; returns them."""
        r, noise = self.rnd, self.spec.noise
        self.lot_no += 1
        kind = kind or r.choice(_KINDS)
        small = r.random()
        if not method:
            if small < noise.small_non_competitive and _KIND_CLASS[kind] in ("货物", "服务"):
                method, amount = r.choice(NON_COMPETITIVE), amount or r.uniform(1e4, 1.2e5)
            else:
                method = r.choices(("公开招标", "邀请招标", "竞争性谈判"), (0.85, 0.08, 0.07))[0]
                if amount is None and small < noise.small_non_competitive + noise.small_competitive:
                    amount = r.uniform(5e4, 5e5)
        control = amount if amount is not None else 10 ** r.uniform(5.7, 7.5)
        if bidders is None:
            bidders = r.sample(self.bidders, r.randint(3, 8))
            if r.random() < 0.33:
                bidders.append(r.choice(self.losers))
        prices = [round(control * r.uniform(0.85, 0.99), 2) for _ in bidders]
        for i, b in enumerate(bidders):
            if b in self.losers:
                prices[i] = round(control * r.uniform(0.995, 1.0), 2)
        win = bidders.index(winner) if winner else min(range(len(bidders)), key=prices.__getitem__)
        if winner:
            prices[win] = round(min(prices) * 0.99, 2)
        when = day if day is not None else r.randrange(720)
        opened = (dt.datetime(2023, 1, 1, 9, 30) + dt.timedelta(days=when)).strftime("%Y-%m-%d %H:%M")
        panel = experts or r.sample(self.experts, 5)
        region = buyer or r.choice(self.buyers)
        rows = []
        for i, b in enumerate(bidders):
            merit = r.uniform(60, 90)
            scores = ";".join(f"{e}:{round(merit + r.gauss(0, 3)):.0f}" for e in panel)
            public = r.random() < noise.public_ip
            rows.append({
                "项目编号": f"NMGGZY{2023 + when // 365}{self.lot_no:06d}", "标段": f"{1 + self.lot_no % 3:02d}",
                "项目类型": kind, "招标人": region, "代理机构": "内蒙古某某招标代理有限公司", "招标方式": method,
                "公告发布时间": opened[:10], "投标截止时间": opened, "开标时间": opened, "投标人": b.name,
                "投标人统一社会信用代码": b.uscc, "投标报价": f"{prices[i]:.2f}",
                "是否中标": "是" if i == win else "否",
                "投标文件制作机器码": b.machine, "投标IP地址": r.choice(self.public_ips) if public else b.ip,
                "MAC地址": b.mac, "保证金缴纳账户": b.account, "联系人": b.contact, "联系电话": b.phone,
                "评标专家": ";".join(panel), "专家评分": scores,
                "合同金额": f"{prices[i]:.2f}" if i == win else "", "合同签订日期": opened[:10] if i == win else "",
            })  # fmt: skip
        self.rows += rows
        return rows

    def plant(self, code: str, subject: str) -> None:
        self.truth.add((code, subject))


def _lot_id(rows: list[dict[str, Any]]) -> str:
    return f"{rows[0]['项目编号']}/{rows[0]['标段']}"


def generate(spec: Spec = Spec()) -> Synthetic:
    w = _World(spec)
    r = w.rnd
    buyers = iter(w.buyers[: 2 * spec.planted])  # the split and concentration cases' own buyers
    w.buyers = w.buyers[2 * spec.planted :]
    for _ in range(spec.lots):
        w.lot()
    for k in range(spec.planted):
        _plant_marks(w, k)
        _plant_prices(w, k)
        lot = w.lot(method=NON_COMPETITIVE[k % 4], kind=_KINDS[k % 6], bidders=[r.choice(w.bidders)],
                    amount=THRESHOLDS[_KIND_CLASS[_KINDS[k % 6]]] * r.uniform(1.2, 3))  # fmt: skip
        w.plant("CN-NOT-TENDERED", _lot_id(lot))
        buyer, kind, start = next(buyers), ("施工", "勘察", "货物")[k % 3], r.randrange(300)
        threshold = THRESHOLDS[_KIND_CLASS[kind]]
        for _ in range(3 + k % 2):
            w.lot(buyer=buyer, kind=kind, method=r.choice(NON_COMPETITIVE), amount=threshold * r.uniform(0.45, 0.9),
                  day=start + r.randrange(300), bidders=r.sample(w.bidders, 2))  # fmt: skip
        w.plant("CN-SPLIT", buyer)
        cover, winner = w.new_bidder(), r.choice(w.bidders)
        for _ in range(6 + k % 2):
            w.lot(bidders=[winner, cover, *r.sample(w.bidders, 2)], winner=winner)
        w.plant("CN-COVER-BIDDER", cover.uscc)
        buyer, supplier = next(buyers), r.choice(w.bidders)
        for j in range(8):
            others = r.sample(w.bidders, 3)
            w.lot(buyer=buyer, bidders=[supplier, *others], winner=supplier if j < 5 + k % 3 else None)
        w.plant("CN-WINNER-CONCENTRATION", buyer)
        expert, favoured = w.spare_experts[k], r.choice(w.bidders)
        for _ in range(4):
            rows = w.lot(bidders=[favoured, *r.sample(w.bidders, 3)], experts=[expert, *r.sample(w.experts, 4)])
            _favour(rows[0], expert, r.uniform(15, 25))
        w.plant("CN-EXPERT-BIAS", expert)
    r.shuffle(w.rows)
    table = pa.table({h: [row[h] for row in w.rows] for h in HEADERS} | {"row": list(range(2, len(w.rows) + 2))})
    return Synthetic(table, w.truth)


def _plant_marks(w: _World, k: int) -> None:
    """Two or three bidders of one lot sharing a device mark, the account, the contact."""
    r = w.rnd
    for code, columns in (("CN-SAME-DEVICE", (("投标文件制作机器码",), ("MAC地址",), ("投标IP地址",))[k % 3]),
                          ("CN-SAME-ACCOUNT", ("保证金缴纳账户",)),
                          ("CN-SAME-CONTACT", ("联系人", "联系电话"))):  # fmt: skip
        rows = w.lot(bidders=r.sample(w.bidders, r.randint(4, 7)))
        rows[0]["投标IP地址"] = (
            f"10.{k}.{r.randrange(256)}.{r.randrange(1, 255)}"  # its own network's, not a public one
        )
        for copy in rows[1 : 2 + k % 2]:
            for column in columns:
                copy[column] = rows[0][column]
            if code == "CN-SAME-CONTACT" and k % 2:
                copy["联系电话"] = ""  # the same name, the phone left out
        w.plant(code, _lot_id(rows))


def _plant_prices(w: _World, k: int) -> None:
    """Three bids above the others in arithmetic or geometric steps (cents rounded)."""
    r = w.rnd
    rows = w.lot(bidders=r.sample(w.bidders, r.randint(5, 8)))
    base = round(max(float(x["投标报价"]) for x in rows) * 1.01, -3)
    if k % 2:
        step = round(base * r.uniform(0.005, 0.03), -2)
        prices = [base + i * step for i in range(3)]
    else:
        ratio = round(1 + r.uniform(0.005, 0.03), 3)
        prices = [round(base * ratio**i, 2) for i in range(3)]
    for row, price in zip([x for x in rows if x["是否中标"] == "否"][-3:], prices, strict=True):
        row["投标报价"] = f"{price:.2f}"
    w.plant("CN-PRICE-PATTERN", _lot_id(rows))


def _favour(row: dict[str, Any], expert: str, points: float) -> None:
    parts = [p.split(":") for p in row["专家评分"].split(";")]
    row["专家评分"] = ";".join(f"{e}:{float(s) + (points if e == expert else 0):.0f}" for e, s in parts)


def score(flags: pa.Table, truth: set[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Per indicator: planted, flagged, found (planted and flagged), precision and recall."""
    flagged: dict[str, set[str]] = defaultdict(set)
    for code, subject in zip(flags["indicator"].to_pylist(), flags["id"].to_pylist(), strict=True):
        flagged[code].add(subject)
    result = {}
    for code in INDICATORS:
        planted = {s for c, s in truth if c == code}
        found = planted & flagged[code]
        result[code] = {"planted": len(planted), "flagged": len(flagged[code]), "found": len(found),
                        "precision": len(found) / len(flagged[code]) if flagged[code] else 1.0,
                        "recall": len(found) / len(planted) if planted else 1.0}  # fmt: skip
    return result


def background_bids(con: duckdb.DuckDBPyConnection, rows: int, *, first_row: int = 2, seed: int = 0) -> str:
    """A query for about `rows` ordinary bid rows (six per lot) numbered from `first_row`:
    the bulk of a province's platform data, for the benchmark, in the file's layout. Built
    in DuckDB (10,000,000 rows); its bidders, buyers, experts and lot numbers are its own
    (`BG…`), noise as the world's: public IPs, shared contact names, small contracts. The
    USCCs are well-formed but their check digits are not computed (nothing checks them)."""
    bidders, buyers, experts = max(50, rows // 40), max(20, rows // 400), max(30, rows // 200)
    return f"""
        WITH b AS (
            SELECT i, i // 6 AS lot, i % 6 AS k, hash(i // 6, {seed}, 1) AS lh, hash(i, {seed}, 2) AS bh,
                   (hash(i // 6, {seed}, 3) + (i % 6) * 7919) % {bidders} AS who
            FROM range({rows // 6 * 6}) r(i)),
        c AS (SELECT *, CASE WHEN lh % 100 < 6 THEN 10 ** (4 + (lh % 10000) / 10000.0)
                             ELSE 10 ** (5.7 + (lh % 18000) / 10000.0) END AS control,
                     ['施工', '货物', '服务', '勘察', '设计', '监理'][1 + (lh % 6)::INTEGER] AS kind,
                     CASE WHEN lh % 100 < 6 THEN ['询价', '单一来源', '竞争性磋商'][1 + (lh % 3)::INTEGER]
                          WHEN lh % 100 < 12 THEN '竞争性谈判' ELSE '公开招标' END AS method,
                     DATE '2023-01-01' + (lh % 720)::INTEGER AS day, (lh >> 8) % 6 AS winner_k
              FROM b)
        SELECT {first_row} + i AS row, 'BG' || lpad(CAST(lot AS VARCHAR), 9, '0') AS "项目编号", '01' AS "标段",
               kind AS "项目类型", '背景招标人' || (lh >> 16) % {buyers} AS "招标人",
               '某某招标代理有限公司' AS "代理机构",
               method AS "招标方式", strftime(day - 20, '%Y-%m-%d') AS "公告发布时间",
               strftime(day, '%Y-%m-%d') || ' 09:30' AS "投标截止时间",
               strftime(day, '%Y-%m-%d') || ' 09:30' AS "开标时间",
               '背景投标人' || who || '有限公司' AS "投标人",
               '91150' || lpad(CAST(who AS VARCHAR), 13, '0') AS "投标人统一社会信用代码",
               printf('%.2f', round(control * (CASE WHEN k = winner_k THEN 0.84 ELSE 0.85 END
                                               + (bh % 1000000007) / 1000000007.0 * 0.14), 2))
                   AS "投标报价",
               CASE WHEN k = winner_k THEN '是' ELSE '否' END AS "是否中标",
               printf('%016X', hash(who, {seed}, 4) >> 1) AS "投标文件制作机器码",
               CASE WHEN bh % 100 < 15 THEN '221.0.0.' || (bh % 6)
                    ELSE '36.' || who // 65536 % 256 || '.' || who // 256 % 256 || '.' || who % 256 END
                   AS "投标IP地址",
               printf('%012X', hash(who, {seed}, 5) >> 16) AS "MAC地址",
               '6222' || lpad(CAST(hash(who, {seed}, 6) % 1000000000000000 AS VARCHAR), 15, '0') AS "保证金缴纳账户",
               '联系人' || (hash(who, {seed}, 7) % 500) AS "联系人",
               '13' || lpad(CAST(who AS VARCHAR), 9, '0') AS "联系电话",
               array_to_string(list_transform(range(5), lambda e: '背景专家' || ((lh >> 20) + e * 37) % {experts}), ';')
                   AS "评标专家",
               array_to_string(list_transform(range(5), lambda e: '背景专家' || ((lh >> 20) + e * 37) % {experts} || ':'
                   || (60 + bh % 30 + hash(i, e, {seed}) % 7)), ';') AS "专家评分",
               CASE WHEN k = winner_k THEN printf('%.2f', round(control * 0.84, 2)) ELSE '' END AS "合同金额",
               CASE WHEN k = winner_k THEN strftime(day + 15, '%Y-%m-%d') ELSE '' END AS "合同签订日期"
        FROM c
    """
