from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect

from ducha.org.actions import do_change_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page and form; the change itself goes through the action (change log)."""

    template_name = "web/password_change.html"

    def form_valid(self, form):
        user = form.user  # the signed-in user whose password the form checked
        do_change_password(user, actor=user, raw_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        return redirect(self.get_success_url())
