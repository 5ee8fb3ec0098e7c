from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from ducha.web import views
from ducha.web.account import PasswordChangeView
from ducha.web.health import health

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    # The sign-in page offers the language switch too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("health", health, name="health"),
    path("api/v1/", include(("ducha.api.urls", "api-v1"), namespace="api-v1")),
    path("", include("ducha.web.urls")),
]
