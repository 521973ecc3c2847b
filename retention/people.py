"""People named beside an object (a holder, a backup, a referrer, a plan's creator, a recipient),
shown only to viewers whose scope holds them; anyone else appears without name or details.

The rule itself is ``accounts.access``: a rep is shown when their team is in the viewer's scope,
a user when ``users_visible_to`` holds them. This module only words the answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from accounts.access import team_in_scope, users_visible_to
from accounts.models import User
from retention.models import SalesRep


def rep_in_scope(*, viewer: User, rep: SalesRep | None) -> bool:
    return rep is not None and team_in_scope(user=viewer, team_id=rep.team_id)


def rep_label(*, viewer: User, rep: SalesRep | None) -> str:
    """The rep's name, "a rep of another team" outside the viewer's scope, "" for nobody."""
    if rep is None:
        return ""
    return rep.full_name if rep_in_scope(viewer=viewer, rep=rep) else _("a rep of another team")


def unnamed_user() -> str:
    return _("someone outside your teams")


def user_labels(*, viewer: User, people: Iterable[User | None]) -> dict[int, str]:
    """For each person (by id): their name, or "someone outside your teams" when the viewer may
    not see them named. One query for all of them."""
    wanted = {person.pk: person for person in people if person is not None}
    if not wanted:
        return {}
    shown = set(users_visible_to(user=viewer).filter(pk__in=wanted).values_list("pk", flat=True))
    return {pk: (str(person) if pk in shown else unnamed_user()) for pk, person in wanted.items()}
