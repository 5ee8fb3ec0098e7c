"""The complaints pages beyond the generic ledger pages."""

urlpatterns: list = []
