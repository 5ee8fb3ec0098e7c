from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ducha.reports"
    label = "reports"

    def ready(self) -> None:
        # The weekly reports' figures come from here; the supervision app sits below.
        from ducha.reports.weekly_figures import report_figures
        from ducha.supervision.actions.weekly import provide_figures

        provide_figures(report_figures)

        from ducha.reports.ledgers import register_ledgers

        register_ledgers()
