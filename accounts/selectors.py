"""Who may see what. Every list, page and API endpoint in Relay narrows its rows through here."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import Team, User


def team_descendant_ids(*, root_ids: Iterable[int]) -> set[int]:
    """The given teams and every team below them (teams are few: one query, walked in Python)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for team_id, parent_id in Team.objects.values_list("id", "parent_id"):
        children[parent_id].append(team_id)
    found: set[int] = set()
    stack = list(root_ids)
    while stack:
        team_id = stack.pop()
        if team_id in found:
            continue
        found.add(team_id)
        stack.extend(children.get(team_id, ()))
    return found


def scope_team_ids(*, user: User) -> set[int] | None:
    """Team ids a user may see, or None for "all of them" (admins and HR).

    Cached on the user object for the request, since every scoped query asks.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.sees_everyone:
        return None
    cached = getattr(user, "_relay_scope_team_ids", None)
    if cached is not None:
        return cached
    if user.is_sales_manager:
        managed = user.managed_teams.values_list("id", flat=True)
        ids = team_descendant_ids(root_ids=managed)
    else:
        ids = set()
    user._relay_scope_team_ids = ids
    return ids


def teams_in_scope(*, user: User) -> QuerySet[Team]:
    ids = scope_team_ids(user=user)
    teams = Team.objects.all()
    return teams if ids is None else teams.filter(id__in=ids)
