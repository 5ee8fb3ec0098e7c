"""URLs of the ledger pages: four per ledger (list, add, detail, edit), the workflow
step and the evidence download."""

from django.urls import path

from ducha.ledger.views import LEDGERS, evidence_download, transition_view
from ducha.web import generic


def _urls(ledger: generic.Ledger) -> list:
    k = ledger.key
    return [
        path(f"{k}/", lambda r, ledger=ledger: generic.list_view(r, ledger), name=f"{k}-list"),
        path(f"{k}/add/", lambda r, ledger=ledger: generic.edit_view(r, ledger), name=f"{k}-add"),
        path(f"{k}/<int:pk>/", lambda r, pk, ledger=ledger: generic.detail_view(r, ledger, pk), name=f"{k}-detail"),
        path(f"{k}/<int:pk>/edit/", lambda r, pk, ledger=ledger: generic.edit_view(r, ledger, pk), name=f"{k}-edit"),
    ]


urlpatterns = [
    *(u for ledger in LEDGERS for u in _urls(ledger)),
    path("problems/<int:pk>/to/<str:target>/", transition_view, name="problems-transition"),
    path("evidence/<int:pk>/", evidence_download, name="evidence-download"),
]
