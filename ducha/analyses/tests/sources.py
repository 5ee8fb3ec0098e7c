"""The three sources of a small synthetic case (ducha.analytics.synthetic, known truth)
written as the files a group uploads, and the state-property group of the small campaign
(国有产权交易项目督导检查组: 乌兰察布市 and 鄂尔多斯市) with its member `group_s`."""

import csv
import datetime as dt
import io
from functools import cache

from openpyxl import Workbook

from ducha.analytics.reconcile import EXCHANGE_HEADERS, REGISTRY_HEADERS, SELF_REPORT_HEADERS
from ducha.analytics.synthetic import Spec, Synthetic, generate
from ducha.core.access import RoleKind
from ducha.core.actions import do_bulk_create_objects, do_create_object
from ducha.org.models import Assignment, Domain, Role, SupervisionGroup, Unit
from ducha.testing import PASSWORD, SmallCampaign

HEADERS = {"exchange": EXCHANGE_HEADERS, "registry": REGISTRY_HEADERS, "self_reports": SELF_REPORT_HEADERS}
NAMES = {"exchange": "交易所成交记录.xlsx", "registry": "股东变更登记.csv", "self_reports": "企业自报.csv"}
GROUP_UNITS = ("150900", "150600")  # 乌兰察布市, 鄂尔多斯市


@cache
def synthetic() -> Synthetic:
    return generate(Spec(deals=30, planted=2, exempt=3, private_changes=3, seed=1))


def _cell(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def rows(kind: str) -> list[list]:
    table = getattr(synthetic(), kind)
    return [[_cell(r[key]) for key in HEADERS[kind].values()] for r in table.to_pylist()]


def as_xlsx(kind: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADERS[kind]))
    for row in rows(kind):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(kind: str) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([list(HEADERS[kind]), *rows(kind)])
    return text.getvalue().encode("utf-8-sig")


def files() -> dict[str, tuple[str, bytes]]:
    """{kind: (name, content)}: the exchange's as .xlsx, the others as CSV."""
    return {kind: (name, as_xlsx(kind) if name.endswith(".xlsx") else as_csv(kind)) for kind, name in NAMES.items()}


def add_state_property_group(sc: SmallCampaign, user_model) -> SupervisionGroup:
    group = do_create_object(
        SupervisionGroup,
        actor=sc.system,
        data={
            "campaign": sc.campaign,
            "code": "S",
            "name": "国有产权交易项目督导检查组",
            "lead_domain": Domain.objects.get(code="state_property"),
        },
    )
    units = Unit.objects.filter(code__in=GROUP_UNITS)
    do_bulk_create_objects([Assignment(campaign=sc.campaign, group=group, unit=u) for u in units], actor=sc.system)
    user = user_model.objects.create_user(username="group_s", password=PASSWORD)
    do_create_object(Role, actor=sc.system, data={"user": user, "kind": RoleKind.GROUP_MEMBER, "group": group})
    sc.users["group_s"] = user
    return group
