"""HR's side of a departure: vacancies, the candidate pool and reserve bench, onboarding,
ramp-up, and what each departure cost.

selectors (reads, scoped), services (writes), and pure arithmetic with no database:
matching (rank the pool for a vacancy), rampup (a new rep against the team's established reps),
costs (the three-phase cost of a departure), charts (plotly figures).
"""
