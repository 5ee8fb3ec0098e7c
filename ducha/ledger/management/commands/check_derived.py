from django.core.management.base import BaseCommand, CommandError

from ducha.ledger.derived import differences


class Command(BaseCommand):
    help = (
        "Recompute the state the actions keep beside its rows (a problem's status and its steps' chain, a "
        "project's inspection flags and dates) and report any difference; non-zero exit when there is one."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--most", type=int, default=50, help="differences to print at most")

    def handle(self, *args, **options):
        found = 0
        for found, difference in enumerate(differences(), start=1):
            if found <= options["most"]:
                self.stdout.write(difference)
        if found:
            raise CommandError(f"{found} differences between the kept state and its rows")
        self.stdout.write("the kept state equals its rows: problems' statuses and steps, projects' inspections")
