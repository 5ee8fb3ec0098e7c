"""Sampling weighted "flagged lots first": the population's flags are the stored red flags
naming each project (of runs finished by the draw), so a draw weighted by flags takes the
flagged project first, and the draw's check still holds after later runs add flags."""

import hashlib
import math
from decimal import Decimal

from ducha.analyses.actions import do_record_findings
from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analyses.redflag_actions import do_start_redflag_run
from ducha.analytics.sampling import Weighting
from ducha.ledger import flag_weights
from ducha.ledger.models import Inspection, Project
from ducha.ledger.sampling import do_draw_sample, sample_holds


def flag(small, project, times: int) -> RedFlagRun:
    user = small.users["office"]
    run = do_start_redflag_run(small.campaign, actor=user, bids=("平台.csv", "0" * 64))
    flags = [
        RedFlag(run=run, indicator="CN-SAME-DEVICE", scope_kind="lot", subject=f"{project.number}/{k}", value=2,
                explanation="标段同机制作", unit=project.unit, project=project)
        for k in range(times)
    ]  # fmt: skip
    return do_record_findings(run, flags, actor=user, summary={"flags": {"CN-SAME-DEVICE": times}})


def a_seed_where_only_flags_put_first(project: Project, flags: int) -> str:
    """A seed under which `project`, with its flags, has the highest key of its stratum
    (Efraimidis–Spirakis: ln(u) / (1 + flags), u from the seed and the id, as
    analytics/sampling.py makes it) and without them does not. Which project a seed draws
    depends on the ids, which differ from run to run (PostgreSQL's sequences are not
    rolled back): a fixed seed drew another project about one run in six."""
    stratum = list(Project.objects.filter(unit=project.unit, domain=project.domain,
                                          project_type=project.project_type).values_list("pk", flat=True))  # fmt: skip

    def first(seed: str, weight: int) -> int:
        def key(pk: int) -> float:
            u = (int(hashlib.md5(f"{seed}:{pk}".encode()).hexdigest()[:13], 16) + 0.5) / 2**52
            return math.log(u) / (1 + weight if pk == project.pk else 1)

        return max(stratum, key=key)

    return next(s for s in (f"红旗-{n}" for n in range(1000)) if first(s, flags) == project.pk != first(s, 0))


def test_a_draw_weighted_by_flags_takes_the_flagged_project_first(small):
    for k in range(8):
        small.add_project(f"h{k}", "150100")
    flagged = small.projects["h5"]
    seed = a_seed_where_only_flags_put_first(flagged, 40)
    finished = flag(small, flagged, 40).finished_at
    assert finished is not None
    ids = sorted(p.pk for p in small.projects.values())
    counted = dict(zip(ids, flag_weights.flags(ids, finished), strict=True))
    assert counted[flagged.pk] == 40 and sum(counted.values()) == 40  # from the stored flags
    draw = do_draw_sample(small.campaign, actor=small.users["office"], proportion=Decimal("0.1"), minimum=1,
                          seed=seed, weighting=Weighting.FLAGS, unit=small.units["150100"])  # fmt: skip
    assert list(Inspection.objects.filter(draw=draw).values_list("project_id", flat=True)) == [flagged.pk]
    # Flags raised after the draw are not the draw's: its check still holds.
    flag(small, small.projects["h2"], 500)
    assert sample_holds(draw)


def test_without_flags_the_same_draw_takes_another(small):
    for k in range(8):
        small.add_project(f"h{k}", "150100")
    seed = a_seed_where_only_flags_put_first(small.projects["h5"], 40)
    draw = do_draw_sample(small.campaign, actor=small.users["office"], proportion=Decimal("0.1"), minimum=1,
                          seed=seed, weighting=Weighting.FLAGS, unit=small.units["150100"])  # fmt: skip
    chosen = list(Inspection.objects.filter(draw=draw).values_list("project_id", flat=True))
    assert chosen != [small.projects["h5"].pk] and sample_holds(draw)
