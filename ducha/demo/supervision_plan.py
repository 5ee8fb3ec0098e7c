"""What the demo's supervision work must show: the seed account's supervision figures
per group (shared/seed), and the units built to lag.

Where the seed is silent the numbers are plausible choices of ours. Dates are 2024.
"""

from dataclasses import dataclass

# Weekly scheduling (周调度) from the week of 2024-07-08: up to the campaign's close 25
# weeks fall due, so the engineering group's 25 reports are every week, on time, as the
# seed says ("严格落实周调度制度，按时报送工作情况……报送督查组周工作进展25次").
FIRST_REPORTING_WEEK = "2024-07-08"

# Units built to lag (发现问题数量较少、工作进展不均衡): few problems per self-inspected
# project (only LAGGING_SHARE of their projects may carry a problem), reports late or
# missing, fewer contacts than the rule asks. One department per group (five
# departments per group share a domain mix, so each has peers to be compared with) and,
# in the engineering group, a league/city as well.
LAGGING_UNITS = ("nyj", "150200", "mzt", "yjglt", "scjgj")
LAGGING_SHARE = 0.3


@dataclass(frozen=True)
class Round:
    starts_on: str
    ends_on: str
    methods: tuple[str, ...]
    summary: str
    look_back: bool = False
    # (league code, county code): visits that went down to a county (下沉旗县)
    counties: tuple[tuple[str, str], ...] = ()
    # a look-back round: the unit one of whose signed-off problems it finds not truly
    # rectified and reopens (not in the natural-resources group: its 1104 rectified stand)
    reopens: str | None = None


@dataclass(frozen=True)
class SupervisionPlan:
    domain: str
    work_plans: tuple[tuple[str, str | None, str], ...]  # title, stage kind, issued on
    group_reports: int  # weekly reports to the office (of the 25 due weeks)
    rounds: tuple[Round, ...]
    phone_contacts: int  # outside a contact rule; a rule adds what it asks
    letters: tuple[tuple[str, str], ...]  # (kind, title)
    complaints: int = 0  # forwarded by the coordination group
    phone_rule: int = 0  # a contact rule from PHONE_RULE_FROM: phone contacts per unit and week


PHONE_RULE_FROM = "2024-07-01"
B, D, R, Q, S = "briefing", "discussion", "records", "questioning", "spot_check"

PLANS = (
    SupervisionPlan(
        "engineering",
        work_plans=(
            ("工程建设项目督导检查组工作方案", None, "2024-04-26"),
            ("专项整治自查抽查核查阶段督导检查工作实施方案", "self_check", "2024-05-08"),
            ("加强督导自查抽查核查阶段“回头看”工作方案", "look_back", "2024-07-29"),
            ("集中整治整改阶段督导检查工作实施方案", "rectification", "2024-08-30"),
        ),
        group_reports=25,
        rounds=(
            Round("2024-05-27", "2024-05-31", (B, D, R), "自查抽查核查阶段实地督导，现场反馈问题并提出意见建议"),
            Round(
                "2024-08-12",
                "2024-08-16",
                (B, D, R),
                "自查抽查核查阶段“回头看”实地督导",
                look_back=True,
                reopens="150200",
            ),
            Round("2024-09-23", "2024-09-27", (B, D, R), "集中整治整改阶段实地督导，协助解决工作中的问题和困难"),
        ),
        phone_contacts=12,  # before July; from July the rule's two a week
        phone_rule=2,
        letters=(
            ("reminder", "关于加快推进专项整治自查工作的提醒函"),
            ("reminder", "关于发现问题工程数量较少的提醒函"),
            ("reminder", "关于加快问题整改销号进度的提醒函"),
        ),
    ),
    SupervisionPlan(
        "procurement",
        work_plans=(("自治区公共资源交易领域突出问题专项整治行动政府采购项目督导检查组工作方案", None, "2024-04-25"),),
        group_reports=25,
        # 平均每月实地督导一轮: one round in each month of the campaign, April to December.
        rounds=tuple(
            Round(a, b, (B, R, Q, S), text, counties=counties)
            for a, b, text, counties in (
                ("2024-04-24", "2024-04-29", "实施方案制定落实情况督导", ()),
                ("2024-05-20", "2024-05-24", "全面自查及投诉转报机制建立情况督导", (("150500", "150502"),)),
                ("2024-06-17", "2024-06-21", "按比例抽查与核查情况督导", (("150500", "150525"),)),
                ("2024-07-15", "2024-07-19", "问题整治整改情况督导", (("150400", "150428"),)),
                ("2024-08-19", "2024-08-23", "移交移送公安、纪检机关情况督导", (("150400", "150429"),)),
                ("2024-09-16", "2024-09-20", "集中整治整改进展督导", (("150500", "150502"), ("150400", "150429"))),
                ("2024-10-21", "2024-10-25", "问题清零销号情况督导", ()),
                ("2024-11-18", "2024-11-22", "总结完善提高阶段督导", ()),
                ("2024-12-09", "2024-12-13", "长效机制建设情况督导", ()),
            )
        ),
        phone_contacts=40,
        letters=(("notice", "关于规范政府采购意向公开的提示函"),),
    ),
    SupervisionPlan(
        "natural_resources",
        work_plans=(
            ("自然资源交易项目督导检查组工作方案", None, "2024-04-28"),
            ("自然资源交易项目督导检查组关于开展实地督导的工作安排", "self_check", "2024-06-14"),
        ),
        group_reports=23,
        rounds=(
            Round("2024-06-24", "2024-06-28", (B, D, R, S), "自查抽查核查实地督导"),
            Round("2024-08-05", "2024-08-09", (B, R, Q, S), "“回头看”实地督导", look_back=True),
            Round("2024-09-23", "2024-09-27", (B, D, R), "突出问题专项整治和六类市场主体治理实地督导"),
        ),
        phone_contacts=64,  # 电话调度指导60余回
        # 发送工作提示函、工作通报等文件10份
        letters=tuple(
            [
                ("notice", f"关于{t}的工作提示函")
                for t in (
                    "做好自然资源交易项目自查工作",
                    "补充农村土地整治等项目纳入整治范围",
                    "加快抽查核查进度",
                    "规范矿业权出让交易",
                    "做好“回头看”工作",
                    "加快问题整改销号",
                )
            ]
            + [("bulletin", f"自然资源交易领域专项整治工作通报（第{n}期）") for n in ("一", "二", "三", "四")]
        ),  # fmt: skip
        complaints=4,  # 接收到督导协调组转发的4个举报材料
    ),
    SupervisionPlan(
        "state_property",
        work_plans=(
            ("督导组工作方案", None, "2024-04-26"),
            ("国有产权交易领域突出问题专项整治实施方案", "self_check", "2024-05-10"),
        ),
        group_reports=25,
        # 分别于2024年5月、7月和9月……组织开展了三轮实地督导
        rounds=(
            Round("2024-05-22", "2024-05-28", (B, R, S), "自查阶段“转段攻坚”实地督导"),
            Round("2024-07-22", "2024-07-26", (B, R, S, D), "抽查核查阶段“转段攻坚”实地督导"),
            Round("2024-09-18", "2024-09-24", (B, R, S, D), "集中整治整改阶段“转段攻坚”实地督导"),
        ),
        phone_contacts=36,
        letters=(("urging", "关于“应进未进”“应评未评”问题整改的督办函"),),
    ),
)
