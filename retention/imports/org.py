"""Salesforce users and roles in an import: who becomes a rep, a manager or nobody, and the
teams the CRM implies, written inside the import's transaction.

Before any row is converted, ``people_prepare`` reads ``User.csv`` and ``UserRole.csv`` whole
(a few thousand rows at most), plus the owners in ``Account.csv``/``Opportunity.csv`` and the
leaving dates in an HR people file, and decides every user (``retention.imports.people``). The
check page shows that plan. The first user or role row converted writes the org
(``org_apply``); a dry run rolls it back with everything else.

The org is built from the CRM on an empty Relay, when the admin asks (``org_from_crm``), and on
every later export once it was (a ``CrmTeamLink`` exists), so it keeps in step. Otherwise Relay's
own teams stay as they are and a new rep goes to the team its Department names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.org import team_managers
from accounts.services import user_create, user_set_role
from retention.imports.errors import RowError, RowSkipped
from retention.imports.lookups import team_key
from retention.imports.people import (
    MANAGER,
    REP,
    SKIP,
    CrmRole,
    CrmUser,
    Decision,
    OrgPlan,
    build_org,
    decide,
    may_sell_with_a_manager_title,
)
from retention.imports.values import parse_bool, parse_date, text
from retention.models import CrmTeamLink, CrmUserChoice, SalesRep

USER_KIND = "salesforce.user"
ROLE_KIND = "salesforce.userrole"
_HISTORY_KINDS = ("salesforce.account", "salesforce.opportunity")
_HISTORY_DATES = ("LastActivityDate", "CloseDate", "CreatedDate")


@dataclass
class PeopleImport:
    """The users of this import, what each becomes, and (once written) their teams and logins."""

    users: dict[str, CrmUser]
    roles: dict[str, CrmRole]
    plan: OrgPlan
    from_crm: bool
    applied: bool = False
    team_ids: dict[str, int] = field(default_factory=dict)  # org node key → Team id
    logins: dict[str, int] = field(default_factory=dict)  # manager's CRM id → User id
    node_status: dict[str, str] = field(default_factory=dict)  # created / updated / unchanged
    role_of_node: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict:
        described = self.plan.describe(self.users)
        described["from_crm"] = self.from_crm
        if not self.from_crm:
            described["tree"] = []
        return described

    def decision(self, crm_id: str) -> Decision | None:
        return self.plan.decisions.get(crm_id)


def _row_reader(plan) -> tuple:
    from retention.imports.kinds import Row

    positions: dict[str, int] = {}
    for position, cell in enumerate(plan.table.header):
        positions.setdefault(cell, position)
    return Row({key: positions[column] for key, column in plan.mapping.items()}, plan.mapping)


def _date_or_none(value: object) -> dt.date | None:
    try:
        return parse_date(value, "")
    except RowError:
        return None


def _read_users(plan) -> dict[str, CrmUser]:
    row = _row_reader(plan)
    users: dict[str, CrmUser] = {}
    for number, cells in plan.table.rows():
        if not isinstance(cells, list):
            continue
        row.cells = cells
        crm_id = text(row("id"))
        if not crm_id or crm_id in users:
            continue
        try:
            active = parse_bool(row("is_active"), "")
        except RowError:
            active = None
        users[crm_id] = CrmUser(
            id=crm_id,
            last_name=text(row("last_name")),
            first_name=text(row("first_name")),
            username=text(row("username")),
            email=text(row("email")),
            title=text(row("title")),
            user_type=text(row("user_type")),
            is_active=active is not False,
            role_id=text(row("role_id")),
            manager_id=text(row("manager_id")),
            division=text(row("division")),
            department=text(row("department")),
            last_seen=_date_or_none(row("last_login")),
            row=number,
        )
    return users


def _read_roles(plan) -> dict[str, CrmRole]:
    row = _row_reader(plan)
    roles: dict[str, CrmRole] = {}
    for _number, cells in plan.table.rows():
        if not isinstance(cells, list):
            continue
        row.cells = cells
        role_id = text(row("id"))
        if role_id:
            roles[role_id] = CrmRole(role_id, text(row("name")), text(row("parent_role_id")))
    return roles


def _owners_and_last_dates(plans, crm_ids: set[str]) -> dict[str, dt.date | None]:
    """Those of these users who own accounts or deals in the export, with the latest date
    seen."""
    seen: dict[str, dt.date | None] = {}
    for plan in plans:
        if plan.kind.key not in _HISTORY_KINDS:
            continue
        header = plan.table.header
        if "OwnerId" not in header:
            continue
        owner_at = header.index("OwnerId")
        date_at = [header.index(name) for name in _HISTORY_DATES if name in header]
        for _number, cells in plan.table.rows():
            if not isinstance(cells, list) or owner_at >= len(cells):
                continue
            owner = text(cells[owner_at])
            if owner not in crm_ids:
                continue
            latest = seen.get(owner)
            for position in date_at:
                day = _date_or_none(cells[position]) if position < len(cells) else None
                if day and (latest is None or day > latest):
                    latest = day
            seen[owner] = latest
    return seen


def _hr_leaving_dates(plans) -> dict[str, dt.date]:
    """Leaving dates an HR people file in the same upload gives, by CRM user id and e-mail."""
    found: dict[str, dt.date] = {}
    for plan in plans:
        if plan.kind.key != "relay.people" or "leaving_date" not in plan.mapping:
            continue
        row = _row_reader(plan)
        for _number, cells in plan.table.rows():
            if not isinstance(cells, list):
                continue
            row.cells = cells
            day = _date_or_none(row("leaving_date"))
            if day is None:
                continue
            for key in (text(row("crm_user_id")), text(row("email")).lower()):
                if key:
                    found[key] = day
    return found


def org_from_crm_wanted(*, asked: bool) -> bool:
    """Build (or keep in step) the org from the CRM: when asked, on an empty Relay, or when an
    earlier import built it."""
    return asked or not Team.objects.exists() or CrmTeamLink.objects.exists()


def people_prepare(plans: list, ctx) -> PeopleImport | None:
    """Decide every user of the upload and plan the org; None when there is no User.csv."""
    user_plan = next((plan for plan in plans if plan.kind.key == USER_KIND), None)
    if user_plan is None:
        return None
    role_plan = next((plan for plan in plans if plan.kind.key == ROLE_KIND), None)
    users = _read_users(user_plan)
    roles = _read_roles(role_plan) if role_plan else {}
    inactive = {crm_id for crm_id, user in users.items() if not user.is_active}
    # Whose history decides: inactive users (a rep who left, or nobody) and "manager"-titled
    # ones (a seller with a book, or a manager).
    asked = inactive | {
        crm_id for crm_id, user in users.items() if may_sell_with_a_manager_title(user)
    }
    known = set(
        SalesRep.objects.filter(crm_user_id__in=list(asked)).values_list("crm_user_id", flat=True)
    )
    last_dates = _owners_and_last_dates(plans, asked) if asked else {}
    hr_dates = _hr_leaving_dates(plans)
    for crm_id in inactive:
        user = users[crm_id]
        hr_day = hr_dates.get(crm_id) or hr_dates.get(user.email.lower())
        candidates = [day for day in (user.last_seen, last_dates.get(crm_id)) if day]
        user.last_seen = hr_day or (max(candidates) if candidates else None)
    remembered = dict(
        CrmUserChoice.objects.filter(by_admin=True, crm_user_id__in=list(users)).values_list(
            "crm_user_id", "becomes"
        )
    )
    decisions = decide(
        users,
        roles=roles,
        with_history=known | set(last_dates),
        chosen=ctx.options.people,
        remembered=remembered,
    )
    for crm_id, decision in decisions.items():
        if decision.becomes == REP and decision.left_on is None and not users[crm_id].is_active:
            decision.left_on = users[crm_id].last_seen
    # Someone Relay already scores as a rep whom the CRM now shows as a manager (a promotion)
    # or as nobody stays a rep until their move is recorded: the table says so.
    still_reps = set(
        SalesRep.objects.filter(
            crm_user_id__in=[c for c, d in decisions.items() if d.becomes != REP],
            status=SalesRep.Status.ACTIVE,
        ).values_list("crm_user_id", flat=True)
    )
    for crm_id in still_reps:
        decisions[crm_id].reason = _(
            "%(reason)s; already a rep in Relay, who stays one until their move (a transfer) is "
            "recorded"
        ) % {"reason": decisions[crm_id].reason}
    from_crm = org_from_crm_wanted(asked=ctx.options.org_from_crm)
    plan = build_org(users, decisions, roles=roles)
    people = PeopleImport(users=users, roles=roles, plan=plan, from_crm=from_crm)
    ctx.people = people
    return people


# --- writing the org ------------------------------------------------------------------------


def org_apply(ctx) -> None:
    """Write the planned teams, the managers' logins and the remembered decisions (once)."""
    people: PeopleImport | None = getattr(ctx, "people", None)
    if people is None or people.applied:
        return
    people.applied = True
    if people.from_crm:
        _teams_apply(people, ctx)
    _logins_apply(people, ctx)
    _decisions_remember(people, ctx)


def _teams_apply(people: PeopleImport, ctx) -> None:
    links = dict(
        CrmTeamLink.objects.filter(key__in=list(people.plan.nodes)).values_list("key", "team_id")
    )
    teams = Team.objects.in_bulk(list(links.values()))
    for key, node in people.plan.nodes.items():
        parent_id = people.team_ids.get(node.parent_key) if node.parent_key else None
        team = teams.get(links.get(key)) if key in links else None
        if team is None:
            team = Team.objects.filter(parent_id=parent_id, name=node.name).first()
            if team is None:
                team = Team.objects.create(name=node.name, parent_id=parent_id, region=node.region)
                people.node_status[key] = "created"
            CrmTeamLink.objects.update_or_create(key=key, defaults={"team": team})
        elif (
            team.parent_id != parent_id
            and not Team.objects.filter(parent_id=parent_id, name=team.name).exists()
        ):
            # The CRM moved this team (a new region): follow it. Its name stays as set in Relay.
            team.parent_id = parent_id
            team.save(update_fields=["parent", "updated_at"])
            people.node_status[key] = "updated"
        people.node_status.setdefault(key, "unchanged")
        people.team_ids[key] = team.pk
        # Files later in the upload (HR's people file) name these teams.
        parent = people.plan.nodes.get(node.parent_key or "")
        for name in filter(None, [team.name, f"{parent.name} / {team.name}" if parent else ""]):
            name = team_key(name)
            known = ctx.teams_by_name.get(name, team.pk)
            ctx.teams_by_name[name] = team.pk if known == team.pk else None


def _login_for(user: CrmUser) -> User:
    login = None
    if user.username:
        login = User.objects.filter(username=user.username[:150]).first()
    if login is None and user.email:
        matches = list(User.objects.filter(email__iexact=user.email)[:2])
        login = matches[0] if len(matches) == 1 else None
    if login is None:
        return user_create(
            username=(user.username or user.email or f"crm-{user.id}")[:150],
            password=None,
            role=User.Role.SALES_MANAGER,
            email=user.email[:254],
            first_name=user.first_name[:150],
            last_name=user.last_name[:150],
        )
    if not login.role:
        user_set_role(user=login, role=User.Role.SALES_MANAGER)
    return login


def _logins_apply(people: PeopleImport, ctx) -> None:
    managers = [crm_id for crm_id, d in people.plan.decisions.items() if d.becomes == MANAGER]
    for crm_id in managers:
        people.logins[crm_id] = _login_for(people.users[crm_id]).pk
    if people.from_crm:
        # Keep the teams' managers in step with the CRM: a login of this export's users that no
        # longer manages a team there (moved, now a rep, gone) stops managing it here. Managers
        # named in Relay who are not CRM users are left alone.
        from_this_crm = set(
            User.objects.filter(
                username__in=[u.username[:150] for u in people.users.values() if u.username]
            ).values_list("pk", flat=True)
        )
        for key, node in people.plan.nodes.items():
            team = Team.objects.get(pk=people.team_ids[key])
            wanted = {people.logins[m] for m in node.manager_ids if m in people.logins}
            current = set(team.managers.values_list("pk", flat=True))
            stale = (current & from_this_crm) - wanted
            if stale:
                team.managers.remove(*stale)
            if wanted - current:
                team.managers.add(*sorted(wanted - current))
        return
    # Relay's own org: a manager from the CRM manages the teams their reports are in, where
    # nobody manages them yet.
    teams_of_reports: dict[str, set[int]] = {}
    for crm_id, user in people.users.items():
        if people.plan.decisions[crm_id].becomes != REP or user.manager_id not in people.logins:
            continue
        team_id = _legacy_team(user, ctx)
        if team_id:
            teams_of_reports.setdefault(user.manager_id, set()).add(team_id)
    managed = team_managers(team_ids={t for ts in teams_of_reports.values() for t in ts})
    for manager_id, team_ids in teams_of_reports.items():
        for team_id in team_ids - set(managed):
            Team.objects.get(pk=team_id).managers.add(people.logins[manager_id])


def _decisions_remember(people: PeopleImport, ctx) -> None:
    chosen = ctx.options.people
    existing = {
        choice.crm_user_id: choice
        for choice in CrmUserChoice.objects.filter(crm_user_id__in=list(people.users))
    }
    for crm_id, decision in people.plan.decisions.items():
        by_admin = crm_id in chosen or decision.chosen_by in ("admin", "remembered")
        current = existing.get(crm_id)
        if current is None:
            CrmUserChoice.objects.create(
                crm_user_id=crm_id,
                becomes=decision.becomes,
                by_admin=by_admin,
                chosen_by=ctx.user if crm_id in chosen else None,
            )
        elif (current.becomes, current.by_admin) != (decision.becomes, by_admin):
            current.becomes = decision.becomes
            current.by_admin = by_admin
            if crm_id in chosen:
                current.chosen_by = ctx.user
            current.save(update_fields=["becomes", "by_admin", "chosen_by", "updated_at"])


# --- converting rows ----------------------------------------------------------------------------


def _legacy_team(user: CrmUser, ctx) -> int | None:
    for name in (user.department, user.division):
        team_id = ctx.team_by_name(name) if name else None
        if team_id:
            return team_id
    return None


def rep_team_for(row, ctx, crm_id: str) -> int:
    """The team of a new rep (or, with the org from the CRM, of every rep)."""
    people: PeopleImport | None = getattr(ctx, "people", None)
    if people is not None and people.from_crm:
        key = people.plan.team_of.get(crm_id)
        if key:
            return people.team_ids[key]
    department = text(row("department")) or text(row("division"))
    team_id = None
    for name in (text(row("department")), text(row("division"))):
        team_id = team_id or (ctx.team_by_name(name) if name else None)
    team_id = team_id or ctx.options.default_team_id
    if team_id is None:
        raise RowError(
            row.column("department"),
            department,
            _(
                "a new rep needs a team: name a Relay team in Department, give the roles "
                "(UserRole.csv) and build the org from the CRM, or choose a default team for "
                "the import (--team)"
            ),
        )
    return team_id


def crm_team_of(ctx, crm_id: str) -> int | None:
    """The team the org from the CRM puts this rep in (None: keep Relay's)."""
    people: PeopleImport | None = getattr(ctx, "people", None)
    if people is None or not people.from_crm:
        return None
    key = people.plan.team_of.get(crm_id)
    return people.team_ids.get(key) if key else None


def crm_region_of(ctx, crm_id: str) -> str:
    """The region of the team the org from the CRM puts this rep in ("" when none)."""
    people: PeopleImport | None = getattr(ctx, "people", None)
    if people is None or not people.from_crm:
        return ""
    key = people.plan.team_of.get(crm_id)
    return people.plan.nodes[key].region if key else ""


def is_active_user(row) -> bool:
    return parse_bool(row("is_active"), row.column("is_active")) is not False


def user_decision(row, ctx, crm_id: str) -> Decision | None:
    """This user's decision; raises RowSkipped for a manager or a skipped user."""
    people: PeopleImport | None = getattr(ctx, "people", None)
    if people is None:
        return None
    org_apply(ctx)
    decision = people.decision(crm_id)
    if decision is None or decision.becomes == REP:
        return decision
    if decision.becomes == MANAGER:
        reason = _("a manager (login with the sales-manager role), not a rep")
    else:
        reason = _("not a rep: %(why)s") % {"why": decision.reason}
    raise RowSkipped(row.column("id"), crm_id, reason)


def sf_role(row, ctx) -> dict:
    """A UserRole.csv row: counted against the team it became (written by ``org_apply``)."""
    role_id = row.external_id()
    org_apply(ctx)
    return {"external_id": role_id, "name": text(row("name"))}


def write_roles(records: list[dict], ctx) -> tuple[int, int, int]:
    """(created, updated, unchanged) for the roles: a role is created or updated when the team
    it became was."""
    people: PeopleImport | None = getattr(ctx, "people", None)
    statuses = people.node_status if people else {}
    counted = [statuses.get(f"role:{record['external_id']}", "unchanged") for record in records]
    return (
        counted.count("created"),
        counted.count("updated"),
        counted.count("unchanged"),
    )


def _remembered_non_reps(ctx) -> dict[str, str]:
    """What earlier imports made of the CRM users who are not reps, by CRM user id."""
    cache = getattr(ctx, "_non_reps", None)
    if cache is None:
        cache = dict(
            CrmUserChoice.objects.exclude(becomes=REP).values_list("crm_user_id", "becomes")
        )
        ctx._non_reps = cache
    return cache


# A Salesforce id is 15 case-sensitive characters, or those and a 3-character checksum (18); its
# first three, the key prefix, name its object. An OwnerId may name a queue (a Group, 00G), not
# only a user (005): Salesforce lets a queue own cases, leads and custom objects.
_QUEUE_ID = re.compile(r"00G[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?")


def is_queue_id(crm_id: str) -> bool:
    """Whether a Salesforce OwnerId names a queue: a Group id, key prefix 00G."""
    return _QUEUE_ID.fullmatch(crm_id) is not None


def non_rep_reason(ctx, crm_id: str) -> str | None:
    """Why records owned by this CRM owner are skipped (a queue, a manager or a skipped user),
    or None."""
    if is_queue_id(crm_id):
        return _("owned by a Salesforce queue (an 00G… id), not a person")
    people: PeopleImport | None = getattr(ctx, "people", None)
    decision = people.decision(crm_id) if people else None
    becomes = _remembered_non_reps(ctx).get(crm_id) if decision is None else decision.becomes
    if becomes == MANAGER:
        return _("owned by a manager, who is not a rep")
    if becomes == SKIP:
        return _("owned by a CRM user who is not a rep")
    return None


# --- HR files in HR's layout --------------------------------------------------------------------


def _upload_crm_ids_by_email(people: PeopleImport) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for crm_id, user in people.users.items():
        if user.email and people.decision(crm_id):
            found.setdefault(user.email.lower(), set()).add(crm_id)
    return found


def hr_person_not_a_rep(row, ctx, *, crm_id: str, email: str) -> None:
    """Raise RowSkipped for an HR row (of a person Relay does not hold as a rep) whom the CRM
    side made a manager or skipped: HR's sales department lists managers and directors too.

    Such a person is a CRM user of this upload decided manager or skip (by the row's CRM user
    id, else by e-mail when no CRM user of that e-mail became a rep), a CRM user an earlier
    import decided so (by CRM user id), or, once any CRM users were imported, an existing login
    with the sales-manager role and this e-mail. Without any CRM, every HR row is a rep."""
    found = _hr_not_a_rep(ctx, crm_id=crm_id, email=email.strip().lower())
    if found:
        key, value, reason = found
        raise RowSkipped(row.column(key), value, reason)


def _hr_not_a_rep(ctx, *, crm_id: str, email: str) -> tuple[str, str, str] | None:
    """(column key, value, reason) when the person is not a rep by the CRM side, else None."""
    manager = _("a manager in the CRM (login with the sales-manager role), not a rep")
    people: PeopleImport | None = getattr(ctx, "people", None)
    decisions: list[Decision] = []
    key, value = "crm_user_id", crm_id
    if people is not None:
        if crm_id and people.decision(crm_id):
            decisions = [people.decision(crm_id)]
        elif email:
            by_email = getattr(ctx, "_crm_ids_by_email", None)
            if by_email is None:
                by_email = ctx._crm_ids_by_email = _upload_crm_ids_by_email(people)
            decisions = [people.decision(found) for found in sorted(by_email.get(email, ()))]
            key, value = "email", email
    if any(decision.becomes == REP for decision in decisions):
        return None
    if any(decision.becomes == MANAGER for decision in decisions):
        return key, value, manager
    if decisions:
        return key, value, _("not a rep in the CRM: %(why)s") % {"why": decisions[0].reason}
    remembered = _remembered_non_reps(ctx).get(crm_id) if crm_id else None
    if remembered == MANAGER:
        return "crm_user_id", crm_id, manager
    if remembered == SKIP:
        return (
            "crm_user_id",
            crm_id,
            _("not a rep in the CRM (an earlier import skipped this user)"),
        )
    if email and email in _manager_emails(ctx):
        reason = _("a manager in Relay (login with the sales-manager role), not a rep")
        return "email", email, reason
    return None


def _manager_emails(ctx) -> set[str]:
    """The e-mails of the logins with the sales-manager role, once any CRM users were imported
    (in this upload or an earlier one); none without a CRM."""
    emails = getattr(ctx, "_manager_emails", None)
    if emails is None:
        emails = set()
        if getattr(ctx, "people", None) is not None or CrmUserChoice.objects.exists():
            logins = User.objects.filter(role=User.Role.SALES_MANAGER).exclude(email="")
            emails = {email.lower() for email in logins.values_list("email", flat=True)}
        ctx._manager_emails = emails
    return emails


# What HR writes between a region and a team: 'Region / Team', 'Region - Team' (and –, —, >,
# |, :), with or without spaces around it.
_TEAM_SEPARATORS = frozenset("/-–—>|:")


@dataclass
class _TeamIndex:
    """Relay's teams as HR names them: by name (team_key), and the region names above each."""

    by_name: dict[str, list[int]]
    above: dict[int, set[str]]  # team id → its ancestors' names and paths ('Americas / East')
    known: set[str]  # every name and path of a Relay team or region


def _team_index(ctx) -> _TeamIndex:
    index = getattr(ctx, "_hr_team_index", None)
    if index is None:
        org_apply(ctx)  # the teams the CRM's org makes, when the upload has its users
        teams = {t["id"]: t for t in Team.objects.values("id", "name", "parent_id")}
        by_name: dict[str, list[int]] = {}
        above: dict[int, set[str]] = {}
        for team_id, team in teams.items():
            by_name.setdefault(team_key(team["name"]), []).append(team_id)
            names: set[str] = set()
            path = ""
            parent_id, seen = team["parent_id"], {team_id}
            while parent_id in teams and parent_id not in seen:
                seen.add(parent_id)
                parent = teams[parent_id]["name"]
                path = f"{parent} / {path}" if path else parent
                names |= {team_key(parent), team_key(path)}
                parent_id = teams[parent_id]["parent_id"]
            above[team_id] = names
        known = set(by_name).union(*above.values())
        index = ctx._hr_team_index = _TeamIndex(by_name=by_name, above=above, known=known)
    return index


def _one(found: set[int]) -> int | None:
    return next(iter(found)) if len(found) == 1 else None


def hr_team(name: str, ctx) -> int | None:
    """The team an HR file names: 'Team', 'Region / Team', 'Region - Team' (and –, >, |, with
    or without spaces), a CRM role id the org was built from, or Relay's team number.

    Names may hold the separators themselves ('Northeast - Boston Mid-Market', 'EMEA/APAC /
    Sales/Ops'), so every place the name could be cut is tried: a cut whose team part names a
    Relay team and whose region part names a region above it wins; else a cut whose team part
    names one Relay team and whose region part names no Relay team or region at all (HR's own
    label, which cannot disagree with Relay). Two different teams found the same way are
    ambiguous: None, as for a name no team has."""
    name = " ".join(name.split())
    if not name:
        return None
    index = _team_index(ctx)
    whole = index.by_name.get(team_key(name), [])
    if whole:
        return whole[0] if len(whole) == 1 else None
    codes = getattr(ctx, "_team_codes", None)
    if codes is None:
        codes = {}
        for key, team_id in CrmTeamLink.objects.values_list("key", "team_id"):
            codes[key.partition(":")[2].lower()] = team_id
        for team_id in Team.objects.values_list("id", flat=True):
            codes[str(team_id)] = team_id
        ctx._team_codes = codes
    if name.lower() in codes:
        return codes[name.lower()]
    in_region: set[int] = set()
    elsewhere: set[int] = set()
    for at, character in enumerate(name):
        if character not in _TEAM_SEPARATORS:
            continue
        region, team = team_key(name[:at]), team_key(name[at + 1 :])
        if not region or not team:
            continue
        named = index.by_name.get(team, [])
        in_region |= {team_id for team_id in named if region in index.above[team_id]}
        if len(named) == 1 and region not in index.known:
            elsewhere.add(named[0])
    if in_region:
        return _one(in_region)
    return _one(elsewhere)


def _tree(ctx):
    from accounts.org import OrgTree

    tree = getattr(ctx, "_org_tree", None)
    if tree is None:
        tree = ctx._org_tree = OrgTree.load()
    return tree


def _is(user: User, named: str) -> bool:
    named = named.strip().lower()
    return named in {user.email.lower(), user.username.lower(), user.get_full_name().lower()}


def hr_manager_check(row, ctx, *, team_id: int, named: str) -> None:
    """A manager HR names for a team: kept in mind to become its manager when it has none; said
    once per team in the report (not on every row) when Relay's manager is someone else."""
    seen: set = getattr(ctx, "_hr_managers_seen", None) or set()
    ctx._hr_managers_seen = seen
    key = (team_id, named.lower())
    if key in seen:
        return
    seen.add(key)
    tree = _tree(ctx)
    team_name = " / ".join(tree.names.get(t, "") for t in reversed(tree.ancestors(team_id)))
    above = tree.managers_above(team_id)
    if any(_is(manager, named) for manager in above):
        return
    pending: dict[int, str] = getattr(ctx, "hr_managers_pending", None) or {}
    ctx.hr_managers_pending = pending
    named_before: dict[int, str] = getattr(ctx, "hr_managers_named", None) or {}
    # "Has none" by the one rule of accounts.org: no active manager on the team or above it.
    if not above and team_id not in pending and team_id not in named_before:
        pending[team_id] = named
        ctx.flag(
            row.column("manager"),
            named,
            _("becomes the manager of %(team)s, which had none in Relay") % {"team": team_name},
        )
        return
    current = above or [pending.get(team_id) or named_before.get(team_id)]
    ctx.flag(
        row.column("manager"),
        named,
        _(
            "HR names another manager of %(team)s than Relay's (%(current)s), for this and "
            "every other row of the team; Relay's is kept (managers are set in administration)"
        )
        % {"team": team_name, "current": ", ".join(str(m) for m in current)},
    )


def hr_managers_apply(ctx) -> None:
    """Name the managers HR gave for teams that had none (a login is made when there is none)."""
    pending: dict[int, str] = getattr(ctx, "hr_managers_pending", None) or {}
    named_before: dict[int, str] = getattr(ctx, "hr_managers_named", None) or {}
    for team_id, named in pending.items():
        named_before[team_id] = named
        login = User.objects.filter(email__iexact=named).first() or (
            User.objects.filter(username__iexact=named).first()
        )
        if login is None and "@" in named:
            login = user_create(
                username=named[:150], password=None, role=User.Role.SALES_MANAGER, email=named
            )
        if login is None:
            continue  # a name, not an e-mail: nobody to make a login for
        if not login.role:
            user_set_role(user=login, role=User.Role.SALES_MANAGER)
        Team.objects.get(pk=team_id).managers.add(login)
    ctx.hr_managers_pending = {}
    ctx.hr_managers_named = named_before
