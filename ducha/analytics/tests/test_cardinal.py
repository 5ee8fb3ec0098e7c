"""Cardinal's indicators beyond the conformance material (which
ducha/analyses/tests/test_redflags_command.py runs through the command): the quartiles
and fences against hand-computed values, the settings file, the reading of the lines, and
the settings and guards that the fixtures leave at their defaults."""

import json
import math

import pytest

from ducha.analytics.redflags import cardinal
from ducha.analytics.redflags import settings as rs
from ducha.analytics.redflags.quantiles import fences, percentile, quantile


def run(tmp_path, releases, ini):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in releases) + "\n", encoding="utf-8")
    return cardinal.indicators(path, rs.from_text(ini))


def bid(tenderer, amount=None, status="valid", currency="USD", **extra):
    b = {"status": status, "tenderers": [{"id": tenderer}], **extra}
    if amount is not None:
        b["value"] = {"amount": amount, "currency": currency}
    return b


def process(ocid, bids=(), winner=None, **extra):
    release = {"ocid": ocid, "bids": {"details": list(bids)}, **extra}
    if winner is not None:
        release["awards"] = [{"status": "active", "suppliers": [{"id": winner}]}]
    return release


# Quartiles: Hyndman–Fan type 8, h = (n + 1/3)p + 1/3, computed by hand.


def test_quartiles_of_the_r024_fixture():
    q = fences([0, 0] + [100] * 7)  # n = 9: h(Q1) = 2 2/3, h(Q3) = 7 1/3
    assert q.q1 == pytest.approx(200 / 3, abs=1e-12) and q.q3 == 100
    assert q.lower == pytest.approx(50 / 3, abs=1e-12)  # the Meta example of Cardinal's page: 16.6667


def test_quartiles_interpolate_between_neighbours():
    assert quantile([1, 1, 1, 1, 2], 0.75) == pytest.approx(4 / 3)  # h = 4 1/3: x4 + 1/3 (x5 − x4)
    assert quantile([0, 0.2, *[1] * 8], 0.25) == pytest.approx(0.2 + 11 / 12 * 0.8)  # h = 2 11/12
    assert quantile([10, 20, 30, 40], 0.5) == pytest.approx(25)  # h = 2.5, the median
    assert percentile([1] * 9 + [10], 75) == 1  # h = 8 1/12, between two 1s


def test_quantile_ends_and_empty_data():
    assert quantile([3, 5], 0.25) == 3  # h = 0.92: k = 0 gives the least
    assert quantile([3, 5], 0.75) == 5  # h = 1.83, k = 1: 3 + 0.83 × 2 = 4.67
    assert quantile([3], 0.75) == 3  # k ≥ n gives the greatest
    assert quantile([3, 5], 1.0) == 5 and quantile([3, 5], 0.0) == 3
    assert math.isnan(quantile([], 0.25)) and math.isnan(fences([]).upper)


# The settings file.


def test_defaults_and_cardinal_syntax():
    s = rs.from_text(
        "currency = CNY\nprice_comparison_procurement_methods = 公开招标|邀请招标\n"
        "# a comment\n[R003]\nthreshold = 20 # as the pages write it\n[R003.procurement_method_details]\n"
        "Cotización = 7\n[R035]\nthreshold = 0\n[R038]\n; threshold = 0.5\n[R048]\n"
    )
    assert s.currency == "CNY" and s.price_comparison_procurement_methods == {"公开招标", "邀请招标"}
    assert s.r003 == rs.R003(threshold=20, procurement_method_details={"Cotización": 7})
    assert s.r035 == rs.R035(1)  # below 1 becomes 1
    assert s.r038 == rs.R038() and s.r048 == rs.R048(digits=2, threshold=None, minimum_contracting_processes=20)
    assert s.enabled_cardinal() == ["R003", "R035", "R038", "R048"] and s.r024 is None
    assert rs.load(None).enabled_cardinal() == list(rs.CARDINAL_CODES)


def test_other_sections_through_the_generic_accessor():
    s = rs.from_text(
        "[CN-SPLIT]\nthreshold = 4000000\nwindow_days = 365\nmethods = 询价|竞争性谈判\n[CN-EXPERT-BIAS]\n"
    )
    assert s.enabled("CN-SPLIT") and s.enabled("CN-EXPERT-BIAS") and not s.enabled("CN-SAME-DEVICE")
    assert s.section("CN-SPLIT")["window_days"] == "365" and s.section("CN-SAME-DEVICE") == {}
    assert s.integer("CN-SPLIT", "threshold") == 4_000_000 and s.integer("CN-SPLIT", "missing", 7) == 7
    assert s.decimal("CN-EXPERT-BIAS", "deviation", 10.0) == 10.0
    assert s.pipe_list("CN-SPLIT", "methods") == {"询价", "竞争性谈判"}
    with pytest.raises(
        rs.SettingsError, match=r"section \[CN-SPLIT\], key “methods”: the value “询价\|竞争性谈判” is not a whole"
    ):
        s.integer("CN-SPLIT", "methods")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[R025]\npercentile = high\n",
            r"^Settings, section \[R025\], key “percentile”: the value “high” is not a whole number\.$",
        ),
        ("[R024]\nthreshold = 5%\n", r"section \[R024\], key “threshold”: the value “5%” is not a decimal number"),
        ("[R048]\ndigits = 0\n", r"section \[R048\], key “digits”: the value “0” is less than 1, the least allowed"),
        ("[R003]\nthreshold\n", r"^Settings, line 2: “threshold” is neither “\[section\]” nor “key = value”\.$"),
        # an unknown key, naming the keys the section takes (or that it takes none)
        (
            "[R038]\nminimum_bids = 3\n",
            r"^Settings, section \[R038\]: the key “minimum_bids” \(value “3”\) is not one of "
            r"this section's: threshold, minimum_submitted_bids, minimum_contracting_processes\.$",
        ),
        (
            "[R028]\nthreshold = 1\n",
            r"section \[R028\]: the key “threshold” \(value “1”\) is not taken; this section has",
        ),
        ("curency = CNY\n", r"section \[—\]: the key “curency”"),
    ],
)
def test_bad_settings_name_the_property_and_reason(text, message):
    with pytest.raises(rs.SettingsError, match=message) as refused:
        rs.from_text(text)
    # the msgid and its values apart, for the Django side to translate
    assert refused.value.message % refused.value.params == str(refused.value)


# Reading the lines.


def test_lines_skipped_as_cardinal_skips_them(tmp_path):
    results, loaded = run(tmp_path, [
        json.dumps(process("F", tender={"numberOfTenderers": 1, "procurementMethod": "open"})), "", "   ", "{broken",
        '{"ocid": 7, "tender": {"numberOfTenderers": 1, "procurementMethod": "open"}}', "[1, 2]",
        json.dumps(process("C", tender={"numberOfTenderers": 1, "procurementMethod": "open", "status": "cancelled"})),
        json.dumps(process("X", tender={"numberOfTenderers": 1, "procurementMethod": "open",
                                        "procurementMethodDetails": "Sorteo"})),
    ], "[exclusions]\nprocurement_method_details = Sorteo|Random\n[R018]\n")  # fmt: skip
    assert results == {"OCID": {"F": {"R018": 1.0}}}
    assert (loaded.lines, loaded.processes, loaded.excluded, loaded.not_json, loaded.no_ocid) == (6, 1, 2, [4], 2)


# Settings and guards the fixtures leave at their defaults.


def test_price_comparison_only_for_the_listed_methods(tmp_path):
    same_price = [bid("A", 5), bid("B", 5)]
    releases = [process("listed", same_price, tender={"procurementMethodDetails": "Reverse Auction"}),
                process("other", same_price, tender={"procurementMethodDetails": "Lottery"}),
                process("unset", same_price)]  # fmt: skip
    results, _ = run(tmp_path, releases, "price_comparison_procurement_methods = Reverse Auction\n[R028]\n")
    assert list(results["OCID"]) == ["listed"]


def test_only_the_main_currency_is_compared(tmp_path):
    releases = [process("usd", [bid("D", 1, "disqualified"), bid("V", 2)], "V"),
                process("cad", [bid("D", 1, "disqualified", "CAD"), bid("V", 2, currency="CAD")], "V")]  # fmt: skip
    first_seen, _ = run(tmp_path, releases, "[R036]\n")
    assert list(first_seen["OCID"]) == ["usd"]
    configured, _ = run(tmp_path, releases, "currency = CAD\n[R036]\n")
    assert list(configured["OCID"]) == ["cad"]


def test_r024_guard_and_threshold(tmp_path):
    # Differences 0, 0, 0, 1: Q1 = 0, so the computed fence is not used at all.
    zeros = [process(str(i), [bid("W", 100), bid("L", 100 if i < 3 else 200)], "W") for i in range(4)]
    assert run(tmp_path, zeros, "[R024]\n")[0] == {}
    # A threshold replaces the fence: differences 0.01 and 0.5 against 0.05.
    close = [process("close", [bid("W", 100), bid("L", 101)], "W"), process("far", [bid("W", 100), bid("M", 150)], "W")]
    results, _ = run(tmp_path, close, "[R024]\nthreshold = 0.05\n")
    assert results["OCID"] == {"close": {"R024": pytest.approx(0.01)}} and set(results["Tenderer"]) == {"W", "L"}
    assert run(tmp_path, close, "[R024]\nthreshold = 0\n")[0] == {}  # a threshold must be positive


def test_r025_with_a_threshold_and_percentile(tmp_path):
    # T bids in 4 processes and wins 1 (0.25); A wins its 2 of 2; B loses its only bid.
    releases = [process(f"p{i}", [bid("T"), bid("A" if i < 2 else "B")], "T" if i == 0 else ("A" if i == 1 else "X"))
                for i in range(3)] + [process("p3", [bid("T"), bid("A")], "A")]  # fmt: skip
    results, _ = run(tmp_path, releases, "[R025]\nthreshold = 0.3\npercentile = 90\n")
    assert results == {"Tenderer": {"T": {"R025": 0.25}}}  # B (0.0) has 1 bid, under the 90th percentile


def test_r035_threshold_counts_distinct_other_tenderers(tmp_path):
    releases = [
        process("one", [bid("D", status="disqualified"), bid("V")], "V"),
        process("two", [bid("D", status="disqualified"), bid("E", status="disqualified"), bid("V")], "V"),
    ]
    results, _ = run(tmp_path, releases, "[R035]\nthreshold = 2\n")  # fmt: skip
    assert results == {"OCID": {"two": {"R035": 2.0}}, "Tenderer": {"V": {"R035": 0.0}}}


def test_r038_high_ratio_per_tenderer_with_the_minimum(tmp_path):
    releases = [process(str(i), [bid(f"T{i % 4}"), bid(f"T{(i + 1) % 4}")]) for i in range(8)]
    releases.append(process("x", [bid("Q", status="disqualified"), bid("T0")]))
    releases.append(process("y", [bid("Q", status="disqualified")], buyer={"id": "B"}))
    results, _ = run(tmp_path, releases, "[R038]\n")
    # ratios 0, 0, 0, 0 (T0…T3) and 1 (Q): Q3 = 1/3, upper fence 5/6; B has one bid, under the minimum
    assert results == {"Tenderer": {"Q": {"R038": 1.0}}}
    assert run(tmp_path, releases, "[R038]\nminimum_submitted_bids = 3\n")[0] == {}


def test_r048_digits_and_threshold(tmp_path):
    def award(ocid, supplier, *codes):
        items = [{"classification": {"id": c}} for c in codes]
        return {"ocid": ocid, "awards": [{"status": "active", "suppliers": [{"id": supplier}], "items": items}]}

    releases = [award("1", "S", "10100000", "10200000"), award("2", "T", "10100000")]
    assert run(tmp_path, releases, "[R048]\nthreshold = 2\n")[0] == {}  # 2 digits: S has one prefix, "10"
    results, _ = run(tmp_path, releases, "[R048]\nthreshold = 2\ndigits = 3\n")
    assert results == {"Tenderer": {"S": {"R048": 2.0}}}


def test_r003_parses_offsets_and_skips_what_is_not_rfc3339(tmp_path):
    period = [
        ("offset", "2020-08-01T23:00:00-05:00", "2020-08-16T03:00:00+00:00"),  # 13 days 23 h (04:00Z to 03:00Z)
        ("date only", "2020-08-01", "2020-08-02"),
        ("ok", "2020-08-01T00:00:00Z", "2020-08-16T00:00:00Z"),
    ]
    releases = [{"ocid": o, "tender": {"tenderPeriod": {"startDate": s, "endDate": e}}} for o, s, e in period]
    assert run(tmp_path, releases, "[R003]\n")[0] == {"OCID": {"offset": {"R003": 1.0}}}


def test_values_of_another_type_read_as_missing(tmp_path):
    releases = [
        # the amount as text and a numeric tenderer id: no identical prices to see
        process("text", [bid("A", 5), {"status": "valid", "tenderers": [{"id": "B"}],
                                       "value": {"amount": "5", "currency": "USD"}}]),
        process("number id", [bid("A", 5), {"status": "valid", "tenderers": [{"id": 7}],
                                            "value": {"amount": 5, "currency": "USD"}}]),
        process("shapes", bids=[], tender="open"),  # a tender that is not an object
        {"ocid": "odd", "bids": "none", "awards": {"status": "active"}},
        process("F", [bid("A", 5), bid("C", 5.0)]),
    ]  # fmt: skip
    results, loaded = run(tmp_path, releases, "[R028]\n[R018]\n")
    assert results == {"OCID": {"F": {"R028": 1.0}}, "Tenderer": {"A": {"R028": 1.0}, "C": {"R028": 1.0}}}
    assert loaded.processes == 5


def test_the_example_in_docs_reads_as_written():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "redflags.md").read_text(encoding="utf-8")
    s = rs.from_text(text.split("```ini\n", 1)[1].split("```", 1)[0])
    assert s.currency == "CNY" and s.excluded_procurement_method_details == {"抽签"}
    assert s.r003 == rs.R003(threshold=20, procurement_method_details={"竞争性磋商": 10})
    assert s.r024 == rs.Fence(None) and s.enabled_cardinal() == list(rs.CARDINAL_CODES)


@pytest.mark.parametrize(
    ("value", "printed"),
    [(1.0, "1.0"), (0.0, "0.0"), (100.0, "100.0"), (0.16666666666666666, "0.16666666666666666"),
     (1e-5, "0.00001"), (1e-6, "1e-6"), (1.5e-7, "1.5e-7"), (1e15, "1000000000000000.0"), (1e16, "1e16"),
     (1.2345678901234568e17, "1.2345678901234568e17"), (1234.5, "1234.5"), (-2.5, "-2.5")],
)  # fmt: skip
def test_floats_printed_as_cardinal_prints_them(value, printed):
    assert cardinal.rust_float(value) == printed  # serde_json's ryu layout, not Python's repr
    assert float(printed) == value


def test_dumps_is_one_line_of_cardinal_json():
    results = {"OCID": {"成交-1": {"R024": 1e-5, "R003": 1.0}}, "Tenderer": {'a"b': {"R024": 0.0}}}
    line = cardinal.dumps(results)
    assert line == '{"OCID":{"成交-1":{"R024":0.00001,"R003":1.0}},"Tenderer":{"a\\"b":{"R024":0.0}}}'
    assert json.loads(line) == results
