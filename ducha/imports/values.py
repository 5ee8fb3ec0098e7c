"""Cell values as people type them: full-width characters, stray spaces, dates and
amounts in several forms, 是/否 also as Y/N/√/×. Each parser returns the value or
raises BadValue with the reason (lazy, translated when shown)."""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _


class BadValue(ValueError):
    def __init__(self, reason, **params):
        super().__init__(str(reason))
        self.reason = reason
        self.params = params


def clean_text(value: Any, *, keep_width: bool = False) -> str:
    """A cell as text: NFKC (full-width letters, digits and punctuation to their plain
    forms; not with keep_width), stripped; a whole number read as 12.0 is 12."""
    if type(value) is str:  # (most cells: none of the conversions below)
        text = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "是" if value else "否"
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.datetime):
            value = value.date() if value.time() == dt.time() else value
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        text = str(value)
    if keep_width or text.isascii():  # (NFKC leaves ASCII as it is)
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def clean_header(value: Any) -> str:
    """A header compared without any space: 「交易金额 （万元）」 is 「交易金额(万元)」."""
    return re.sub(r"\s+", "", clean_text(value))


# Excel's day zero for serial numbers (the 1900 system, with its phantom 29 February 1900).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_date(value: Any) -> dt.date | None:
    """2024-06-15, 2024/6/15, 2024年6月15日, 2024.6.15, an Excel date cell or serial number."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = clean_text(value)
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _serial(float(text))
    match = _DATE.match(text)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise BadValue(_("“%(value)s” is not a valid date (write it as 2024-06-15)"), value=text)


def _serial(number: float) -> dt.date:
    # 1 is 1900-01-01; 2958465 is 9999-12-31. Anything else is not a date someone meant.
    if not 1 <= number <= 2958465:
        raise BadValue(_("“%(value)s” is not a valid date (write it as 2024-06-15)"), value=clean_text(number))
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


_YUAN_PER_WAN = Decimal(10000)
_CENT = Decimal("0.01")


def parse_wan_yuan(value: Any) -> Decimal | None:
    """An amount in 万元, with or without thousands separators, as exact yuan (× 10000)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(_("“%(value)s” is not a valid amount"), value=clean_text(value))
    if isinstance(value, int | float):
        # repr gives the shortest decimal that reads back as the same float: 12.3, not 12.2999…
        text = repr(value)
    else:
        text = re.sub(r"[\s,]", "", clean_text(value))
        if not text:
            return None
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
            raise BadValue(_("“%(value)s” is not a valid amount"), value=clean_text(value))
    try:
        wan = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("“%(value)s” is not a valid amount"), value=clean_text(value)) from None
    if not wan.is_finite():
        raise BadValue(_("“%(value)s” is not a valid amount"), value=clean_text(value))
    if wan < 0:
        raise BadValue(_("“%(value)s”: the amount cannot be negative"), value=clean_text(value))
    yuan = wan * _YUAN_PER_WAN
    if yuan != yuan.quantize(_CENT):
        raise BadValue(_("“%(value)s”: the amount is more precise than a cent"), value=clean_text(value))
    return yuan.quantize(_CENT)


_YES = {"是", "Y", "YES", "√", "✓", "✔", "1", "TRUE", "有"}
_NO = {"否", "N", "NO", "×", "✗", "✘", "X", "0", "FALSE", "无"}


def parse_yes_no(value: Any) -> bool | None:
    text = clean_text(value).upper()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise BadValue(_("“%(value)s” is neither 是 nor 否"), value=clean_text(value))


def short_name(name: str) -> str:
    """A catalogue name without its explanation in brackets: 应进未进（应进场交易未进场） → 应进未进."""
    return re.split(r"[(（]", clean_header(name), maxsplit=1)[0]
