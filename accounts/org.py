"""The org tree: teams, the teams above and below each, and who manages a team.

This is the one home of these rules; every feature asks here. The tree is small (teams, not
reps), so it is read whole in three queries and kept for the rest of the request (see
``accounts.middleware.OrgTreeMiddleware``); outside a request each call reads it afresh, so a
Celery task never works from a stale tree.
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from accounts.models import Team, User

_request_tree: contextvars.ContextVar[OrgTree | bool | None] = contextvars.ContextVar(
    "relay_org_tree", default=False
)


@dataclass
class OrgTree:
    """Every team's parent and children, and the active sales managers named on each team."""

    parent_of: dict[int, int | None]
    children_of: dict[int | None, list[int]]
    # Active sales managers named on each team, the first appointed (lowest link id) first.
    direct_managers: dict[int, list[User]]
    names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> OrgTree:
        parent_of: dict[int, int | None] = {}
        children_of: dict[int | None, list[int]] = defaultdict(list)
        names: dict[int, str] = {}
        for team_id, parent_id, name in Team.objects.order_by("name", "id").values_list(
            "id", "parent_id", "name"
        ):
            parent_of[team_id] = parent_id
            children_of[parent_id].append(team_id)
            names[team_id] = name
        direct: dict[int, list[User]] = defaultdict(list)
        links = (
            Team.managers.through.objects.filter(
                user__is_active=True, user__role=User.Role.SALES_MANAGER
            )
            .select_related("user")
            .order_by("id")
        )
        for link in links:
            direct[link.team_id].append(link.user)
        return cls(
            parent_of=parent_of, children_of=dict(children_of), direct_managers=dict(direct),
            names=names,
        )

    def ancestors(self, team_id: int, *, include_self: bool = True) -> list[int]:
        """The team (unless ``include_self`` is false) and every team above it, nearest first."""
        chain: list[int] = []
        seen: set[int] = set()
        current: int | None = team_id if include_self else self.parent_of.get(team_id)
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            current = self.parent_of.get(current)
        return chain

    def descendants(self, root_ids: Iterable[int]) -> set[int]:
        """The given teams and every team below them."""
        found: set[int] = set()
        stack = list(root_ids)
        while stack:
            team_id = stack.pop()
            if team_id in found:
                continue
            found.add(team_id)
            stack.extend(self.children_of.get(team_id, ()))
        return found

    def manager_of(self, team_id: int | None) -> User | None:
        """A team's manager: the first active sales manager named on the team, else on the
        nearest team above it. None when nobody up the tree manages it."""
        if team_id is None:
            return None
        for current in self.ancestors(team_id):
            managers = self.direct_managers.get(current)
            if managers:
                return managers[0]
        return None

    def managers_above(self, team_id: int) -> list[User]:
        """Every active sales manager of the team and of each team above it, nearest first:
        the people an alert about one of the team's reps goes to."""
        found: list[User] = []
        seen: set[int] = set()
        for current in self.ancestors(team_id):
            for manager in self.direct_managers.get(current, ()):
                if manager.pk not in seen:
                    seen.add(manager.pk)
                    found.append(manager)
        return found

    def teams_managed_by(self, user_id: int) -> set[int]:
        """The teams on which the user is named as an active sales manager (not those below)."""
        return {
            team_id
            for team_id, managers in self.direct_managers.items()
            if any(m.pk == user_id for m in managers)
        }


def org_tree() -> OrgTree:
    """The org tree, read once per request (and afresh on every call outside a request)."""
    cached = _request_tree.get()
    if cached is False:
        return OrgTree.load()
    if cached is None:
        cached = OrgTree.load()
        _request_tree.set(cached)
    return cached


@contextmanager
def org_tree_cached() -> Iterator[None]:
    """Within this block the tree is read at most once (a request, or a batch job)."""
    token = _request_tree.set(None)
    try:
        yield
    finally:
        _request_tree.reset(token)


def team_manager(*, team_id: int | None) -> User | None:
    """The one rule for a team's manager: the nearest active sales manager up the tree."""
    return org_tree().manager_of(team_id)


def team_managers(*, team_ids: Iterable[int]) -> dict[int, User]:
    """``team_manager`` for many teams at once, from one read of the tree."""
    tree = org_tree()
    found = {}
    for team_id in team_ids:
        manager = tree.manager_of(team_id)
        if manager is not None:
            found[team_id] = manager
    return found
