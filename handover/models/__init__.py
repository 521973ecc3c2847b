"""Handover's models, one module per area: plans and coverage; vacancies, candidates, onboarding."""

from handover.models.hiring import (
    Application,
    Candidate,
    InterviewFeedback,
    OnboardingPlan,
    OnboardingTask,
    OnboardingTemplate,
    OwnerRole,
    StageChange,
    Vacancy,
)
from handover.models.plans import CoverageGap, HandoverItem, HandoverPlan, TeamCapacity

__all__ = [
    "Application",
    "Candidate",
    "CoverageGap",
    "HandoverItem",
    "HandoverPlan",
    "InterviewFeedback",
    "OnboardingPlan",
    "OnboardingTask",
    "OnboardingTemplate",
    "OwnerRole",
    "StageChange",
    "TeamCapacity",
    "Vacancy",
]
