from django.core.management.base import BaseCommand, CommandError

from ducha.core.changelog import verify_chain


class Command(BaseCommand):
    help = "Check the change log: `ducha audit verify` exits non-zero at the first bad row."

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["verify"])

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"change log is NOT intact: {result.problem} ({result.checked} rows good before it)")
        self.stdout.write(f"change log intact: {result.checked} rows verified")
