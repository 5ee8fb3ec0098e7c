"""The two ledger workbooks' columns (docs/imports.md): headers exactly as units write
them, the key each is read under, and the model field it fills (to put a model rule's
message on its column)."""

from dataclasses import dataclass

from ducha.imports.values import clean_header


@dataclass(frozen=True)
class Column:
    header: str  # as the layout writes it (full-width brackets)
    key: str
    required: bool = False  # the column must be in the file (a value may still be optional)
    fields: tuple[str, ...] = ()  # model fields whose errors belong to this column

    @property
    def normalised(self) -> str:
        return clean_header(self.header)


PROJECT_COLUMNS = (
    Column("序号", "seq"),
    Column("项目编号", "number", True, ("number",)),
    Column("项目名称", "name", True, ("name",)),
    Column("交易领域", "domain", True, ("domain",)),
    Column("项目类型", "project_type", fields=("project_type",)),
    Column("所属盟市", "league", fields=("unit",)),
    Column("所属旗县（市、区）", "county", fields=("county",)),
    Column("主管部门", "department"),
    Column("招标人（采购人、出让人、转让方）", "tenderer", True, ("tenderer",)),
    Column("招标人统一社会信用代码", "tenderer_uscc", fields=("tenderer_uscc",)),
    Column("代理机构", "agency", fields=("agency",)),
    Column("中标（成交）单位", "winner", fields=("winner",)),
    Column("中标单位统一社会信用代码", "winner_uscc", fields=("winner_uscc",)),
    Column("交易金额（万元）", "amount", fields=("amount",)),
    Column("交易日期", "trade_date", fields=("trade_date",)),
    Column("交易平台项目编码", "platform_code", fields=("platform_code",)),
    Column("是否自查", "self", fields=("self_inspected",)),
    Column("是否抽查", "sample", fields=("sampled",)),
    Column("是否核查", "verify", fields=("verified",)),
    Column("备注", "remarks", fields=("remarks",)),
)

PROBLEM_COLUMNS = (
    Column("序号", "seq"),
    Column("问题编号", "number", True, ("number",)),
    Column("项目编号", "project", fields=("project", "county")),
    Column("所属单位", "unit", True, ("unit",)),
    Column("问题类别", "category", fields=("category", "domain")),
    Column("问题细项", "item", fields=("item",)),
    Column("涉及市场主体类型", "entity_type", fields=("entity_type",)),
    Column("问题描述", "description", True, ("description",)),
    Column("发现方式", "discovery_method", True, ("discovery_method",)),
    Column("发现日期", "found_on", True, ("found_on",)),
    Column("整改措施", "measures", fields=("measures",)),
    Column("整改时限", "deadline", fields=("deadline",)),
    Column("整改状态", "status", fields=("status",)),
    Column("整改完成日期", "rectified_on", fields=("rectified_on", "completed_on")),
    Column("销号意见", "opinion", fields=("opinion",)),
    Column("不予认定理由", "dismiss_reason", fields=("reason",)),
    Column("是否移交线索", "clue"),
    Column("移交机关", "authority"),
    Column("是否立案", "filed"),
    Column("是否曝光", "exposed"),
    Column("责任人", "responsible", fields=("responsible",)),
    Column("备注", "remarks", fields=("remarks",)),
)

# The header of the column an error workbook adds.
ERROR_COLUMN = "错误说明"
