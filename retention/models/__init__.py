"""Retention's models, one module per area; import them from here.

core: reps, customers, who holds which customer, and the activity history scoring reads.
Later areas (imports, scoring, interventions, alerts) add their own modules.
"""

from retention.models.core import (
    Activity,
    Assignment,
    Customer,
    Deal,
    LeaveRecord,
    SalesRep,
    ServiceRecord,
)
from retention.models.imports import ImportJob, SavedColumnMapping
from retention.models.interventions import Intervention, RiskPageView
from retention.models.jobs import ModelJob, OutboxMessage, ScoringChunk
from retention.models.knowledge import CustomerKnowledge
from retention.models.people import CrmTeamLink, CrmUserChoice, TeamMembership
from retention.models.scoring import RiskAlert, RiskModel, RiskRollup, RiskScore, ScoringRun

__all__ = [
    "Activity",
    "Assignment",
    "CrmTeamLink",
    "CrmUserChoice",
    "Customer",
    "CustomerKnowledge",
    "Deal",
    "ImportJob",
    "Intervention",
    "LeaveRecord",
    "ModelJob",
    "OutboxMessage",
    "RiskAlert",
    "RiskModel",
    "RiskPageView",
    "RiskRollup",
    "RiskScore",
    "SalesRep",
    "SavedColumnMapping",
    "ScoringChunk",
    "ScoringRun",
    "ServiceRecord",
    "TeamMembership",
]
