"""The weekly pages beyond the generic ledger pages."""

urlpatterns: list = []
