"""Administrative divisions (GB/T 2260) from python-stdnum's location data.

stdnum/cn/loc.dat lists every code with its names over time, for example
`0600 county="[2001-]鄂尔多斯市"` or `2700 county="[-2001]伊克昭盟"`. A name whose
period has no end is current. Old leagues (伊克昭盟, 哲里木盟, ...) have their own
codes; we map each to today's league/city through the counties the two share.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files

_NAME = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@dataclass
class Division:
    code: str
    name: str
    parent_code: str | None
    former_names: list[str] = field(default_factory=list)


def _entries(province: str) -> dict[str, list[tuple[str, bool]]]:
    """code → [(name, is_current), ...] for one province (two-digit code)."""
    text = (files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    result: dict[str, list[tuple[str, bool]]] = {}
    inside = False
    for line in text.splitlines():
        if not line.startswith(" "):
            inside = line.startswith(f"{province} ")
            continue
        if not inside:
            continue
        code, rest = line.strip().split(" ", 1)
        raw = re.match(r'county="(.*)"', rest)
        if raw is None:
            continue
        names = []
        for variant in raw.group(1).split(","):
            m = _NAME.match(variant)
            names.append((m.group(3), not m.group(2)) if m else (variant, True))
        result[province + code] = names
    return result


def province_divisions(province: str = "15") -> list[Division]:
    """Current leagues/cities and counties of a province, with former names attached."""
    entries = _entries(province)
    current: dict[str, str] = {}
    for code, names in entries.items():
        name, is_current = names[-1]
        if is_current and name != "市辖区" and not code.endswith("0000"):
            current[code] = name
    leagues = {c: Division(c, n, None) for c, n in current.items() if c.endswith("00")}
    counties = {c: Division(c, n, c[:4] + "00") for c, n in current.items() if not c.endswith("00")}
    for division in (*leagues.values(), *counties.values()):
        division.former_names = [n for n, _ in entries[division.code] if n != division.name]
    # An abolished league (伊克昭盟) maps to the current league holding most of its counties.
    county_parent_by_name = {d.name: d.parent_code or "" for d in counties.values()}
    for code, names in entries.items():
        if not code.endswith("00") or code in leagues or code.endswith("0000"):
            continue
        children = [entries[c][-1][0] for c in entries if c[:4] == code[:4] and c != code]
        votes = Counter(county_parent_by_name[n] for n in children if n in county_parent_by_name)
        if votes:
            successor = leagues[votes.most_common(1)[0][0]]
            successor.former_names += [n for n, _ in names if n not in successor.former_names]
    return [*leagues.values(), *sorted(counties.values(), key=lambda d: d.code)]
