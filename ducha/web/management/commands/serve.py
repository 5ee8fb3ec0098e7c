import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from ducha.web.serve import ServeOptions, serve


class Command(BaseCommand):
    help = (
        "Serve Ducha in production: gunicorn (static files through whitenoise) and the background "
        "jobs' worker. Run `ducha migrate` first: serve does not migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS, help="DUCHA_WORKERS")
        parser.add_argument("--threads", type=int, default=settings.SERVE_THREADS, help="DUCHA_THREADS")
        parser.add_argument("--no-worker", action="store_true", help="no background jobs' worker (run one elsewhere)")
        parser.add_argument("--no-collectstatic", action="store_true", help="STATIC_ROOT is kept up to date elsewhere")

    def handle(self, *args, **options):
        code = serve(
            ServeOptions(
                bind=options["bind"],
                workers=options["workers"],
                threads=options["threads"],
                worker=not options["no_worker"],
                collectstatic=not options["no_collectstatic"],
            )
        )
        sys.exit(code)
