"""The words of a driver: scoring hands over a message id and numbers, this turns them into a
sentence in the source's units ("CSAT 3.1 of 5 in the last 13 weeks, against 4.2 usually")."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.money import format_money, format_number


def _n(value: object, digits: int = 1) -> str:
    return "–" if value is None else format_number(value, digits)


def _whole(value: object) -> int:
    """The count a plural form is chosen by (ngettext needs a whole number)."""
    return 0 if value is None else round(float(value))


def _money(value: object) -> str:
    return "–" if value is None else format_money(value)


def _pct(value: object) -> str:
    return "–" if value is None else f"{float(value):.0%}"


# Drivers compared with the rep's usual figure: when there is none, "against none usually" is
# a sentence of its own, not a word put into the other one (it reads differently in Chinese).


def _leave_days(n: dict) -> str:
    count, values = _whole(n["recent"]), {"recent": _n(n["recent"], 0)}
    if n.get("usual") is None:
        return (
            ngettext(
                "%(recent)s day off in the last 90 days, against none usually",
                "%(recent)s days off in the last 90 days, against none usually",
                count,
            )
            % values
        )
    return ngettext(
        "%(recent)s day off in the last 90 days, against %(usual)s usually",
        "%(recent)s days off in the last 90 days, against %(usual)s usually",
        count,
    ) % {**values, "usual": _n(n["usual"])}


def _bridge_days(n: dict) -> str:
    count, values = _whole(n["recent"]), {"recent": _n(n["recent"], 0)}
    if n.get("usual") is None:
        return (
            ngettext(
                "%(recent)s single day off next to a weekend in the last 90 days, against none "
                "usually",
                "%(recent)s single days off next to a weekend in the last 90 days, against none "
                "usually",
                count,
            )
            % values
        )
    return ngettext(
        "%(recent)s single day off next to a weekend in the last 90 days, against %(usual)s "
        "usually",
        "%(recent)s single days off next to a weekend in the last 90 days, against %(usual)s "
        "usually",
        count,
    ) % {**values, "usual": _n(n["usual"])}


def _escalations(n: dict) -> str:
    count, values = _whole(n["recent"]), {"recent": _n(n["recent"], 0)}
    if n.get("usual") is None:
        return (
            ngettext(
                "%(recent)s escalation or complaint in the last 13 weeks, against none usually",
                "%(recent)s escalations or complaints in the last 13 weeks, against none usually",
                count,
            )
            % values
        )
    return ngettext(
        "%(recent)s escalation or complaint in the last 13 weeks, against %(usual)s usually",
        "%(recent)s escalations or complaints in the last 13 weeks, against %(usual)s usually",
        count,
    ) % {**values, "usual": _n(n["usual"])}


def _resolution_time(n: dict) -> str:
    values = {"recent": _n(n["recent"])}
    if n.get("usual") is None:
        return (
            _("cases took %(recent)s days to resolve in the last 13 weeks, against none usually")
            % values
        )
    return _(
        "cases took %(recent)s days to resolve in the last 13 weeks, against %(usual)s usually"
    ) % {**values, "usual": _n(n["usual"])}


def _visit_hours(n: dict) -> str:
    values = {"recent": _n(n["recent"])}
    if n.get("usual") is None:
        return (
            _(
                "%(recent)s hours of customer visits a week in the last 13 weeks, against none in "
                "the 13 weeks before"
            )
            % values
        )
    return _(
        "%(recent)s hours of customer visits a week in the last 13 weeks, against %(usual)s in "
        "the 13 weeks before"
    ) % {**values, "usual": _n(n["usual"])}


def _visit_hours_6w(n: dict) -> str:
    values = {"recent": _n(n["recent"])}
    if n.get("usual") is None:
        return (
            _(
                "%(recent)s hours of customer visits a week in the last 6 weeks, against none "
                "over the year before"
            )
            % values
        )
    return _(
        "%(recent)s hours of customer visits a week in the last 6 weeks, against %(usual)s "
        "over the year before"
    ) % {**values, "usual": _n(n["usual"])}


def _minutes_per_visit(n: dict) -> str:
    values = {"recent": _n(n["recent"], 0)}
    if n.get("usual") is None:
        return (
            _(
                "%(recent)s minutes per customer visit in the last 13 weeks, against none in the "
                "13 weeks before"
            )
            % values
        )
    return _(
        "%(recent)s minutes per customer visit in the last 13 weeks, against %(usual)s in the "
        "13 weeks before"
    ) % {**values, "usual": _n(n["usual"], 0)}


def _service(n: dict, weeks: int) -> str:
    """The service-score sentence over the last 13 (or 6) weeks: on the source's scale when it
    is known, otherwise as shares of the best score. Each variant is one whole sentence."""
    if n.get("scale") and n.get("recent") is not None:
        values = {
            "recent": _n(n["recent"]),
            "scale": _n(n["scale"], 0 if float(n["scale"]).is_integer() else 1),
        }
        if n.get("usual") is not None:
            values["usual"] = _n(n["usual"])
            if weeks == 6:
                text = _(
                    "service score %(recent)s of %(scale)s in the last 6 weeks, against "
                    "%(usual)s usually"
                )
            else:
                text = _(
                    "service score %(recent)s of %(scale)s in the last 13 weeks, against "
                    "%(usual)s usually"
                )
        elif weeks == 6:
            text = _("service score %(recent)s of %(scale)s in the last 6 weeks")
        else:
            text = _("service score %(recent)s of %(scale)s in the last 13 weeks")
        return text % values
    values = {"recent": _pct(n.get("recent_share")), "usual": _pct(n.get("usual_share"))}
    if weeks == 6:
        return _("service score %(recent)s in the last 6 weeks, against %(usual)s usually") % values
    return _("service score %(recent)s in the last 13 weeks, against %(usual)s usually") % values


def _service_6w(n: dict) -> str:
    scale = n.get("scale")
    points = {
        key: (None if n.get(f"{key}_share") is None or not scale else n[f"{key}_share"] * scale)
        for key in ("recent", "usual")
    }
    return _service({**n, **points}, 6)


TEXTS: dict[str, Callable[[dict], str]] = {
    "activity_change": lambda n: (
        _(
            "%(recent)s activities a week in the last 13 weeks, against %(usual)s over the year "
            "before"
        )
        % {"recent": _n(n["recent"]), "usual": _n(n["usual"])}
    ),
    "activity_change_6w": lambda n: (
        _(
            "%(recent)s activities a week in the last 6 weeks, against %(usual)s over the "
            "year before"
        )
        % {"recent": _n(n["recent"]), "usual": _n(n["usual"])}
    ),
    "activity_swings_change": lambda n: (
        _(
            "weekly activity swings of %(recent)s around the average in the last 13 weeks, "
            "against %(usual)s over the year before"
        )
        % {"recent": _pct(n["recent"]), "usual": _pct(n["usual"])}
    ),
    "activity_swings": lambda n: (
        _(
            "weekly activity swings of %(recent)s around the average in the last 13 weeks, "
            "against %(usual)s over the year before"
        )
        % {"recent": _pct(n["recent"]), "usual": _pct(n["usual"])}
        if n.get("usual") is not None
        else _("weekly activity swings of %(recent)s around the average in the last 13 weeks")
        % {"recent": _pct(n["recent"])}
    ),
    "activity_vs_peers": lambda n: (
        _("%(recent)s activities a week in the last 13 weeks, against a team median of %(team)s")
        % {"recent": _n(n["recent"]), "team": _n(n["team"])}
    ),
    "pipeline_change": lambda n: (
        _(
            "new pipeline of %(recent)s a week in the last 13 weeks, against %(usual)s over "
            "the year before"
        )
        % {"recent": _money(n["recent"]), "usual": _money(n["usual"])}
    ),
    "quota": lambda n: (
        _("won %(won)s in the last 26 weeks, %(share)s of quota")
        % {"won": _money(n["won"]), "share": _pct(n["attainment"])}
    ),
    "overdue_todos": lambda n: (
        ngettext(
            "%(count)s to-do past its due date",
            "%(count)s to-dos past their due date",
            _whole(n["count"]),
        )
        % {"count": _n(n["count"], 0)}
    ),
    "leave_episodes_longer": lambda n: (
        _(
            "average leave episode %(recent)s days in the last 90 days, against %(usual)s days "
            "over the previous year"
        )
        % {"recent": _n(n["recent"]), "usual": _n(n["usual"])}
    ),
    "leave_days": _leave_days,
    "adhoc_leave": lambda n: (
        ngettext(
            "%(days)s working day of short, unplanned leave in the last 90 days (%(times)s)",
            "%(days)s working days of short, unplanned leave in the last 90 days (%(times)s)",
            _whole(n["days"]),
        )
        % {
            "days": _n(n["days"], 0),
            # The number of leaves is a count of its own: its plural is chosen by it.
            "times": ngettext("%(episodes)s time", "%(episodes)s times", _whole(n["episodes"]))
            % {"episodes": _n(n["episodes"], 0)},
        }
    ),
    "sick_days": lambda n: (
        ngettext(
            "%(days)s sick day in the last 90 days",
            "%(days)s sick days in the last 90 days",
            _whole(n["days"]),
        )
        % {"days": _n(n["days"], 0)}
    ),
    "planned_leave": lambda n: (
        ngettext(
            "%(days)s day of planned leave in the last 90 days",
            "%(days)s days of planned leave in the last 90 days",
            _whole(n["days"]),
        )
        % {"days": _n(n["days"], 0)}
    ),
    "bridge_days": _bridge_days,
    "bridge_days_6w": lambda n: (
        ngettext(
            "%(recent)s single day off next to a weekend in the last 6 weeks",
            "%(recent)s single days off next to a weekend in the last 6 weeks",
            _whole(n["recent"]),
        )
        % {"recent": _n(n["recent"], 0)}
    ),
    "service": lambda n: _service(n, 13),
    "service_6w": _service_6w,
    "escalations": _escalations,
    "escalation_rate": lambda n: (
        ngettext(
            "%(rate)s of %(cases)s case escalated in the last 13 weeks",
            "%(rate)s of %(cases)s cases escalated in the last 13 weeks",
            _whole(n["cases"]),
        )
        % {"rate": _pct(n["rate"]), "cases": _n(n["cases"], 0)}
    ),
    "resolution_time": _resolution_time,
    "visit_hours": _visit_hours,
    "visit_hours_6w": _visit_hours_6w,
    "minutes_per_visit": _minutes_per_visit,
    "tenure": lambda n: _("%(years)s years with the company") % {"years": _n(n["years"])},
    "team_change": lambda n: (
        _("changed team on %(day)s") % {"day": n["on"]} if n.get("on") else _("changed team")
    ),
    "manager_change": lambda n: _("a new manager in the last six months"),
    "team_departures": lambda n: (
        ngettext(
            "%(count)s colleague in the team left of their own accord in the last 90 days",
            "%(count)s colleagues in the team left of their own accord in the last 90 days",
            _whole(n["count"]),
        )
        % {"count": _n(n["count"], 0)}
    ),
}


def driver_text(driver: dict) -> str:
    """The sentence for one driver, worded in the active language from what scoring stored
    (``message`` and ``numbers``), so each reader gets their own language whoever scored. A
    driver stored before drivers carried a message id keeps the sentence stored with it."""
    render = TEXTS.get(driver.get("message", ""))
    if render is None:
        return str(driver.get("text") or driver.get("feature", ""))
    return render(driver.get("numbers") or {})


def drivers_with_text(drivers: list[dict]) -> list[dict]:
    return [{**driver, "text": driver_text(driver)} for driver in drivers]
