from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ducha.org.models import Campaign
from ducha.reports.statistics import campaign_statistics


@login_required
def home(request):
    campaign = Campaign.objects.filter(is_active=True).first()
    figures = campaign_statistics(campaign, user=request.user) if campaign else None
    return render(request, "web/home.html", {"campaign": campaign, "figures": figures})
