"""What the commands share: the campaign they work on."""

from django.core.management.base import CommandError

from ducha.org.models import Campaign, active_campaign


def chosen_campaign(options: dict) -> Campaign:
    """`--campaign CODE`, else the active campaign; a clear error when there is none."""
    campaign = (
        Campaign.objects.filter(code=options["campaign"]).first() if options.get("campaign") else active_campaign()
    )
    if campaign is None:
        raise CommandError("没有找到专项整治行动（campaign）。先运行 `ducha demo --no-serve` 或导入数据。")
    return campaign
