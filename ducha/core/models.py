"""The change log: append-only, hash-chained record of every state change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to edit or delete a change-log row."""


class ChangeLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the change log is append-only")

    def delete(self):
        raise AppendOnlyError("the change log is append-only")

    def bulk_create(self, objs, *args, **kwargs):
        # ON CONFLICT ... DO UPDATE would rewrite an existing row.
        if kwargs.get("update_conflicts") or (len(args) > 2 and args[2]):
            raise AppendOnlyError("the change log is append-only")
        return super().bulk_create(objs, *args, **kwargs)


class ChangeLogEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        TRANSITION = "transition", _("status changed")

    seq = models.BigIntegerField(unique=True)
    time = models.DateTimeField(db_index=True)
    batch = models.CharField(max_length=36, db_index=True)
    # No FK constraint: a deleted user must not alter (and so break) the chain.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *, force_insert=False, force_update=False, using=None, update_fields=None):
        if not self._state.adding or force_update or update_fields is not None:
            raise AppendOnlyError("the change log is append-only")
        # Always INSERT: a new instance carrying an existing pk would otherwise UPDATE that row.
        super().save(force_insert=True, using=using)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the change log is append-only")


class ChangeLogHead(models.Model):
    """One row: the last sequence number and hash. Locked to serialise writers,
    and compared on verify so that removing the newest rows is noticed too."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"change log head #{self.last_seq}"
