"""The three-way comparison's findings on hand-made cases, each with a case that must not flag."""

import datetime as dt

import pyarrow as pa

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
    reconcile,
)
from ducha.core.uscc import with_check_digit

REGIONS = Regions([("鄂尔多斯市", ["伊克昭盟"]), ("包头市", [])])
TARGET = with_check_digit("91150600MA0N1X2Y3")  # 鄂尔多斯市东源能源有限公司 (the enterprise whose equity moves)
STATE = with_check_digit("91150000MA0GHW001")  # 内蒙古国有资本运营有限公司 (the state-owned holder)
BUYER = with_check_digit("91150200MA0QWERT1")  # 包头市青山建设有限公司
OTHER = with_check_digit("91150200MA0NXCWB1")  # 包头市北方机械有限公司
DAY = dt.date(2024, 6, 1)


def _table(headers: dict[str, str], rows: list[dict]) -> pa.Table:
    names = ["row", *headers.values()]
    return pa.table({n: [r.get(n) for r in rows] for n in names}) if rows else pa.table({n: [] for n in names})


def deal(row: int = 2, **kw) -> dict:
    return {
        "row": row, "deal_no": f"CQ{row}", "kind": "产权转让", "target_name": "鄂尔多斯市东源能源有限公司",
        "target_uscc": TARGET, "transferor_name": "内蒙古国有资本运营有限公司", "transferor_uscc": STATE,
        "transferee_name": "包头市青山建设有限公司", "transferee_uscc": BUYER, "ratio": 30.0, "price": 950.0,
        "appraisal": 1000.0, "appraisal_no": "内国资评备2024-1", "appraisal_date": DAY - dt.timedelta(days=100),
        "deal_date": DAY,
    } | kw  # fmt: skip


def change(row: int = 2, **kw) -> list[dict]:
    """One registry change: the state holder down 30 points, the buyer in."""
    base = {"row": row, "name": "鄂尔多斯市东源能源有限公司", "uscc": TARGET, "changed_on": DAY + dt.timedelta(days=20),
            "change": "股东变更"} | kw  # fmt: skip
    return [
        base | {"holder_name": "内蒙古国有资本运营有限公司", "holder_uscc": STATE, "holder_kind": "国有",
                "ratio_before": 100.0, "ratio_after": 70.0},
        base | {"row": row + 1, "holder_name": "包头市青山建设有限公司", "holder_uscc": BUYER,
                "holder_kind": "非国有", "ratio_before": 0.0, "ratio_after": 30.0},
    ]  # fmt: skip


def report(row: int = 2, **kw) -> dict:
    return {
        "row": row, "reporter": "内蒙古国有资本运营有限公司", "target_name": "东源能源有限公司", "target_uscc": TARGET,
        "kind": "产权转让", "method": "进场交易", "counterparty_name": "包头青山建设有限公司", "counterparty_uscc": "",
        "ratio": 30.0, "amount": 950.0, "appraisal": 1000.0, "appraisal_no": "内国资评备2024-1", "deal_date": DAY,
    } | kw  # fmt: skip


def run(deals=(), changes=(), reports=()):
    result = reconcile(
        _table(EXCHANGE_HEADERS, list(deals)),
        _table(REGISTRY_HEADERS, [row for rows in changes for row in rows]),
        _table(SELF_REPORT_HEADERS, list(reports)),
        REGIONS,
    )
    return result, [(f["finding"], f["evidence"]) for f in result.findings.to_pylist()]


def test_a_clean_transfer_raises_nothing():
    result, findings = run([deal()], [change()], [report()])
    assert findings == []
    assert result.summary["findings"] == dict.fromkeys(FINDINGS, 0)
    assert result.summary["tiers"]["uscc"] > 0 and result.summary["review"] == 0


def test_a_state_holding_changed_off_the_exchange():
    result, findings = run([], [change()], [report(method="其他")])
    assert [f for f, _ in findings] == [NOT_ON_EXCHANGE]
    row = result.findings.to_pylist()[0]
    assert row["registry_rows"] == [2, 3] and row["self_rows"] == [2] and "100.0% → 70.0%" in row["evidence"]


def test_an_approved_free_transfer_is_exempt_but_an_unapproved_one_is_not():
    _, findings = run([], [change()], [report(method="无偿划转", approval_no="内国资产权〔2024〕12号")])
    assert findings == []
    _, findings = run([], [change()], [report(method="无偿划转", approval_no="")])
    assert [f for f, _ in findings] == [NOT_ON_EXCHANGE]


def test_a_change_too_far_from_the_deal_is_not_its_registration():
    far = DAY + dt.timedelta(days=400)
    _, findings = run([deal()], [change(changed_on=far)], [report(), report(row=3, deal_date=far, method="其他")])
    assert sorted(f for f, _ in findings) == sorted([NOT_ON_EXCHANGE, UNREGISTERED])


def test_not_appraised_missing_or_expired_and_not_for_asset_transfers():
    _, findings = run([deal(appraisal_no="")], [change()], [report()])
    assert [f for f, _ in findings] == [NOT_APPRAISED]
    old = DAY - dt.timedelta(days=366)
    _, findings = run([deal(appraisal_date=old)], [change()], [report()])
    assert findings == [(NOT_APPRAISED, f"评估基准日{old}，成交日期{DAY}")]
    _, findings = run([deal(appraisal_date=DAY - dt.timedelta(days=365))], [change()], [report()])
    assert findings == []  # (exactly a year: still valid)
    _, findings = run([deal(kind="资产转让", appraisal_no="")], [], [report(kind="资产转让")])
    assert findings == []  # an asset transfer changes no holding: no appraisal rule, no registry change expected


def test_below_ninety_percent_of_the_appraisal():
    _, findings = run([deal(price=899.0)], [change()], [report(amount=899.0)])
    assert findings == [(BELOW_APPRAISAL, "成交金额899.0万元，低于评估值1000.0万元的90%")]
    _, findings = run([deal(price=900.0)], [change()], [report(amount=900.0)])
    assert findings == []


def test_a_self_report_that_disagrees_or_is_missing():
    _, findings = run(
        [deal()], [change()], [report(ratio=20.0, amount=500.0, counterparty_name="包头市北方机械有限公司")]
    )
    assert findings == [
        (
            MISREPORTED,
            "股权比例：自报20.0%，成交30.0%；金额：自报500.0万元，成交950.0万元；对方：自报包头市北方机械有限公司，受让方包头市青山建设有限公司",
        )
    ]
    _, findings = run([deal()], [change()], [report(counterparty_name="", counterparty_uscc=BUYER)])
    assert findings == []  # the counterparty named by its code only: the same enterprise
    _, findings = run([deal()], [change()], [report(counterparty_uscc=OTHER, counterparty_name="")])
    assert [f for f, _ in findings] == [MISREPORTED]
    _, findings = run([deal()], [change()], [])
    assert sorted(e for _, e in findings) == ["未见企业自报", "项目编号CQ2，未见企业自报"]


def test_an_exchange_deal_never_registered():
    _, findings = run([deal()], [], [report()])
    assert findings == [(UNREGISTERED, "项目编号CQ2")]
