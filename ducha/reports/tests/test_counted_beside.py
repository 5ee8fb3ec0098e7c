"""The projects are counted on a second connection outside a transaction (core/beside.py):
the same figures as counted on one connection."""

from django.db import transaction

from ducha.org.models import Campaign
from ducha.reports.statistics import collect_cells


def test_the_figures_counted_beside_are_those_counted_in_one_connection(small_committed):
    campaign = Campaign.objects.get(code="test")
    day = campaign.as_of(campaign.closes_on)
    beside_cells = collect_cells(campaign, None, day)
    with transaction.atomic():
        one_connection = collect_cells(campaign, None, day)
    assert beside_cells == one_connection
    assert sum(c["projects"] for c in beside_cells.values()) == len(small_committed.projects) > 0
