"""Handover plans, coverage, vacancies, candidates and onboarding build on retention here."""
