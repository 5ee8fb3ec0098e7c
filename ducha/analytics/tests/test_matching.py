"""Enterprises matched in tiers on hand-made cases, including those that must not match."""

import pyarrow as pa

from ducha.analytics.enterprises import Regions
from ducha.analytics.matching import MatchSettings, match
from ducha.core.uscc import with_check_digit

REGIONS = Regions([("鄂尔多斯市", ["伊克昭盟"]), ("通辽市", ["哲里木盟"]), ("包头市", [])])
DONGYUAN = with_check_digit("91150600MA0N1X2Y3")  # 鄂尔多斯市东源能源有限公司
NEIGHBOUR = with_check_digit("91150600MA0N1X2Y4")  # another enterprise, one character apart in its first 17
CHENGFA = with_check_digit("91150100MA0ABCDE1")
QINGSHAN = with_check_digit("91150200MA0QWERT1")


def _match(rows: list[tuple], **settings):
    table = pa.table(
        {
            "id": [r[0] for r in rows],
            "source": [r[1] for r in rows],
            "name": [r[2] for r in rows],
            "uscc": [r[3] for r in rows],
        }
    )
    matched = match(table, REGIONS, MatchSettings(**settings))
    links = {r["id"]: r for r in matched.links.to_pylist()}
    return links, {r["id"]: r for r in matched.review.to_pylist()}


def _mistyped(code: str, position: int) -> str:
    """The code with one character changed so that its check fails."""
    for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        typo = code[:position] + c + code[position + 1 :]
        if c != code[position] and typo != code and not _valid(typo):
            return typo
    raise AssertionError


def _valid(code: str) -> bool:
    from ducha.core.uscc import is_valid_uscc

    return is_valid_uscc(code)


def test_exact_and_cleaned_codes():
    links, review = _match(
        [(1, "exchange", "东源能源", DONGYUAN), (2, "registry", "随便写的名字", f" {DONGYUAN.lower()} ")]
    )
    assert links[1]["enterprise"] == links[2]["enterprise"] == DONGYUAN
    assert links[1]["tier"] == links[2]["tier"] == "uscc"
    assert "cleaned" in links[2]["evidence"] and not review


def test_a_mistyped_code_is_repaired_from_another_sources_code():
    typo = _mistyped(CHENGFA, 10)
    links, _ = _match([(1, "exchange", "城发投资", CHENGFA), (2, "self", "城发投资", typo)])
    assert (links[2]["enterprise"], links[2]["tier"]) == (CHENGFA, "uscc_repaired")
    assert "character 11" in links[2]["evidence"]


def test_a_repair_needs_another_source_and_one_neighbour_only():
    typo = _mistyped(CHENGFA, 10)
    # Only the same source wrote the valid code: not repaired by it.
    links, _ = _match([(1, "self", "城发投资", CHENGFA), (2, "self", "城发", typo)])
    assert links[2]["tier"] != "uscc_repaired"
    # A failing code one character away from two valid codes (the first 17 of one, the
    # check character of the other): the review list, not a guess.
    first17 = DONGYUAN[:17]
    other = with_check_digit(first17[:12] + ("7" if first17[12] != "7" else "8") + first17[13:])
    typo = first17 + other[17]
    assert not _valid(typo) and _valid(other)
    links, review = _match([(1, "exchange", "甲", DONGYUAN), (2, "registry", "乙", other), (3, "self", "丙", typo)])
    assert links[3]["tier"] == "unmatched"
    assert review[3] == {"id": 3, "tier": "uscc_repaired", "candidates": sorted([DONGYUAN, other]), "evidence": typo}


def test_the_organisation_code_links_a_code_with_two_wrong_characters():
    broken = "X" + CHENGFA[1:8] + CHENGFA[8:17] + "0"  # registrar and check wrong, characters 9–17 right
    assert not _valid(broken)
    links, _ = _match([(1, "exchange", "城发投资", CHENGFA), (2, "registry", "城发投资", broken)])
    assert (links[2]["enterprise"], links[2]["tier"]) == (CHENGFA, "organisation_code")


def test_names_without_codes_find_the_enterprise_their_name_names():
    links, review = _match(
        [
            (1, "exchange", "鄂尔多斯市东源能源有限公司", DONGYUAN),
            (2, "self", "伊克昭盟东源能源有限责任公司", None),  # old league name, other wording
            (3, "registry", "内蒙古鄂尔多斯东源能源有限公司", ""),
            (4, "self", "鄂尔多斯市东源能源股份有限公司", None),  # another legal form: core and region
        ]
    )
    assert [links[i]["enterprise"] for i in (2, 3, 4)] == [DONGYUAN] * 3
    assert [links[i]["tier"] for i in (2, 3, 4)] == ["name", "name", "name_region"]
    assert not review


def test_a_name_two_enterprises_have_goes_to_review():
    links, review = _match(
        [
            (1, "exchange", "包头市青山建设有限公司", QINGSHAN),
            (2, "registry", "通辽市青山建设有限公司", CHENGFA),  # same key, another enterprise
            (3, "self", "青山建设有限公司", None),
        ]
    )
    assert links[3]["tier"] == "unmatched"
    assert review[3]["candidates"] == sorted([QINGSHAN, CHENGFA]) and review[3]["tier"] == "name"


def test_a_fuzzy_match_needs_a_clear_winner_and_a_close_name():
    rows = [
        (1, "exchange", "鄂尔多斯市东源能源开发建设有限公司", DONGYUAN),
        (2, "self", "鄂尔多斯市东源能原开发建设有限公司", None),
    ]
    links, _ = _match(rows, threshold=85)
    assert (links[2]["enterprise"], links[2]["tier"]) == (DONGYUAN, "fuzzy")
    # Too far from anything: stands for itself.
    links, _ = _match([rows[0], (2, "self", "鄂尔多斯市蒙西煤炭有限公司", None)], threshold=85)
    assert links[2]["tier"] == "unmatched" and links[2]["enterprise"].startswith("name:")
    # Two enterprises equally close: review.
    rows = [
        (1, "exchange", "鄂尔多斯市东源能源开发建设有限公司", DONGYUAN),
        (2, "exchange", "鄂尔多斯市东原能源开发建设有限公司", NEIGHBOUR),
        (3, "self", "鄂尔多斯市东园能源开发建设有限公司", None),
    ]
    links, review = _match(rows, threshold=85)
    assert links[3]["tier"] == "unmatched" and review[3]["tier"] == "fuzzy"


def test_unmatched_mentions_of_one_name_still_meet():
    links, _ = _match(
        [(1, "exchange", "通辽市草原牧业有限公司", None), (2, "self", "哲里木盟草原牧业有限责任公司", "")]
    )
    assert links[1]["enterprise"] == links[2]["enterprise"] and links[1]["tier"] == "unmatched"
