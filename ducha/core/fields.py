"""Model fields Ducha adds to Django's."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.JSONField):
    """Several choices at once (a site round's methods: 听取汇报、座谈交流 …), kept as a JSON
    list of their values; each must be one of `item_choices`. Lists, detail pages and the
    change history show the labels (`labels`)."""

    def __init__(self, *args: Any, item_choices: Iterable[tuple[str, Any]] = (), **kwargs: Any):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        return name, path, args, kwargs

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        known = {v for v, _label in self.item_choices}
        if not isinstance(value, list) or any(item not in known for item in value):
            raise ValidationError(_("Unknown choice: %(value)s."), params={"value": value}, code="invalid_choice")

    def labels(self, value: Any) -> str:
        """The chosen labels, as officials list them: 听取汇报、座谈交流."""
        names = dict(self.item_choices)
        return "、".join(str(names.get(item, item)) for item in value or [])
