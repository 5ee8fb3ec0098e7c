"""How a detail page answers its own forms (the problem page's workflow steps and
deadline extensions, the project page's inspections).

Done: a plain post is redirected to the page (post/redirect/get); an htmx post gets
the whole page back, and its forms (hx-target="main" hx-select="main") put the new
main region in place of the old, so everything on it is current: status, fields,
lists, history. Refused for a reason the user can put right: the page comes back
with the posted form, its errors at its fields (200, so that htmx swaps it too)."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ducha.core.registry import ledger
from ducha.web import generic

PageContext = Callable[..., dict]  # (request, obj, *, bound=…, error=…) → the page's own context


def render_page(request, key: str, obj, page_context: PageContext, **options):
    """The detail page of `obj` as it stands now, with `options` (posted forms, an
    error) for its own context."""
    the_ledger = ledger(key)
    current = generic.get_visible(the_ledger, request, obj.pk)
    context = {**generic.detail_context(request, the_ledger, current), **page_context(request, current, **options)}
    return render(request, the_ledger.detail_template, context)


def done(request, key: str, obj, page_context: PageContext):
    messages.success(request, _("Done."))
    if request.headers.get("HX-Request"):
        return render_page(request, key, obj, page_context)
    return redirect(reverse(f"{key}-detail", args=[obj.pk]))


def back_to_page(key: str, obj):
    """A GET on a post-only endpoint changes nothing: back to the page."""
    return redirect(reverse(f"{key}-detail", args=[obj.pk]))


def forbidden(request):
    return render(request, "web/403.html", status=403)
