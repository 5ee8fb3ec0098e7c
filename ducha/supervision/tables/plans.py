"""The columns of the work plans' list."""

from django.utils.translation import gettext_lazy as _

from ducha.core.registry import Column

WORK_PLAN_COLUMNS = (
    Column(_("title"), lambda o: o.title, "title", link=True),
    Column(_("supervision group"), lambda o: o.group.name, "group__code", nowrap=True),
    Column(_("stage"), lambda o: str(o.stage) if o.stage else ""),
    Column(_("issued on"), lambda o: o.issued_on, "issued_on"),
)
