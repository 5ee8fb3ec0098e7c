"""Enterprise names and codes made comparable (三方比对, step 1)."""

import pytest
from stdnum.cn import uscc as stdnum_uscc

from ducha.analytics.enterprises import Regions, clean_uscc, is_valid_uscc, normalise_name, organisation_code

REGIONS = Regions(
    [
        ("鄂尔多斯市", ["伊克昭盟"]),
        ("通辽市", ["哲里木盟"]),
        ("呼和浩特市", []),
        ("东胜区", ["东胜市"]),
    ]
)


@pytest.mark.parametrize(
    "variant",
    [
        "鄂尔多斯市东源能源有限责任公司",
        "鄂尔多斯东源能源有限公司",
        "伊克昭盟东源能源有限公司",
        "内蒙古鄂尔多斯市东源能源有限公司",
        "内蒙古自治区 鄂尔多斯市东源能源有限公司",
        "鄂尔多斯市东源能源有限公司 ",
        "鄂尔多斯市\u3000东源能源有限公司",  # (an ideographic space)
    ],
)
def test_variants_of_one_name_have_one_key(variant):
    name = normalise_name(variant, REGIONS)
    assert (name.region, name.core, name.legal_form, name.branch) == ("鄂尔多斯市", "东源能源", "有限公司", "")


def test_full_width_letters_and_the_brackets_nfkc_leaves_are_made_uniform():
    a = normalise_name("通辽市ＡＢＣ科技（集团）有限公司", REGIONS)
    b = normalise_name("哲里木盟ABC科技【集团】有限公司", REGIONS)
    c = normalise_name("通辽ABC科技〔集团〕有限责任公司", REGIONS)
    assert a.key == b.key == c.key and a.region == b.region == c.region == "通辽市"
    assert a.core == "ABC科技(集团)"


def test_a_branch_is_kept_as_its_own_field():
    main = normalise_name("鄂尔多斯市东源能源有限公司", REGIONS)
    branch = normalise_name("鄂尔多斯市东源能源有限公司东胜分公司", REGIONS)
    assert branch.branch == "东胜分公司" and branch.core == main.core
    assert branch.key != main.key  # a branch is not its head office


def test_a_region_in_brackets_says_where_not_who():
    name = normalise_name("中国建筑第二工程局(鄂尔多斯)有限公司", REGIONS)
    assert (name.region, name.core) == ("鄂尔多斯市", "中国建筑第二工程局")
    assert normalise_name("中铁三局集团(内蒙古)有限公司", REGIONS).core == "中铁三局集团"


def test_legal_forms_by_kind_and_what_must_not_merge():
    assert normalise_name("呼和浩特市城发投资股份有限公司", REGIONS).legal_form == "股份有限公司"
    assert normalise_name("呼和浩特市城发投资集团", REGIONS).legal_form == "集团有限公司"
    # A limited company and a company limited by shares are two enterprises' forms.
    assert (
        normalise_name("呼和浩特市城发投资股份有限公司", REGIONS).key
        != normalise_name("呼和浩特市城发投资有限公司", REGIONS).key
    )
    # Different cores never meet, whatever the region.
    assert normalise_name("鄂尔多斯市东源能源有限公司", REGIONS).key != normalise_name("东源煤炭有限公司", REGIONS).key
    # A name that is only a region and a form keeps a core (nothing is emptied).
    assert normalise_name("鄂尔多斯公司", REGIONS).core


def test_without_regions_the_region_stays_in_the_core():
    name = normalise_name("鄂尔多斯市东源能源有限公司")
    assert (name.region, name.core) == ("", "鄂尔多斯市东源能源")


def test_codes_are_cleaned_as_they_are_mistyped():
    assert clean_uscc(" 91150600ma0n1x2y3k ") == "91150600MA0N1X2Y3K"
    assert clean_uscc("９１１５０６００－ＭＡ０Ｎ") == "91150600MA0N"
    assert clean_uscc(None) == ""
    assert organisation_code("91150600MA0N1X2Y3K") == "MA0N1X2Y3"
    assert organisation_code("9115") == ""


def test_the_check_agrees_with_python_stdnum_on_codes_without_letters_in_the_first_eight():
    import random

    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        first17 = rng.choice("159") + rng.choice("123") + "".join(rng.choice("0123456789") for _ in range(6))
        first17 += "".join(rng.choice(alphabet) for _ in range(9))
        for last in (stdnum_uscc.calc_check_digit(first17), rng.choice(alphabet)):
            code = first17 + last
            assert is_valid_uscc(code) == stdnum_uscc.is_valid(code), code


@pytest.mark.parametrize(
    "code",
    [
        "N2150100MJ0000008X",  # a farmers' cooperative: N registrar (its check character worked out below)
        "Y1150100MC0000000K",  # a trade union: Y
        "A1150100MA0000000T",  # another registrar: A
    ],
)
def test_n_y_and_a_registrars_are_checked_by_the_standards_formula(code):
    """GB 32100-2015: weights 3^i mod 31, check = 31 − (Σ value × weight mod 31), 31 → 0."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    right = alphabet[(31 - total % 31) % 31]
    assert is_valid_uscc(code[:17] + right)
    wrong = next(c for c in alphabet if c != right)
    assert not is_valid_uscc(code[:17] + wrong)
    assert not stdnum_uscc.is_valid(code[:17] + right)  # (what python-stdnum refuses, wrongly)
