"""What the demo campaign must show: the seed account's figures per group.

The seed (shared/seed) gives these for the Inner Mongolia campaign of 2024; where it
is silent (the engineering group's ledger figures, for instance) the numbers are
plausible choices of ours, kept in the same proportions.
"""

from dataclasses import dataclass

CAMPAIGN_CODE = "nmg-2024"
CAMPAIGN_NAME = "自治区公共资源交易领域突出问题专项整治行动"
SCOPE = ("2023-01-01", "2024-06-30")
STAGES = (
    ("self_check", "2024-04-20", "2024-07-31"),
    ("look_back", "2024-08-01", "2024-08-31"),
    ("rectification", "2024-09-01", "2024-10-31"),
    ("summary", "2024-11-01", "2024-12-15"),
)
# The campaign's run: it starts with its first stage and closes at the end of the year.
# Every problem is found, due and rectified inside it.
STARTS_ON = STAGES[0][1]
CLOSES_ON = "2024-12-31"
SEED = 20240630


@dataclass(frozen=True)
class GroupPlan:
    domain: str
    name: str
    leagues: tuple[str, ...]  # GB/T 2260 codes
    departments: tuple[str, ...]  # department codes (org/data/departments.json)
    projects: int  # all self-inspected: every project in scope is
    sampled: int
    verified: int
    problem_projects: int  # distinct projects with problems
    problems: int  # found in projects (problems - problem_projects: a second one in the same project)
    unit_level_problems: int  # found in the unit, no project
    state_property_problems: int  # of `problems`, in the state-property domain
    four_categories: int
    market_entity: int
    open_found: int
    open_rectifying: int
    dismissed: int
    # Of the rectified problems, the share the group has signed off (the rest await its
    # sign-off); state-property problems are all signed off, in every group.
    signed_off_share: float
    clue_transfers: int
    filed_cases: int
    exposed_cases: int
    documents: int
    training_attendees: tuple[int, ...]


GROUPS = (
    GroupPlan(
        "engineering",
        "工程建设项目督导检查组",
        ("150100", "150200", "150600"),
        ("fgw", "zjt", "jtyst", "slt", "nyj"),
        projects=11236,
        sampled=4217,
        verified=506,
        problem_projects=1289,
        problems=1402,
        unit_level_problems=21,
        state_property_problems=31,
        four_categories=264,
        market_entity=1038,
        open_found=14,
        open_rectifying=37,
        dismissed=9,
        signed_off_share=0.86,
        clue_transfers=9,
        filed_cases=7,
        exposed_cases=15,
        documents=126,
        training_attendees=(186, 142, 97),
    ),
    # Seed: "1760个问题项目基本完成整改": all its problems rectified and signed off.
    GroupPlan(
        "procurement",
        "政府采购项目督导检查组",
        ("150400", "150500", "152200"),
        ("czt", "wjw", "jyt", "gat", "mzt"),
        projects=10482,
        sampled=3896,
        verified=447,
        problem_projects=1760,
        problems=1903,
        unit_level_problems=0,
        state_property_problems=38,
        four_categories=317,
        market_entity=1366,
        open_found=0,
        open_rectifying=0,
        dismissed=0,
        signed_off_share=1.0,
        clue_transfers=11,
        filed_cases=9,
        exposed_cases=30,
        documents=141,
        training_attendees=(215, 168),
    ),
    # Seed: 9651 self-inspected, 4058 sampled, 1105 problems (178 in the four
    # categories, 897 market-entity), 1104 rectified, 6 clues, 17 exposed, 12 filed, 160 documents.
    GroupPlan(
        "natural_resources",
        "自然资源交易项目督导检查组",
        ("150300", "150800", "152900"),
        ("zrzyt", "lcj", "nmt", "sthjt", "yjglt"),
        projects=9651,
        sampled=4058,
        verified=389,
        problem_projects=1012,
        problems=1096,
        unit_level_problems=9,
        state_property_problems=24,
        four_categories=178,
        market_entity=897,
        open_found=0,
        open_rectifying=1,
        dismissed=0,
        signed_off_share=0.86,
        clue_transfers=6,
        filed_cases=12,
        exposed_cases=17,
        documents=160,
        training_attendees=(132,),
    ),
    # Seed: "全面实现问题清零销号，共整改完成1165个问题项目" and "推动被督导盟市、厅局1165个
    # 问题…全部整改完毕": 1165 problem projects, one problem each (none at unit level), all
    # rectified and signed off; 22 exposed, 359 documents, 2 trainings 300+ attendees.
    GroupPlan(
        "state_property",
        "国有产权交易项目督导检查组",
        ("150700", "150900", "152500"),
        ("gzw", "gxt", "swt", "whlyt", "scjgj"),
        projects=8137,
        sampled=2941,
        verified=318,
        problem_projects=1165,
        problems=1165,
        unit_level_problems=0,
        state_property_problems=133,
        four_categories=149,
        market_entity=884,
        open_found=0,
        open_rectifying=0,
        dismissed=0,
        signed_off_share=1.0,
        clue_transfers=4,
        filed_cases=5,
        exposed_cases=22,
        documents=359,
        training_attendees=(168, 145),
    ),
)

# Seed: "全区国有产权交易领域226个问题全部整改完毕".
STATE_PROPERTY_DOMAIN_PROBLEMS = 226
assert sum(g.state_property_problems for g in GROUPS) == STATE_PROPERTY_DOMAIN_PROBLEMS
