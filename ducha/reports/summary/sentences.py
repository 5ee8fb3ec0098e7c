"""The summary report's sentences of figures, in the seed account's words (shared/seed):
a group's ledger figures ("…负责督导检查的3个盟市、5个厅局共自查9651个项目，抽查4058个项目，
共发现1105个问题，涉及四大类问题的178个，涉及六类市场主体问题的897个，1105个问题中1104个问题
已整改完成。移交问题线索6条，曝光典型案例17个，立案12件，制定、修订或废除相关文件160份。"),
its supervision work ("报送督查组周工作进展20余次，电话督导60余次……"), and the campaign's.
Every number is a `Figure` read from `campaign_statistics`; each carries the list behind it."""

from typing import Any

from ducha.reports.summary.phrasing import Figure, Part, Sentence, Trace, about

PROJECTS, PROBLEMS = "projects", "problems"
# The ledger figures and the lists behind them (the list filters of ledger/filtersets.py).
LEDGER_TRACES: dict[str, Trace] = {
    "projects_self_inspected": Trace(PROJECTS, (("self_inspected", "true"),)),
    "projects_sampled": Trace(PROJECTS, (("sampled", "true"),)),
    "projects_verified": Trace(PROJECTS, (("verified", "true"),)),
    "problems": Trace(PROBLEMS),
    "problems_four_categories": Trace(PROBLEMS, (("kind", "four"),)),
    "problems_market_entity": Trace(PROBLEMS, (("kind", "entity"),)),
    "problems_rectified": Trace(PROBLEMS, (("state", "rectified"),)),
    "problems_signed_off": Trace(PROBLEMS, (("status", "signed_off"),)),
    "clue_transfers": Trace("clue-transfers"),
    "exposed_cases": Trace("exposed-cases"),
    "filed_cases": Trace("filed-cases"),
    "documents": Trace("documents"),
    "trainings": Trace("trainings"),
    "training_attendees": Trace("trainings"),
}
# The supervision figures' lists (the supervision ledgers' keys and filters).
SUPERVISION_TRACES: dict[str, Trace] = {
    "work_plans": Trace("work-plans"),
    "group_reports_submitted": Trace("group-weekly-reports"),
    "unit_reports_submitted": Trace("unit-weekly-reports"),
    "site_rounds": Trace("site-rounds"),
    "look_back_rounds": Trace("site-rounds", (("kind", "look_back"),)),
    "contacts_phone": Trace("contacts", (("kind", "phone"),)),
    "contacts_on_site": Trace("contacts", (("kind", "on_site"),)),
    "contacts_written": Trace("contacts", (("kind", "written"),)),
    "counties_visited": Trace("contacts", (("kind", "on_site"),)),
    "letters": Trace("letters"),
    "complaints_received": Trace("complaints"),
    "complaints_closed": Trace("complaints", (("status", "closed"),)),
}
# Supervision activity counted the way officials write it ("60余次"); the rest exactly.
APPROXIMATE = frozenset(
    {"group_reports_submitted", "unit_reports_submitted", "contacts_phone", "contacts_on_site", "contacts_written"}
)
LETTER_WORDS = {"reminder": "工作提醒函", "notice": "工作提示函", "bulletin": "工作通报", "urging": "督办函"}


class Figures:
    """The figures of one slice of the statistics (a group's entry or the total)."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry

    def ledger(self, key: str) -> Figure:
        value = self.entry[key]
        return Figure(key, value, str(value), LEDGER_TRACES.get(key))

    def attendees(self) -> Figure:
        value = self.entry["training_attendees"]
        return Figure("training_attendees", value, about(value), LEDGER_TRACES["training_attendees"])

    def supervision(self, key: str) -> Figure:
        value = self.entry["supervision"][key]
        written = about(value) if key in APPROXIMATE else str(value)
        return Figure(f"supervision.{key}", value, written, SUPERVISION_TRACES.get(key))

    def letter_kind(self, kind: str) -> Figure:
        value = self.entry["supervision"]["letters_by_kind"][kind]
        return Figure(f"supervision.letters_by_kind.{kind}", value, str(value), Trace("letters", (("kind", kind),)))


def units_phrase(entry: dict[str, Any]) -> list[Part]:
    """ "3个盟市、5个厅局" (a kind with none left out)."""
    leagues = Figure("leagues", entry["leagues"], str(entry["leagues"]))
    departments = Figure("departments", entry["departments"], str(entry["departments"]))
    parts: list[Part] = []
    if leagues.value:
        parts += [leagues, "个盟市"]
    if departments.value:
        parts += (["、"] if parts else []) + [departments, "个厅局"]
    return parts


def inspections_and_problems(f: Figures, opening: list[Part], *, signed_off: bool = False) -> Sentence:
    """ "<opening>共自查N个项目，抽查N个项目，（核查N个项目，）共发现N个问题，涉及四大类问题的N个，
    涉及六类市场主体问题的N个，N个问题中N个问题已整改完成（，N个问题已销号）。" """
    s = Sentence(list(opening))
    s.add("共自查", f.ledger("projects_self_inspected"), "个项目", always=True)
    s.add("，抽查", f.ledger("projects_sampled"), "个项目")
    s.add("，核查", f.ledger("projects_verified"), "个项目")
    problems = f.ledger("problems")
    if problems.value == 0:
        s.say("，未发现问题。")
        return s
    s.add("，共发现", problems, "个问题")
    s.add("，涉及四大类问题的", f.ledger("problems_four_categories"), "个")
    s.add("，涉及六类市场主体问题的", f.ledger("problems_market_entity"), "个")
    rectified = f.ledger("problems_rectified")
    if rectified.value == 0:
        s.say("，暂无问题整改完成")
    elif rectified.value == problems.value:
        s.add("，", rectified, "个问题已全部整改完成", always=True)
    else:
        s.add("，", problems, "个问题中")
        s.add("", rectified, "个问题已整改完成", always=True)
    if signed_off:
        s.add("，", f.ledger("problems_signed_off"), "个问题已销号")
    s.say("。")
    return s


def dispositions(f: Figures) -> Sentence:
    """ "移交问题线索N条，曝光典型案例N个，立案N件，制定、修订或废除相关文件N份。"
    Dispositions there were none of are left out, as an official leaves them out."""
    s = Sentence()
    clauses = [
        ("移交问题线索", f.ledger("clue_transfers"), "条"),
        ("曝光典型案例", f.ledger("exposed_cases"), "个"),
        ("立案", f.ledger("filed_cases"), "件"),
        ("制定、修订或废除相关文件", f.ledger("documents"), "份"),
    ]
    for before, figure, after in clauses:
        s.add(("，" if not s.empty else "") + before, figure, after)
    if not s.empty:
        s.say("。")
    return s


def supervision_work(f: Figures, opening: str) -> Sentence:
    """The supervision work in one sentence, from the statistics' "supervision" object:
    weekly reports, work plans, site rounds, contacts, letters, complaints, trainings."""
    s = Sentence([opening])
    said = False

    def clause(before: str, figure: Figure, after: str) -> None:
        nonlocal said
        said = s.add(("，" if said else "") + before, figure, after) or said

    clause("制定工作方案", f.supervision("work_plans"), "个")
    clause("报送督查组周工作进展", f.supervision("group_reports_submitted"), "次")
    clause("收到盟市、厅局周工作进展报送", f.supervision("unit_reports_submitted"), "次")
    if f.supervision("site_rounds").value:
        clause("开展实地督导", f.supervision("site_rounds"), "轮")
        look_back = f.supervision("look_back_rounds")
        if look_back.value:
            s.add("（其中“回头看”", look_back, "轮）")
    clause("电话督导", f.supervision("contacts_phone"), "次")
    clause("实地督导", f.supervision("contacts_on_site"), "次")
    clause("书面提醒", f.supervision("contacts_written"), "次")
    clause("下沉", f.supervision("counties_visited"), "个旗县（市、区）")
    letters(s, f, clause)
    received = f.supervision("complaints_received")
    if received.value:
        clause("接收举报材料", received, "件")
        s.add("，已办结", f.supervision("complaints_closed"), "件")
    if f.entry.get("trainings"):
        clause("举办培训", f.ledger("trainings"), "期")
        s.add("，累计培训", f.attendees(), "人")
    if said:
        s.say("。")
    return s


def letters(s: Sentence, f: Figures, clause) -> None:
    """ "发出工作提醒函3份", or with several kinds "发出工作提示函、工作通报等文件10份"."""
    total = f.supervision("letters")
    kinds = [k for k, n in f.entry["supervision"]["letters_by_kind"].items() if n and k in LETTER_WORDS]
    if not total.value:
        return
    if len(kinds) == 1:
        clause(f"发出{LETTER_WORDS[kinds[0]]}", total, "份")
    else:
        clause("发出" + "、".join(LETTER_WORDS[k] for k in kinds) + "等文件", total, "份")
