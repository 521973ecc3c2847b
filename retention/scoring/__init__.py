"""Departure-risk scoring as plain arithmetic on DataFrames: no Django, no database.

history  – the input frames and the point-in-time view of them
signals  – the warning signs, levels and changes, one function each
features – all signals for the reps on a date, and snapshots over many dates
labels   – who left voluntarily within each horizon after each snapshot; who was serving notice
model    – train, compare, calibrate per horizon, and measure against simple baselines
rules    – the transparent fallback used before there is enough history to learn from
explain  – each rep's drivers by warning sign, as message ids and numbers
backtest – had we scored on past dates: who was flagged, how early, how many false alarms
"""
