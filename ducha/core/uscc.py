"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

python-stdnum checks the check character but wants the first eight characters
numeric, which refuses valid codes of farmers' cooperatives (N…), trade unions (Y…)
and other registrars (A…); this check follows the standard itself. The check character
is computed here too (the same weights and alphabet as stdnum's, which the tests compare
against), with the characters' values looked up rather than searched: the three-way
comparison checks millions of codes."""

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REGISTRARS = "123456789ANY"
_VALUES = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, …: 3^i mod 31


def check_character(first17: str) -> str:
    """The 18th character of a code whose first 17 are `first17` (all from ALPHABET)."""
    return ALPHABET[-sum(_VALUES[c] * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 31]


def normalise_uscc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().replace(" ", "").replace("-", "").upper()


def is_valid_uscc(value: str) -> bool:
    code = normalise_uscc(value)
    return (
        len(code) == 18
        and code[0] in REGISTRARS
        and code[1] in ALPHABET
        and code[2:8].isdigit()
        and all(c in ALPHABET for c in code[8:])
        and code[-1] == check_character(code[:17])
    )


def with_check_digit(first17: str) -> str:
    return first17 + check_character(first17)
