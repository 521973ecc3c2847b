"""The manager's risk dashboard: team view, rep risk page, interventions, routing and alerts.

Scores shown here come only from the latest succeeded scoring run
(``retention.selectors.scoring_run_latest_complete``).
"""
