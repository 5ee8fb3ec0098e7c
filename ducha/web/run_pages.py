"""What the analysis runs' pages share (三方比对, 红旗预警): a run in the user's view or 404,
its outputs' download, and turning the chosen leads into problems with what was made and
what was refused said on the run's page."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import ngettext


def visible_run(runs, pk: int):
    try:
        return runs.get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def download(run, name: str, names: set[str], label: str) -> FileResponse:
    """One of the run's outputs (of `names`) once it is done; else 404."""
    file = run.folder / name
    if name not in names or run.status != "done" or not file.is_file():
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=f"{label}-{run.pk}-{name}")


def turn_chosen(request, back: str, chosen: list, form, none_chosen: str, turn: Callable, named: Callable[[Any], str]):
    """`turn(chosen, form.cleaned_data)` → Turned; its counts and refusals as messages, back to the run."""
    if not chosen:
        messages.error(request, none_chosen)
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        turned = turn(chosen, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(back)
    created = len(turned.created)
    messages.success(request, ngettext("%(n)d problem created.", "%(n)d problems created.", created) % {"n": created})
    for lead, reason in turned.refused:
        messages.warning(request, f"{named(lead)}: {reason}")
    return redirect(back)
