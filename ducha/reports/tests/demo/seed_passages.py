"""What the seed account's office and natural-resources group wrote in words (shared/seed),
kept as their report passages: the summary prints them around the figures it writes."""

from ducha.core.actions import do_create_object
from ducha.org.actions import system_actor
from ducha.org.models import Campaign, SupervisionGroup
from ducha.reports.models import Narrative

SEED_TITLE = "自治区公共资源交易领域突出问题专项整治行动督导检查工作成效明显"
SEED_OVERVIEW = (
    "自治区公共资源交易领域突出问题专项整治工作和六类市场主体治理开展以来，专项整治工作组深入贯彻落实自治区党委"
    "政府的工作部署，认真研究推进，扎实组织实施，特别是四个督导检查组推进了无死角、全覆盖的督导检查，有力推动了"
    "全区专项整治工作和六类市场主体治理走深走实。"
)
SEED_NR_OPENING = (
    "全面落实自治区党委政府关于全区公共资源交易领域突出问题专项整治行动和六类市场主体治理的部署要求，紧扣督导"
    "内容，统筹协调调度，督促并指导盟市、厅局落实专项整治各阶段任务，推动专项整治取得实际成效。"
)
SEED_NR_WORK = (
    ("加强组织领导，紧密部署督导工作", "按照文件要求，督导检查组高度重视、迅速响应、认真部署，组织召开工作对接会，"
     "梳理工作要点及存在的难点、疑点，起草形成《自然资源交易项目督导检查组工作方案》。"),
    ("加强部门联动，推动整治全覆盖", "将“农村土地整治、矿山生态修复项目”和“地质灾害防治项目”两个项目补充到"
     "自然资源交易领域整治范围，并同步开展督导。"),
)  # fmt: skip


def write_the_seed_passages(campaign: Campaign) -> None:
    office = system_actor()
    group = SupervisionGroup.objects.get(campaign=campaign, code="natural_resources")
    passages = [(None, "title", 1, "", SEED_TITLE), (None, "overview", 1, "", SEED_OVERVIEW)]
    passages += [(group, "introduction", 1, "", SEED_NR_OPENING)]
    passages += [(group, "work", n, lead, text) for n, (lead, text) in enumerate(SEED_NR_WORK, start=1)]
    for owner, section, order, heading, text in passages:
        data = {"campaign": campaign, "group": owner, "section": section, "order": order, "heading": heading}
        do_create_object(Narrative, actor=office, data=data | {"text": text})
