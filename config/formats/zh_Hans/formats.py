"""Simplified Chinese formats: Django's, with the two corrections a Chinese business page needs.

Django's zh_Hans file groups numbers by four with no mark (12345678); Chinese finance and sales
pages write 12,345,678, which is what ``config/money.py`` and plotly's separators use too. Its
month-day format pads the month (09月5日) where every other format does not (2026年9月5日).
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
MONTH_DAY_FORMAT = "n月j日"  # 9月5日
