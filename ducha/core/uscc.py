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
    if len(first17) != 17:
        raise ValueError(f"a code's first 17 characters, not {first17!r}")
    return ALPHABET[-sum(map(int.__mul__, map(_VALUES.__getitem__, first17), _WEIGHTS)) % 31]


def normalise_uscc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().replace(" ", "").replace("-", "").upper()


def is_valid_uscc(value: str) -> bool:
    return is_valid_normalised(normalise_uscc(value))


def is_valid_normalised(code: str) -> bool:
    """is_valid_uscc for a code normalise_uscc has already made (the comparison's millions)."""
    return (
        len(code) == 18
        and code[0] in REGISTRARS
        and code[1] in ALPHABET
        and code[2:8].isdigit()
        and not code[8:].strip(ALPHABET)  # (every character of the alphabet)
        and code[-1] == check_character(code[:17])
    )


def with_check_digit(first17: str) -> str:
    return first17 + check_character(first17)
