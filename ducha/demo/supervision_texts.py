"""The words of the demo's supervision records (weekly reports, contacts, letters,
complaints), and the time of day things happen."""

import datetime as dt
from random import Random
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

WEEKLY_NARRATIVES = [
    "本周继续推进项目自查和问题整改，已按要求更新项目台账和问题台账，整改进度总体符合计划。",
    "本周召开专项整治推进会，督促相关部门加快问题整改，对逾期未整改问题逐项明确责任人和时限。",
    "本周对已整改问题开展复核，补充完善整改佐证材料，提请督导检查组审核销号。",
    "本周组织开展抽查核查，对发现的问题及时录入台账并制定整改措施。",
    "本周梳理共性问题，研究制定规范交易活动的制度措施，推动建立长效机制。",
    "本周配合督导检查组电话督导，汇报专项整治进展，落实督导组提出的工作建议。",
]
PHONE_TOPICS = [
    "了解本周专项整治工作进展，督促加快问题整改",
    "跟进项目自查和抽查核查进度，指导台账填报",
    "督促逾期问题整改，提醒按时报送周调度材料",
    "交流好经验好做法，推动解决发现问题数量较少的问题",
    "了解移交问题线索办理情况，督促按期反馈",
]
PHONE_FOLLOW_UPS = ["下周继续跟进", "已督促整改，限期反馈", "", "要求补充完善佐证材料", ""]
VISIT_TEXT = "通过{methods}等方式开展实地督导，现场反馈问题、提出意见建议并指导工作。"
METHOD_WORDS = {
    "briefing": "听取汇报",
    "discussion": "座谈交流",
    "records": "查阅资料",
    "questioning": "现场质询",
    "spot_check": "随机抽查",
}
LETTER_POINTS = {
    "reminder": "一、部分项目自查不深不细，发现问题数量较少；二、问题整改进度偏慢，存在逾期未整改问题；"
    "三、周调度材料报送不及时。请对照上述问题认真整改，并按期书面反馈整改情况。",
    "notice": "请对照专项整治工作要求，逐项核实提示事项，确保应查尽查、应改尽改，并按期书面反馈落实情况。",
    "bulletin": "通报本阶段各盟市、厅局专项整治工作进展、发现问题和整改情况，以及工作进展不均衡等问题。",
    "urging": "“应进未进”“应评未评”问题整改进度滞后，请逐项明确整改责任和时限，按期报送整改结果。",
}
RESPONSES = [
    "收到提醒后，已召开专题会议研究部署，对照所提问题逐项制定整改措施，现将整改情况报告如下：已完成自查项目复核，逾期问题均已明确整改时限。",
    "已按要求组织开展再自查，补充发现问题并录入台账，同步加快整改进度。",
    "已对提示事项逐项落实，相关项目已纳入整治范围并完成自查。",
]
COMPLAINTS = [
    "反映某旗县国有建设用地使用权挂牌出让中存在限制竞买人资格的问题",
    "反映某矿业权出让项目评审专家与竞买人存在利害关系的问题",
    "反映某农村土地整治项目招标中存在围标串标的问题",
    "反映某林草项目交易中代理机构违规收费的问题",
]


def at(day: dt.date, rng: Random, first_hour: int = 9, last_hour: int = 17) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(first_hour, last_hour), rng.randint(0, 59)), TZ)
