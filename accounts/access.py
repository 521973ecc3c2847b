"""Who may see and do what: Relay's one access layer.

Two questions, answered here and nowhere else:

* **Scope** (whom): admins and HR see the whole organisation; a sales manager sees the teams
  they manage and every team below them. Objects outside the scope do not exist for the user:
  every read narrows through :func:`narrow` and a miss is a 404, never a hint.
* **Rights** (what): the Django permissions of the role groups in ``accounts.roles`` are the
  truth. A role that may never do a thing gets 403, the same on pages (:func:`page`) and on the
  API (:class:`RelayPermission`).

Each app's ``*_visible_to(user)`` selectors are thin calls to :func:`narrow` with the path to
the object's team.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from rest_framework.permissions import BasePermission

from accounts.models import Team, User
from accounts.org import org_tree

EVERYTHING = None  # the scope of admins and HR


def scope_team_ids(*, user: User) -> set[int] | None:
    """Team ids a user may see, or None for "all of them" (admins and HR).

    Cached on the user object for the request, since every scoped query asks.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.sees_everyone:
        return EVERYTHING
    cached = getattr(user, "_relay_scope_team_ids", None)
    if cached is not None:
        return cached
    if user.is_sales_manager:
        tree = org_tree()
        ids = tree.descendants(tree.teams_managed_by(user.pk))
    else:
        ids = set()
    user._relay_scope_team_ids = ids
    return ids


def scope_cache_key(user: User) -> str:
    """The viewer's scope as part of a cache key: what is cached for one scope is never served
    to another, and a manager given or relieved of a team reads afresh. The one home for every
    cache of scoped results (the dashboard's summary and band history, the rep page's history)."""
    team_ids = scope_team_ids(user=user)
    if team_ids is None:
        return "all"
    if not team_ids:
        return "none"
    ids = ",".join(map(str, sorted(team_ids)))
    return ids if len(ids) <= 64 else hashlib.sha256(ids.encode()).hexdigest()


def narrow[M: Model](queryset: QuerySet[M], *, user: User, team_field: str) -> QuerySet[M]:
    """The rows of ``queryset`` whose team (reached through ``team_field``, such as
    ``"rep__team_id"``) lies in the user's scope."""
    team_ids = scope_team_ids(user=user)
    if team_ids is EVERYTHING:
        return queryset
    return queryset.filter(**{f"{team_field}__in": team_ids})


def narrow_q(*, user: User, team_field: str) -> Q:
    """The same rule as :func:`narrow`, as a ``Q`` for conditions that combine it."""
    team_ids = scope_team_ids(user=user)
    if team_ids is EVERYTHING:
        return Q()
    return Q(**{f"{team_field}__in": team_ids})


def team_in_scope(*, user: User, team_id: int | None) -> bool:
    team_ids = scope_team_ids(user=user)
    return team_ids is EVERYTHING or (team_id is not None and team_id in team_ids)


def teams_visible_to(*, user: User) -> QuerySet[Team]:
    return narrow(Team.objects.all(), user=user, team_field="id")


def get_visible_or_404[M: Model](queryset: QuerySet[M], **lookup: Any) -> M:
    """One object of an already narrowed queryset, or 404 (no hint whether it exists)."""
    return get_object_or_404(queryset, **lookup)


def users_visible_to(*, user: User) -> QuerySet[User]:
    """People a user may see named beside an object (an owner, a covering manager): everyone
    active for admins and HR; for a manager, themselves and the managers of teams in their
    scope."""
    users = User.objects.filter(is_active=True)
    team_ids = scope_team_ids(user=user)
    if team_ids is not EVERYTHING:
        users = users.filter(
            Q(pk=user.pk)
            | Q(role=User.Role.SALES_MANAGER, managed_teams__id__in=team_ids)
        ).distinct()
    return users.order_by("last_name", "first_name", "username")


# --- rights -------------------------------------------------------------------------------


def may(user: User, *perms: str) -> bool:
    """Whether the user's role group grants every one of ``perms`` ("app_label.codename")."""
    if not (user.is_authenticated and user.is_active):
        return False
    return all(user.has_perm(perm) for perm in perms)


def require(user: User, *perms: str) -> None:
    """403 unless the user's role grants every one of ``perms``."""
    if not may(user, *perms):
        raise PermissionDenied


def _perms_for(required: str | Iterable[str] | dict[str, Any], method: str) -> tuple[str, ...]:
    if isinstance(required, dict):
        required = required.get(method, required.get("*", ()))
    if isinstance(required, str):
        return (required,)
    return tuple(required)


def page(
    required: str | Iterable[str] | dict[str, Any] = (),
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The page decorator: signed in (else to the login page), then the role's rights (else 403).

    ``required`` is a permission, several, or a mapping of HTTP method to them (``"*"`` for the
    rest), the same shape as an API view's ``required_perms``.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, *_perms_for(required, request.method or "GET"))
            return view(request, *args, **kwargs)

        wrapper.relay_required_perms = required  # read by the URL-wide access test
        return login_required(wrapper)

    return decorate


class RelayPermission(BasePermission):
    """The API's one permission class: signed in and active, then the view's ``required_perms``
    (a permission, several, or a mapping of HTTP method to them). Scope is not checked here:
    the view's selector narrows, and a miss is a 404."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        required = getattr(view, "required_perms", ())
        return all(user.has_perm(p) for p in _perms_for(required, request.method))
