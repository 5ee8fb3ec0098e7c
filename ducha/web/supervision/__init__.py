"""The supervision app's own pages (weekly reports, contacts and rounds, letters,
complaints), one module per area; the generic ledger pages come from the registry."""

from ducha.web.supervision import complaints, letters, rounds, weekly

urlpatterns = [*weekly.urlpatterns, *rounds.urlpatterns, *letters.urlpatterns, *complaints.urlpatterns]
