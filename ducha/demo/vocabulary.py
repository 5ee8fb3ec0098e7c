"""Words the demo generator builds plausible names and amounts from."""

from decimal import Decimal
from random import Random

# (project type name, low, high) amount ranges in yuan, per domain; drawn log-uniformly.
AMOUNTS = {
    "engineering": {
        "施工": (5e5, 2e8),
        "货物": (1e5, 2e7),
        "服务": (5e4, 8e6),
        "勘察": (5e4, 3e6),
        "设计": (1e5, 5e6),
        "监理": (5e4, 4e6),
    },
    "procurement": {"货物": (3e4, 1.5e7), "服务": (3e4, 8e6), "工程": (1e5, 3e7)},
    "natural_resources": {
        "土地使用权出让": (1e6, 5e8),
        "矿业权出让": (5e6, 1e9),
        "农村土地整治项目": (5e5, 5e7),
        "矿山生态修复项目": (5e5, 8e7),
        "地质灾害防治项目": (3e5, 3e7),
    },
    "state_property": {"产权转让": (1e6, 3e8), "企业增资": (5e6, 5e8), "资产转让": (1e5, 5e7)},
}

SUBJECTS = {
    "engineering": {
        "施工": [
            "道路改造工程",
            "供热管网改造工程",
            "老旧小区改造工程",
            "水利枢纽工程",
            "学校教学楼建设工程",
            "污水处理厂提标改造工程",
            "高标准农田建设工程",
            "医院门诊楼建设工程",
        ],
        "货物": ["变压器采购", "管材采购", "电梯设备采购"],
        "服务": ["全过程造价咨询服务", "项目管理服务"],
        "勘察": ["岩土工程勘察"],
        "设计": ["施工图设计"],
        "监理": ["施工监理"],
    },
    "procurement": {
        "货物": [
            "办公设备采购项目",
            "医疗设备采购项目",
            "教学设备采购项目",
            "警用装备采购项目",
            "信息化设备采购项目",
            "车辆采购项目",
        ],
        "服务": [
            "物业管理服务采购项目",
            "信息系统运维服务项目",
            "审计服务采购项目",
            "食堂承包服务项目",
        ],
        "工程": ["办公楼维修改造项目", "校舍维修工程"],
    },
    "natural_resources": {
        "土地使用权出让": ["国有建设用地使用权挂牌出让", "商住用地使用权拍卖出让"],
        "矿业权出让": ["煤炭采矿权挂牌出让", "萤石矿探矿权拍卖出让", "砂石矿采矿权挂牌出让"],
        "农村土地整治项目": ["农村土地综合整治项目"],
        "矿山生态修复项目": ["历史遗留矿山生态修复项目"],
        "地质灾害防治项目": ["地质灾害隐患点综合治理项目"],
    },
    "state_property": {
        "产权转让": ["有限公司股权转让", "投资公司部分股权转让"],
        "企业增资": ["有限责任公司增资扩股"],
        "资产转让": ["闲置房产转让", "车辆及设备资产转让"],
    },
}

TENDERER_OFFICES = ["住房和城乡建设局", "交通运输局", "教育局", "卫生健康委员会", "自然资源局", "国有资产投资公司"]
FIRM_WORDS = [
    "北疆",
    "草原",
    "金泰",
    "华垣",
    "瑞丰",
    "鸿达",
    "恒信",
    "蒙源",
    "天骄",
    "北辰",
    "远航",
    "振兴",
    "中诚",
    "博远",
    "宏图",
    "安和",
    "德润",
    "嘉禾",
    "昊天",
    "银河",
]
FIRM_TRADES = [
    "建设工程",
    "路桥",
    "市政工程",
    "水利水电",
    "建筑安装",
    "科技",
    "医疗器械",
    "信息技术",
    "物业服务",
    "矿业",
    "工程咨询",
    "项目管理",
]
AGENCY_TRADES = ["招标代理", "工程咨询", "项目管理咨询"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = [
    "建国",
    "海军",
    "丽娜",
    "志强",
    "晓燕",
    "宝音",
    "乌云",
    "巴特尔",
    "其其格",
    "文博",
    "子涵",
    "国庆",
]

PROBLEM_TEXTS = {
    "A": "领导干部打招呼干预评标，指定中标人",
    "B": "多家投标人投标文件出自同一电脑，报价呈规律性差异",
    "C": "采购需求设置指向特定品牌的技术参数，排斥潜在供应商",
    "D": "中标单位将主体工程违法分包给无资质个人施工",
    "S": "国有产权转让未按规定进场交易",
    "N": "土地出让底价低于规定标准",
    None: "招标文件编制不规范，资格条件表述不清",
}


def amount(rng: Random, domain: str, project_type: str) -> Decimal:
    low, high = AMOUNTS[domain][project_type]
    value = low * (high / low) ** rng.random()
    return Decimal(round(value, -2)).quantize(Decimal("0.01"))


def firm(rng: Random, trade: str | None = None) -> str:
    return f"内蒙古{rng.choice(FIRM_WORDS)}{trade or rng.choice(FIRM_TRADES)}有限公司"


def person(rng: Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def problem_text(category) -> str:
    return PROBLEM_TEXTS.get(category.code if category else None, PROBLEM_TEXTS[None])


# 整改措施: what the unit states when it starts rectifying, by problem category, then a
# general step or two; drawn so that no two ledgers read alike.
MEASURES = {
    "A": [
        "对插手干预招标投标的公职人员进行约谈，问题线索移交纪检监察机关",
        "建立领导干部插手干预交易活动记录报告制度，实行全程留痕",
        "责令相关人员作出书面检查，重新组织评标",
    ],
    "B": [
        "将涉嫌串通投标线索移交公安机关，对相关投标人记录不良行为",
        "对涉事评标专家暂停评标资格，报请专家库管理部门清退",
        "启用投标文件雷同性分析，对异常报价逐一核查",
    ],
    "C": [
        "修改采购需求，删除指向特定品牌的技术参数，重新组织采购",
        "开展采购需求合规性审查，建立采购需求专家论证机制",
        "约谈采购代理机构，责令退还违规收取的费用",
    ],
    "D": [
        "责令中标单位清退违法分包队伍，由行业主管部门依法处罚",
        "开展施工现场关键岗位人员到岗履职检查，核实项目经理在岗情况",
        "对转包、违法分包行为依法处罚并记入信用记录",
    ],
    "S": [
        "补办国有产权进场交易手续，重新履行资产评估备案程序",
        "完善国有产权交易内控制度，明确进场交易范围和审批程序",
        "对未进场交易的产权转让行为追究相关人员责任",
    ],
    "N": [
        "重新评估出让底价，提交集体决策后重新组织出让",
        "完善土地出让底价集体决策制度，规范出让程序",
        "追缴少收的出让价款，对相关责任人进行问责",
    ],
    None: [
        "修订招标文件示范文本，明确资格条件和评审标准",
        "责令招标人澄清并修改招标文件，重新发布招标公告",
        "规范交易文件编制，实行招标文件事前合规审查",
    ],
}
GENERAL_MEASURES = [
    "建立问题整改台账，实行挂图作战、对账销号",
    "开展专题业务培训，提升从业人员合规意识",
    "举一反三开展同类问题自查，完善内部管理制度",
    "约谈相关责任人，督促限期整改到位",
    "加强交易全流程电子化监管，堵塞制度漏洞",
    "明确整改责任人和整改时限，每周调度整改进展",
]

# 销号意见: the group's opinion when it signs a problem off.
SIGN_OFF_OPINIONS = [
    "经核查，整改到位，同意销号",
    "经现场核查，整改措施已落实，佐证材料齐全，同意销号",
    "经审核整改报告及佐证材料，问题已整改完毕，同意销号",
    "经督导组复核，整改到位，相关制度已建立，同意销号",
    "经查阅资料、实地核验，整改完成，同意销号",
]

# 不予认定: why the group dismisses a reported problem.
DISMISS_REASONS = [
    "经核查不属实，不予认定",
    "经复核，该问题不属于本次专项整治范围，不予认定",
    "与已登记问题重复，合并处理，不予单独认定",
]


def measures(rng: Random, category) -> str:
    specific = rng.choice(MEASURES.get(category.code if category else None, MEASURES[None]))
    general = rng.sample(GENERAL_MEASURES, rng.randint(1, 2))
    return "；".join([specific, *general]) + "。"


def sign_off_opinion(rng: Random) -> str:
    return rng.choice(SIGN_OFF_OPINIONS)


def dismiss_reason(rng: Random) -> str:
    return rng.choice(DISMISS_REASONS)
