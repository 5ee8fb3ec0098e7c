"""beside: a read on a second connection outside a transaction, here inside one."""

import threading

from django.db import connection, transaction

from ducha.core.beside import beside
from ducha.org.models import Unit

RENAMED = "未提交的名称"


def _where_and_what() -> tuple[int, int, int, int]:
    return threading.get_ident(), id(connection), Unit.objects.count(), Unit.objects.filter(name=RENAMED).count()


def test_outside_a_transaction_the_read_runs_on_its_own_thread_and_connection(small_committed):
    here = _where_and_what()
    with beside(_where_and_what) as read:
        units = Unit.objects.count()
    thread, conn, counted, _ = read()
    assert (thread, conn) != here[:2]
    assert counted == units == here[2] > 0


def test_inside_a_transaction_it_runs_here_and_sees_the_transactions_writes(small_committed):
    with transaction.atomic():
        Unit.objects.filter(code="150100").update(name=RENAMED)  # (not committed)
        here = _where_and_what()
        with beside(_where_and_what) as read:
            pass
        assert read() == here and here[3] == 1
        transaction.set_rollback(True)
