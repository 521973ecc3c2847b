"""Handover's models, one module per area: plans and coverage; vacancies, candidates, onboarding."""
