"""Departure-risk scoring as plain arithmetic on DataFrames: no Django, no database.

history  – the input frames and the point-in-time view of them
signals  – one function per warning sign
features – all signals for the reps on a date, and snapshots over many dates
labels   – who left voluntarily within the horizon after each snapshot
model    – train, compare, calibrate and measure the classifiers
rules    – the transparent fallback used before there is enough history to learn from
explain  – the top drivers of a score, in plain words with numbers
backtest – had we scored on past dates: who was flagged, how early, how many false alarms
"""
