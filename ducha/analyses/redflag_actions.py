"""The red-flag runs' state changes: a run started (its flags are written by
analyses/actions.do_record_findings, as a comparison's findings)."""

from django.utils import timezone

from ducha.analyses.models import RedFlagRun
from ducha.core.access import AccessDenied, Actor, RoleKind, role_kind, user_role
from ducha.core.actions import do_create_object
from ducha.org.models import Campaign


def may_run_redflags(user) -> bool:
    """The office and every group's members: the platform's data spans all domains."""
    return role_kind(user) in (RoleKind.OFFICE, RoleKind.GROUP_MEMBER)


def do_start_redflag_run(
    campaign: Campaign,
    *,
    actor: Actor,
    bids: tuple[str, str],
    settings_text: str = "",
    source: str = RedFlagRun.Source.PLATFORM,
) -> RedFlagRun:
    """A queued run of the stored data file ((name, sha256)) of its source (the platform's
    bids or OCDS) with the settings file's text,
    the actor's group's (the office's own: no group). The caller hands it to the worker."""
    if not may_run_redflags(actor):
        raise AccessDenied(f"{actor} may not run red flags")
    group = user_role(actor).group if role_kind(actor) == RoleKind.GROUP_MEMBER else None
    data = {
        "campaign": campaign,
        "group": group,
        "user": actor,
        "created_at": timezone.now(),
        "bids_name": bids[0][:255],
        "bids_sha256": bids[1],
        "settings_text": settings_text,
        "source": source,
    }
    return do_create_object(RedFlagRun, actor=actor, data=data)
