"""Enterprise names and codes made comparable across sources (三方比对, step 1).

The same enterprise is written in many ways: full-width or half-width brackets and
letters, 有限公司 or 有限责任公司, with or without its region (内蒙古, 鄂尔多斯市, or the
old league name 伊克昭盟), as a branch (……分公司). `normalise_name` takes a name apart
into region, core, legal form and branch, so that the tiers of the matching compare the
parts that say who the enterprise is. `clean_uscc` cleans a unified social credit code
the way people mistype it (case, spaces, full-width characters); whether it is valid is
ducha.core.uscc's check (GB 32100-2015, with N/Y/A registrars), which imports no Django.

Regions are data, given by the caller (the leagues/cities and counties with their former
names, from org): `Regions([("鄂尔多斯市", ["伊克昭盟"]), ...])`.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ducha.core.uscc import is_valid_uscc, normalise_uscc

# Brackets NFKC leaves alone, and the full-width ones it maps, all made ( ).
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "「": "(", "」": ")", "［": "(", "］": ")",
                           "[": "(", "]": ")", "〈": "(", "〉": ")", "《": "(", "》": ")"})  # fmt: skip
_SPACE = re.compile(r"[\s·•・]+")

# Legal forms, longest first: each maps to its kind (有限公司 and 有限责任公司 are one kind).
LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    ("股份有限公司", "股份有限公司"),
    ("有限责任公司", "有限公司"),
    ("集团有限公司", "集团有限公司"),
    ("集团股份有限公司", "股份有限公司"),
    ("有限公司", "有限公司"),
    ("集团公司", "集团有限公司"),
    ("集团", "集团有限公司"),
    ("有限合伙", "合伙企业"),
    ("合伙企业", "合伙企业"),
    ("总公司", "公司"),
    ("公司", "公司"),
    ("合作社", "合作社"),
    ("厂", "厂"),
)
_LEGAL = sorted(LEGAL_FORMS, key=lambda pair: -len(pair[0]))
_BRANCH = re.compile(
    r"^(?P<main>.+?(?:公司|集团|厂|合作社))(?P<branch>[^()]{1,20}?(?:分公司|分厂|办事处|营业部|分部))$"
)
_BRANCH_ENDINGS = ("分公司", "分厂", "办事处", "营业部", "分部")  # what _BRANCH's branch ends with
_PROVINCE = ("内蒙古自治区", "内蒙古")
_PROVINCE_STARTS = ("内蒙古", "(内蒙古")
_PROVINCE_IN_BRACKETS = re.compile(r"\((?:内蒙古(?:自治区)?)\)")
_IN_BRACKETS = re.compile(r"\(([^()]+)\)")


@dataclass(frozen=True)
class Name:
    """A name taken apart. `key` is what the name tier compares (region dropped, legal form
    by kind); `core` + `region` what the core-and-region tier compares."""

    text: str  # NFKC, brackets and spaces made uniform
    region: str  # the current name of the region it starts with ("" if none)
    core: str  # what is left without region, province, legal form and branch
    legal_form: str  # the kind of legal form ("" if none)
    branch: str  # "东胜分公司" ("" when not a branch)

    @property
    def key(self) -> str:
        return f"{self.core}|{self.legal_form}|{self.branch}"


class Regions:
    """Region names as names start with them: current and former names, each to the current
    name; a league's or city's also without its suffix (鄂尔多斯市, 鄂尔多斯, 伊克昭盟, 伊克昭).
    A county's name only in full: without 旗/县/区 it is often an enterprise's own word
    (兴和物流 is not 兴和县's 物流; 海南 is not 海南区)."""

    SUFFIXES = ("市", "盟")  # the suffixes a name is also written without

    def __init__(self, regions: Iterable[tuple[str, Iterable[str]]]):
        self.names: dict[str, str] = {}
        for current, former in regions:
            for name in (current, *former):
                self.names.setdefault(name, current)
                short = next(
                    (name[: -len(s)] for s in self.SUFFIXES if name.endswith(s) and len(name) > len(s) + 1), ""
                )
                if len(short) >= 2:
                    self.names.setdefault(short, current)
        self._by_first: dict[str, list[str]] = defaultdict(list)  # by first character, longest first
        for name in sorted(self.names, key=len, reverse=True):
            self._by_first[name[0]].append(name)

    def leading(self, text: str) -> tuple[str, str]:
        """(current region, rest) when `text` starts with a region name (or one in brackets
        right after the start: 中国建筑(鄂尔多斯)……), else ("", text)."""
        for name in self._by_first.get(text[:1], ()):
            if text.startswith(name) and len(text) > len(name):
                return self.names[name], text[len(name) :]
        if text.startswith("("):
            for name in self._by_first.get(text[1:2], ()):
                if text.startswith(f"({name})"):
                    return self.names[name], text[len(name) + 2 :]
        return "", text


NO_REGIONS = Regions([])


def clean_text(text: str | None) -> str:
    """NFKC (full-width letters, digits and brackets to half-width), the other brackets as
    ( ), no spaces or middle dots."""
    value = unicodedata.normalize("NFKC", text or "").translate(_BRACKETS)
    return _SPACE.sub("", value).strip()


def normalise_name(name: str | None, regions: Regions = NO_REGIONS) -> Name:
    text = clean_text(name)
    main, branch = text, ""
    if text.endswith(_BRANCH_ENDINGS) and (found := _BRANCH.match(text)):  # (the test first: millions of names)
        main, branch = found["main"], found["branch"]
    rest = main
    if rest.startswith(_PROVINCE_STARTS):  # the province, written or not
        for province in _PROVINCE:
            if rest.startswith(province) or rest.startswith(f"({province})"):
                rest = rest.removeprefix(f"({province})").removeprefix(province)
                break
    region, rest = regions.leading(rest)
    legal = ""
    for form, kind in _LEGAL:
        if rest.endswith(form) and len(rest) > len(form):
            rest, legal = rest[: -len(form)], kind
            break
    if "(" in rest:
        # A region or the province in brackets inside the name (中国建筑(内蒙古)) says where, not who.
        rest = _PROVINCE_IN_BRACKETS.sub("", rest)
        if not region:
            inner = _IN_BRACKETS.search(rest)
            if inner and (found_region := regions.leading(f"({inner[1]})x")[0]):
                region, rest = found_region, rest.replace(inner[0], "")
    return Name(text=text, region=region, core=rest, legal_form=legal, branch=branch)


def clean_uscc(code: str | None) -> str:
    """The code as people meant to type it: NFKC, no spaces or hyphens, upper case; "" for none."""
    return normalise_uscc(code or "")


def organisation_code(code: str) -> str:
    """Characters 9–17 of a cleaned code: the organisation code (组织机构代码) it carries."""
    return code[8:17] if len(code) == 18 else ""


__all__ = ["Name", "Regions", "clean_text", "clean_uscc", "is_valid_uscc", "normalise_name", "organisation_code"]
