"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

python-stdnum checks the check character but wants the first eight characters
numeric, which refuses valid codes of farmers' cooperatives (N…), trade unions (Y…)
and other registrars (A…); this check follows the standard itself."""

import unicodedata

from stdnum.cn.uscc import calc_check_digit

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REGISTRARS = "123456789ANY"


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
        and code[-1] == calc_check_digit(code[:17])
    )


def with_check_digit(first17: str) -> str:
    return first17 + calc_check_digit(first17)
