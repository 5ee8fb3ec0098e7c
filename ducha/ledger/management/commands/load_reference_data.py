from django.core.management.base import BaseCommand

from ducha.ledger.reference import do_load_reference_data
from ducha.org.actions import system_actor


class Command(BaseCommand):
    help = "Load domains, project types, units (GB/T 2260 and departments) and the default catalogue."

    def handle(self, *args, **options):
        counts = do_load_reference_data(actor=system_actor())
        self.stdout.write("added: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
