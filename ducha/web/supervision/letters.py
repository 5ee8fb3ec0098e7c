"""The letters pages beyond the generic ledger pages."""

urlpatterns: list = []
