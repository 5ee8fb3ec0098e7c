"""The seed account's figures, as the demo must reproduce them (shared/seed)."""

from ducha.demo.plan import GROUPS


def assert_seed_figures(stats: dict) -> None:
    groups = {g["group"]: g for g in stats["by_group"]}
    domains = {d["domain"]: d for d in stats["by_domain"]}
    assert set(groups) == {"engineering", "procurement", "natural_resources", "state_property"}
    for g in groups.values():
        assert (g["units"], g["leagues"], g["departments"]) == (8, 3, 5)
    assert sum(g["leagues"] for g in groups.values()) == 12
    # Every project is self-inspected; sampled and verified as planned (all through inspections).
    for plan in GROUPS:
        g = groups[plan.domain]
        assert g["projects"] == g["projects_self_inspected"] == plan.projects, plan.domain
        assert (g["projects_sampled"], g["projects_verified"]) == (plan.sampled, plan.verified), plan.domain

    nr = groups["natural_resources"]
    assert nr["projects_self_inspected"] == 9651
    assert nr["projects_sampled"] == 4058
    assert nr["problems"] == 1105
    assert nr["problems_four_categories"] == 178
    assert nr["problems_market_entity"] == 897
    assert nr["problems_rectified"] == 1104
    assert nr["clue_transfers"] == 6
    assert nr["exposed_cases"] == 17
    assert nr["filed_cases"] == 12
    assert nr["documents"] == 160

    # "全面实现问题清零销号，共整改完成1165个问题项目": 1165 problem projects, one problem
    # each, every one rectified and signed off. Cleared = all its problems signed off or
    # dismissed; the signed-off count says the same whatever `cleared` counts.
    sp = groups["state_property"]
    assert sp["problems"] == sp["problems_rectified"] == sp["problems_signed_off"] == 1165
    assert sp["projects_with_problems"] == sp["projects_with_problems_cleared"] == 1165
    assert sp["problems_awaiting_sign_off"] == sp["problems_open"] == sp["problems_dismissed"] == 0
    assert sp["exposed_cases"] == 22
    assert sp["documents"] == 359
    assert sp["trainings"] == 2 and sp["training_attendees"] > 300

    sp_domain = domains["state_property"]
    assert sp_domain["problems"] == sp_domain["problems_rectified"] == sp_domain["problems_signed_off"] == 226

    # "1760个问题项目基本完成整改": every problem signed off.
    proc = groups["procurement"]
    assert proc["projects_with_problems"] == proc["projects_with_problems_cleared"] == 1760
    assert proc["problems_signed_off"] == proc["problems"]
    assert proc["exposed_cases"] == 30

    # The slices are consistent with each other and with the total.
    total = stats["total"]
    for figure in ("projects", "problems", "problems_rectified", "problems_signed_off", "documents", "exposed_cases"):
        assert sum(g[figure] for g in groups.values()) == total[figure]
        assert sum(u[figure] for u in stats["by_unit"]) == total[figure]
    assert sum(d["projects"] for d in domains.values()) == total["projects"]
    assert sum(total["problems_by_status"].values()) == total["problems"]
