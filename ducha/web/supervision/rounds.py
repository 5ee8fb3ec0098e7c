"""The rounds pages beyond the generic ledger pages."""

urlpatterns: list = []
