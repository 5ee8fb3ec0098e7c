from ducha.ledger.models.catalogue import MarketEntityType, ProblemCategory, ProblemItem
from ducha.ledger.models.dispositions import (
    ClueTransfer,
    ExposedCase,
    FiledCase,
    PolicyDocument,
    Training,
)
from ducha.ledger.models.problems import DeadlineExtension, Evidence, Problem, RectificationStep
from ducha.ledger.models.projects import Inspection, Project
from ducha.ledger.models.sampling import SampleDraw

__all__ = [
    "ClueTransfer",
    "DeadlineExtension",
    "Evidence",
    "ExposedCase",
    "FiledCase",
    "Inspection",
    "MarketEntityType",
    "PolicyDocument",
    "Problem",
    "ProblemCategory",
    "ProblemItem",
    "Project",
    "RectificationStep",
    "SampleDraw",
    "Training",
]
