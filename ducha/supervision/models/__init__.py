from ducha.supervision.models.complaints import Complaint
from ducha.supervision.models.letters import Letter, LetterRecipient
from ducha.supervision.models.plans import WorkPlan, WorkPlanDocument
from ducha.supervision.models.rounds import Contact, ContactRule, LookBackCheck, RoundProblem, SupervisionRound
from ducha.supervision.models.weekly import GroupWeeklyReport, ReportingSchedule, UnitWeeklyReport

__all__ = [
    "Complaint",
    "Contact",
    "ContactRule",
    "GroupWeeklyReport",
    "Letter",
    "LetterRecipient",
    "LookBackCheck",
    "ReportingSchedule",
    "RoundProblem",
    "SupervisionRound",
    "UnitWeeklyReport",
    "WorkPlan",
    "WorkPlanDocument",
]
