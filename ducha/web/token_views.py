"""The signed-in user's API tokens (for `Authorization: Bearer`): listed with their state,
made (the token itself is shown once, on the page that answers the post, and never
again: only its hash is kept) and revoked. A user sees and revokes only their own;
everything goes through ducha/org/tokens.py."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ducha.org.models import ApiToken
from ducha.org.tokens import DEFAULT_DAYS, do_create_token, do_revoke_token

MAX_DAYS = 365  # a token expires within a year: a forgotten one stops working by itself


class TokenForm(forms.Form):
    name = forms.CharField(
        label=capfirst(gettext_lazy("name")), max_length=100, required=False, help_text=gettext_lazy("what it is for")
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )


def _page(request, form: TokenForm, made: tuple[ApiToken, str] | None = None, status: int = 200):
    context = {"tokens": ApiToken.objects.filter(user=request.user), "form": form, "made": made}
    return render(request, "web/api_tokens.html", context, status=status)


def tokens_view(request):
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    name, days = form.cleaned_data["name"], form.cleaned_data["days"]
    made = do_create_token(request.user, actor=request.user, name=name, days=days)
    # Answered here, not redirected: the token is in this response only (no-store).
    return _page(request, TokenForm(), made=made)


@require_POST
def revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # another user's token is not there
    do_revoke_token(token, actor=request.user)
    messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("api-tokens")
