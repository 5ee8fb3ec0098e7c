"""The complaints ledger (举报材料): received, assigned to a group and unit with a
deadline, handled and closed by the unit, turned into a problem or a clue transfer in one
step (forms posted to ducha.web.supervision.complaints). A complaint is listed on the page
of the problem or clue transfer it became (`listed_on`: the ledger app does not know it)."""

from django.utils.translation import gettext_lazy

from ducha.core.registry import Ledger
from ducha.supervision.actions.letters import may_write
from ducha.supervision.choices import ComplaintStatus
from ducha.supervision.filtersets import complaints as f
from ducha.supervision.forms import complaints as forms
from ducha.supervision.models import Complaint
from ducha.supervision.models.complaints import complaint_overdue_q
from ducha.supervision.tables import complaints as t


def complaint_context(request, complaint: Complaint, *, bound: dict | None = None, error: str = "") -> dict:
    """The forms the user may use on the complaint now: assigning (the group, the
    office) and progress and closing (the unit too) while open; the one step to a problem or a clue transfer (the
    group or the office) once assigned to a unit and not yet converted. `bound`: a posted
    form with its errors ("assign", "progress", "close", "problem", "clue")."""
    bound, user = dict(bound or {}), request.user
    open_ = complaint.status != ComplaintStatus.CLOSED
    handles = open_ and may_write(complaint, user, set(Complaint.UNIT_FIELDS))
    converted = bool(complaint.problem_id or complaint.clue_transfer_id)
    converts = complaint.unit_id is not None and not converted and may_write(complaint, user, {"problem"})
    assigns = open_ and not converted and may_write(complaint, user, {"group", "unit", "county", "deadline"})
    shown = {
        "assign": forms.AssignForm(instance=complaint, user=user) if assigns else None,
        "progress": forms.ProgressForm(complaint=complaint) if handles else None,
        "close": forms.CloseForm() if handles else None,
        "problem": forms.ToProblemForm(complaint=complaint) if converts else None,
        "clue": forms.ToClueForm(complaint=complaint) if converts else None,
    }
    # A form that came back with errors stands where the empty one would.
    shown = {name: None if form is None else bound.pop(name, form) for name, form in shown.items()}
    overdue = Complaint.objects.filter(complaint_overdue_q(complaint.campaign.as_of()), pk=complaint.pk).exists()
    return {
        **{f"{name}_form": form for name, form in shown.items()},
        "overdue": overdue,
        "error": " ".join([error, *(m for form in bound.values() for m in form.non_field_errors())]).strip(),
    }


LEDGERS: list[Ledger] = [
    Ledger(
        "complaints",
        Complaint,
        gettext_lazy("Complaints"),
        t.COMPLAINT_COLUMNS,
        f.ComplaintFilterSet,
        forms.ComplaintForm,
        search_fields=("number", "summary", "progress", "outcome"),
        select_related=("group", "unit", "problem"),
        ordering=("-received_on", "-pk"),
        detail_fields=(
            "number",
            "source",
            "received_on",
            "summary",
            "group",
            "unit",
            "county",
            "deadline",
            "status",
            "progress",
            "outcome",
            "closed_on",
            "problem",
            "clue_transfer",
        ),  # fmt: skip
        detail_template="web/supervision/complaints/complaint_detail.html",
        extra_context=complaint_context,
        listed_on=("problems", "clue-transfers"),
    ),
]
