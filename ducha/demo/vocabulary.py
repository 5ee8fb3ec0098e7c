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
