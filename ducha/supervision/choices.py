"""The words of the supervision work (督导): contact kinds, round kinds and methods,
letter kinds, complaint sources and states, report timeliness."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone supervision")  # 电话督导
    ON_SITE = "on_site", _("On-site supervision")  # 实地督导
    WRITTEN = "written", _("Written reminder")  # 书面提醒


class RoundKind(models.TextChoices):
    REGULAR = "regular", _("Supervision round")  # 实地督导
    LOOK_BACK = "look_back", _("Look-back")  # 回头看


class RoundMethod(models.TextChoices):
    BRIEFING = "briefing", _("Hearing reports")  # 听取汇报
    DISCUSSION = "discussion", _("Discussion meetings")  # 座谈交流
    RECORDS = "records", _("Reviewing records")  # 查阅资料
    QUESTIONING = "questioning", _("On-site questioning")  # 现场质询
    SPOT_CHECK = "spot_check", _("Random spot checks")  # 随机抽查


class LookBackOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Rectification confirmed")  # 整改到位
    NOT_RECTIFIED = "not_rectified", _("Not truly rectified, reopened")  # 整改不到位，重新整改
    NEW_PROBLEM = "new_problem", _("New problem found")  # 发现新问题


class LetterKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder letter")  # 提醒函
    NOTICE = "notice", _("Notice letter")  # 提示函
    BULLETIN = "bulletin", _("Circular")  # 通报
    URGING = "urging", _("Supervision letter")  # 督办函


class ComplaintSource(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline")
    LETTER = "letter", _("Letter")  # 来信
    MAIL = "mail", _("E-mail")  # 邮件
    FORWARDED = "forwarded", _("Forwarded by the coordination group")  # 协调组转办


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")  # 已受理
    HANDLING = "handling", _("Being handled")  # 办理中
    CLOSED = "closed", _("Closed")  # 已办结


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("On time")  # 按时
    LATE = "late", _("Late")  # 迟报
    MISSING = "missing", _("Missing")  # 未报
    NOT_DUE = "not_due", _("Not yet due")  # 未到期
