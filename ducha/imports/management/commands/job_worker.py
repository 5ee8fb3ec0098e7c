"""`ducha job_worker`: the background jobs' worker (django-tasks' `db_worker`, same
options) that waits out a database outage instead of ending.

django-tasks' worker ends with an OperationalError when the database goes away (PostgreSQL
restarted, the network cut): under `ducha serve` that stopped the whole service. This one
logs it, waits (1 s, doubling up to 30 s) and goes on once the database answers again.
A job it was running when the database went away was rolled back with its transaction;
it is failed, saying so, as soon as the database is back (imports/actions.fail_abandoned_jobs)."""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from ducha.imports.actions import fail_abandoned_jobs
from ducha.imports.workers import this_worker

logger = logging.getLogger("ducha.worker")
LONGEST_WAIT_S = 30.0


class Command(DbWorkerCommand):
    help = "Run the background jobs (as db_worker), waiting out a database outage instead of ending."

    def handle(self, *args, **options) -> None:
        wait = 1.0
        while True:
            try:
                if wait > 1.0:  # back after an outage: its interrupted job, if any, is failed
                    fail_abandoned_jobs(also=this_worker())
                    logger.warning("the database answers again: the worker goes on")
                super().handle(*args, **options)
                return
            except (OperationalError, InterfaceError) as error:
                connections.close_all()
                logger.warning("the database is not answering (%s): the worker tries again in %.0f s", error, wait)
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT_S)
