import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ducha.demo.generate import DEMO_PASSWORD, build_demo
from ducha.web.serve import static_files_current


class Command(BaseCommand):
    help = "Migrate, load reference data and the demo campaign, print the accounts, serve (with the job worker)."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="stop after loading")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        accounts = build_demo()
        if accounts is None:
            self.stdout.write("演示数据已存在（demo campaign already loaded）。")
        else:
            units = [u for u in accounts.usernames if u.startswith("unit-")]
            others = [u for u in accounts.usernames if not u.startswith("unit-")]
            self.stdout.write(f"演示账号 / demo accounts (password: {DEMO_PASSWORD}):")
            for name in others:
                self.stdout.write(f"  {name}")
            self.stdout.write(f"  unit-<code> for {len(units)} units, e.g. {', '.join(units[:3])}")
        if not options["no_serve"]:
            if not static_files_current():  # collecting (with compressed copies) takes a while
                call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"Ducha: http://{options['addrport']}/")
            # The background jobs' worker (imports) beside the server, stopped with it.
            worker = subprocess.Popen([sys.executable, "-m", "ducha", "job_worker"])
            # Stopped by a signal (not only Ctrl-C), the server still stops the worker.
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
            try:
                call_command("runserver", options["addrport"], use_reloader=False, insecure_serving=True)
            finally:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
