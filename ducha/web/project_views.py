"""The project page's own endpoint: recording an inspection (自查, 抽查, 核查). It answers
as ducha.web.detail_posts says."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ducha.core.access import AccessDenied, Action, allows, role_kind
from ducha.core.registry import ledger
from ducha.ledger import forms
from ducha.ledger.actions import INSPECTION_ROLES, do_record_inspection, inspection_kinds_allowed
from ducha.ledger.choices import InspectionKind
from ducha.ledger.ledgers import project_context
from ducha.ledger.models import Inspection
from ducha.web import generic
from ducha.web.detail_posts import back_to_page, done, forbidden, render_page

KEY = "projects"


def inspection_view(request, pk: int):
    project = generic.get_visible(ledger(KEY), request, pk)
    if request.method != "POST":
        return back_to_page(KEY, project)
    kind = request.POST.get("kind", "")
    if not allows(request.user, project, Action.CHANGE) or (
        kind in InspectionKind.values and role_kind(request.user) not in INSPECTION_ROLES[InspectionKind(kind)]
    ):
        return forbidden(request)
    kinds = inspection_kinds_allowed(project, request.user)
    if kind in InspectionKind.values and kind not in kinds:  # the role may record it: it is recorded already
        error = _("This inspection has been recorded already.")
        return render_page(request, KEY, project, project_context, error=error)
    form = forms.InspectionForm(request.POST, kinds=kinds, instance=Inspection(project=project))
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("inspected_on", "result", "inspector", "findings")}
        try:
            do_record_inspection(project, form.cleaned_data["kind"], actor=request.user, **data)
            return done(request, KEY, project, project_context)
        except ValidationError as error:
            forms.add_errors(form, error)
        except AccessDenied:
            return forbidden(request)
    return render_page(request, KEY, project, project_context, bound={"inspection": form})
