"""Who a CRM user is to Relay, and the org chart the CRM implies. Pure: no database.

Every Salesforce user becomes one of three things:

- a **rep** (a ``SalesRep``: scored, in team medians, used in training),
- a **manager** (a login with the sales-manager role, named manager of their teams; never a rep),
- **skipped** (integration, automated-process, license-manager, chatter-only, portal users,
  admins and sales operations; inactive users with no history).

The defaults come from ``UserType``, ``IsActive``, the role's name, ``Title`` and ``ManagerId``
(people others report to manage them). "Manager" in a title does not make a manager of someone
who owns accounts or deals and manages nobody (no reports, no role above others'): a seller.
An admin's choice beats every default.

The org is built from the role hierarchy (``UserRole.csv``: a role holding reps is a team, the
roles above it are regions), else from ``ManagerId`` (a manager with reps reporting to them has
a team, named for the Department when it tells teams apart, inside the region of their
Division), else from ``Division``/``Department`` alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

REP = "rep"
MANAGER = "manager"
SKIP = "skip"
BECOMES = (REP, MANAGER, SKIP)

# Salesforce UserType values that are not employees with a full licence.
_CHATTER_TYPES = {"csnonly"}
_AUTOMATED_TYPES = {"automatedprocess"}
_PORTAL_TYPES = {
    "powerpartner",
    "powercustomersuccess",
    "customersuccess",
    "csplitportal",
    "cspliteportal",
    "guest",
    "selfservice",
}
_TECHNICAL = re.compile(
    r"\b(integration|automated process|license manager|api user|system user|security user|"
    r"chatter expert|data\.com|insights|autoproc|platform integration)\b",
    re.IGNORECASE,
)
_NOT_SALES = re.compile(
    r"\b(admin|administrator|sales ?ops|sales operations|operations|revops|revenue operations|"
    r"enablement|analyst|marketing|finance|support engineer|it)\b",
    re.IGNORECASE,
)
_LEADER = re.compile(
    r"\b(director|vp|svp|evp|vice president|head of|chief|ceo|cro|president|"
    r"regional manager|sales manager|area manager|district manager|team manager|"
    r"general manager|country manager|manager)\b",
    re.IGNORECASE,
)
# "Account Manager" and "Territory (Sales) Manager" carry a book of customers: they are reps.
_REP_MANAGER = re.compile(
    r"\b(account|territory|client|relationship|partner|channel|key account|"
    r"customer success|inside sales account)\s+(sales\s+)?manager\b",
    re.IGNORECASE,
)
_TEAM_SUFFIX = re.compile(
    r"[\s\-–:]*(sales\s+reps?|reps?|account\s+executives?|aes?|sales\s+team|team|"
    r"sales\s+users?|users?|(sales\s+)?(managers?|directors?|management|leads?|leadership))$",
    re.IGNORECASE,
)


@dataclass
class CrmUser:
    """One row of User.csv, as far as deciding who the user is goes."""

    id: str
    last_name: str
    first_name: str = ""
    username: str = ""
    email: str = ""
    title: str = ""
    user_type: str = ""
    is_active: bool = True
    role_id: str = ""
    manager_id: str = ""
    division: str = ""
    department: str = ""
    last_seen: dt.date | None = None
    row: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class CrmRole:
    id: str
    name: str
    parent_id: str = ""


@dataclass
class Decision:
    becomes: str
    reason: str
    chosen_by: str = "default"  # default | remembered | admin
    # For an inactive rep: the last day the CRM shows (their last activity), if no HR date.
    left_on: dt.date | None = None


@dataclass
class OrgNode:
    """A team (or a region, when other nodes sit below it) the CRM implies."""

    key: str
    name: str
    parent_key: str | None = None
    region: str = ""
    manager_ids: list[str] = field(default_factory=list)  # CRM user ids
    rep_count: int = 0


@dataclass
class OrgPlan:
    """What the import will make of the users: a decision each, and the teams they sit in."""

    decisions: dict[str, Decision]
    nodes: dict[str, OrgNode]  # parents before children
    team_of: dict[str, str]  # rep's CRM id → node key
    built_from: str  # roles | managers | divisions | none

    def describe(self, users: dict[str, CrmUser]) -> dict:
        """Plain data for the check page and the API."""
        names = {node.key: node.name for node in self.nodes.values()}
        rows = []
        for crm_id, decision in self.decisions.items():
            user = users[crm_id]
            rows.append(
                {
                    "id": crm_id,
                    "name": user.full_name,
                    "title": user.title,
                    "active": user.is_active,
                    "becomes": decision.becomes,
                    "reason": decision.reason,
                    "chosen_by": decision.chosen_by,
                    "team": _path(self.nodes, self.team_of.get(crm_id) or self._managed(crm_id)),
                    "left_on": decision.left_on.isoformat() if decision.left_on else "",
                }
            )
        rows.sort(key=lambda row: (BECOMES.index(row["becomes"]), row["team"], row["name"]))
        tree = [
            {
                "key": node.key,
                "name": node.name,
                "path": _path(self.nodes, node.key),
                "depth": len(_chain(self.nodes, node.key)) - 1,
                "parent": names.get(node.parent_key or "", ""),
                "managers": [users[m].full_name for m in node.manager_ids if m in users],
                "reps": node.rep_count,
            }
            for node in self.nodes.values()
        ]
        tree.sort(key=lambda entry: entry["path"])
        counts = Counter(decision.becomes for decision in self.decisions.values())
        return {
            "built_from": self.built_from,
            "users": rows,
            "tree": tree,
            "counts": {becomes: counts.get(becomes, 0) for becomes in BECOMES},
        }

    def _managed(self, crm_id: str) -> str | None:
        for node in self.nodes.values():
            if crm_id in node.manager_ids:
                return node.key
        return None


def _chain(nodes: dict[str, OrgNode], key: str | None) -> list[OrgNode]:
    chain: list[OrgNode] = []
    while key and key in nodes and len(chain) < 50:
        chain.append(nodes[key])
        key = nodes[key].parent_key
    return list(reversed(chain))


def _path(nodes: dict[str, OrgNode], key: str | None) -> str:
    return " / ".join(node.name for node in _chain(nodes, key))


# --- who is a rep -------------------------------------------------------------------------------


def classify(
    user: CrmUser,
    *,
    role_name: str = "",
    has_reports: bool = False,
    has_history: bool = False,
    manages: bool = False,
) -> Decision:
    """The default for one user (no admin choice).

    ``has_reports``: active users report to them (ManagerId). ``manages``: anyone does, active
    or not, or their role sits above other users' roles (UserRole.csv). A "manager" in the title
    alone does not make a manager of someone who owns accounts or deals and manages nobody: a
    seller with a book of customers is a rep, whatever the title says."""
    user_type = user.user_type.replace(" ", "").lower()
    who = f"{user.full_name} {user.username}"
    if user_type in _AUTOMATED_TYPES:
        return Decision(SKIP, _("automated-process user"))
    if user_type in _CHATTER_TYPES:
        return Decision(SKIP, _("Chatter-only user"))
    if user_type in _PORTAL_TYPES:
        return Decision(SKIP, _("portal, partner or guest user (UserType %s)") % user.user_type)
    technical = _TECHNICAL.search(who) or _TECHNICAL.search(user.title)
    if technical:
        return Decision(SKIP, _("technical user (%s)") % technical.group(0).lower())
    if not user.is_active and not has_history:
        return Decision(SKIP, _("inactive, with no accounts or deals"))
    described = " ".join(filter(None, [user.title, role_name]))
    not_sales = _NOT_SALES.search(user.title) or (not user.title and _NOT_SALES.search(role_name))
    if not_sales and not _REP_MANAGER.search(described):
        return Decision(SKIP, _("not in sales (%s)") % (user.title or role_name))
    # The title says who leads; with no title, the role's name does.
    leader = _leader_in(user.title or role_name)
    sells = _says_manager(leader) and has_history and not (has_reports or manages)
    if sells:
        leader = None
    if user.is_active and leader:
        return Decision(MANAGER, _("leads a team (%s)") % (user.title or role_name))
    if user.is_active and has_reports:
        return Decision(MANAGER, _("other users report to them (ManagerId)"))
    if not user.is_active:
        if leader or has_reports:
            return Decision(SKIP, _("inactive manager"))
        return Decision(
            REP,
            _("inactive with history: a rep who has left"),
            left_on=user.last_seen,
        )
    if sells:
        return Decision(
            REP, _("sells (%s): owns accounts or deals and manages nobody") % user.title
        )
    return Decision(REP, _("sells (%s)") % (user.title or _("no title")))


def decide(
    users: dict[str, CrmUser],
    *,
    roles: dict[str, CrmRole],
    with_history: set[str],
    chosen: dict[str, str],
    remembered: dict[str, str],
) -> dict[str, Decision]:
    """Every user's decision: the admin's choice in this import, else the one remembered from an
    earlier import, else the default."""
    reports_to: Counter[str] = Counter(
        user.manager_id for user in users.values() if user.manager_id and user.is_active
    )
    managed = {user.manager_id for user in users.values() if user.manager_id}
    above = _roles_above_users(users, roles)
    decisions: dict[str, Decision] = {}
    for crm_id, user in users.items():
        role = roles.get(user.role_id)
        decision = classify(
            user,
            role_name=role.name if role else "",
            has_reports=reports_to.get(crm_id, 0) > 0,
            has_history=crm_id in with_history,
            manages=crm_id in managed or user.role_id in above,
        )
        for source, choices in (("admin", chosen), ("remembered", remembered)):
            choice = choices.get(crm_id)
            if choice in BECOMES:
                if choice != decision.becomes or source == "admin":
                    left_on = user.last_seen if choice == REP and not user.is_active else None
                    decision = Decision(choice, _("chosen by an admin"), source, left_on)
                break
        decisions[crm_id] = decision
    # A user whose reports are all skipped still leads nobody: without reps, not a manager
    # by ManagerId alone (titles and roles still count).
    return decisions


def _roles_above_users(users: dict[str, CrmUser], roles: dict[str, CrmRole]) -> set[str]:
    """The roles some user's role sits below (UserRole.csv's ParentRoleId, up to the top)."""
    above: set[str] = set()
    for role_id in {user.role_id for user in users.values() if user.role_id in roles}:
        parent = roles[role_id].parent_id
        while parent in roles and parent not in above:
            above.add(parent)
            parent = roles[parent].parent_id
    return above


def _leader_in(title: str) -> re.Match | None:
    """The words of ``title`` that make a leader (``_LEADER``), unless it is a seller's
    "manager" title (``_REP_MANAGER``: Account Manager, Territory Sales Manager…)."""
    return None if _REP_MANAGER.search(title) else _LEADER.search(title)


def _says_manager(leader: re.Match | None) -> bool:
    """Whether the leader's words are a manager's (not a director's, a VP's…): such a user may
    be a seller, when they own accounts or deals and manage nobody."""
    return leader is not None and "manager" in leader.group(0).lower()


def may_sell_with_a_manager_title(user: CrmUser) -> bool:
    """Whether the title says manager (not director, VP…): such a user who owns accounts or
    deals and manages nobody is a rep, so the import looks up what they own."""
    return _says_manager(_leader_in(user.title))


# --- the org ------------------------------------------------------------------------------------


def team_name_from_role(name: str) -> str:
    """'East - Miami Sales Reps' → 'East - Miami'; a name that would be empty stays whole."""
    cleaned = _TEAM_SUFFIX.sub("", name.strip()).strip(" -–:")
    return cleaned or name.strip()


def build_org(
    users: dict[str, CrmUser],
    decisions: dict[str, Decision],
    *,
    roles: dict[str, CrmRole],
) -> OrgPlan:
    reps = [crm_id for crm_id, d in decisions.items() if d.becomes == REP]
    managers = [crm_id for crm_id, d in decisions.items() if d.becomes == MANAGER]
    if roles and any(users[crm_id].role_id in roles for crm_id in reps):
        return _org_from_roles(users, decisions, roles, reps, managers)
    if any(users[crm_id].manager_id in managers for crm_id in reps):
        return _org_from_managers(users, decisions, reps, managers)
    return _org_from_divisions(users, decisions, reps, managers)


def _org_from_roles(users, decisions, roles, reps, managers) -> OrgPlan:
    def ancestors(role_id: str) -> list[str]:
        chain, seen = [], set()
        while role_id in roles and role_id not in seen:
            seen.add(role_id)
            chain.append(role_id)
            role_id = roles[role_id].parent_id
        return chain

    reps_in_role = Counter(users[r].role_id for r in reps if users[r].role_id in roles)
    # Roles that hold reps, and every role above them: the sales part of the hierarchy.
    kept: set[str] = set()
    for role_id in reps_in_role:
        kept.update(ancestors(role_id))
    children: dict[str, list[str]] = defaultdict(list)
    for role_id in kept:
        parent = roles[role_id].parent_id
        children[parent if parent in kept else ""].append(role_id)
    # A role with no reps of its own and one sales role below it (a manager's role above the
    # reps' role) is the same team: fold it into the one below.
    folded: dict[str, str] = {}

    def node_of(role_id: str) -> str:
        while role_id in folded:
            role_id = folded[role_id]
        return role_id

    in_role = Counter(users[m].role_id for m in managers)
    fold_names: dict[str, str] = {}
    for role_id in sorted(kept, key=lambda r: len(ancestors(r))):
        below = children.get(role_id, [])
        if len(below) != 1:
            continue
        # A manager's role named like the reps' role below it is the same team (its own reps,
        # a player-coach, join it).
        same_team = team_name_from_role(roles[role_id].name).lower() == (
            team_name_from_role(roles[below[0]].name).lower()
        )
        top_and_empty = (
            role_id in children[""] and not in_role.get(role_id) and not reps_in_role.get(role_id)
        )
        if same_team or top_and_empty:
            folded[role_id] = below[0]
            # "Inside Sales" above "Inside Sales Reps": the team keeps the fuller name.
            above_name = team_name_from_role(roles[role_id].name)
            below_name = fold_names.get(below[0]) or team_name_from_role(roles[below[0]].name)
            if len(above_name) > len(below_name) and above_name.lower().startswith(
                below_name.lower()
            ):
                fold_names[below[0]] = above_name
            if top_and_empty:
                children[""].append(below[0])
    # Roots with no reps and several children (the CEO's or the VP's role) stay as the top
    # region, so the VP sees everyone below.
    nodes: dict[str, OrgNode] = {}
    for role_id in sorted(kept, key=lambda r: (len(ancestors(r)), roles[r].name)):
        if role_id in folded:
            continue
        parent = roles[role_id].parent_id
        while parent and parent in kept and parent in folded:
            # A folded parent stands for the node below it, which is this one or a sibling
            # line: look higher for the region.
            parent = roles[parent].parent_id
        parent_key = f"role:{parent}" if parent in kept and parent not in folded else None
        nodes[f"role:{role_id}"] = OrgNode(
            key=f"role:{role_id}",
            name=(fold_names.get(role_id) or team_name_from_role(roles[role_id].name))[:120],
            parent_key=parent_key,
        )
    team_of: dict[str, str] = {}
    for crm_id in reps:
        role_id = users[crm_id].role_id
        if role_id in kept:
            key = f"role:{node_of(role_id)}"
            team_of[crm_id] = key
            nodes[key].rep_count += 1
    for crm_id in managers:
        role_id = users[crm_id].role_id
        if role_id in kept:
            nodes[f"role:{node_of(role_id)}"].manager_ids.append(crm_id)
        else:
            # A manager outside the sales roles manages the teams of the reps reporting to them.
            for key in sorted(
                {team_of[r] for r in reps if users[r].manager_id == crm_id and r in team_of}
            ):
                nodes[key].manager_ids.append(crm_id)
    # Reps with no role (or one outside the hierarchy) go where their manager's reps are.
    for crm_id in reps:
        if crm_id not in team_of:
            key = _team_of_manager(users[crm_id].manager_id, nodes, team_of, users)
            if key:
                team_of[crm_id] = key
                nodes[key].rep_count += 1
    return OrgPlan(decisions, _ordered(nodes), team_of, "roles")


def _team_of_manager(manager_id: str, nodes, team_of, users) -> str | None:
    for node in nodes.values():
        if manager_id and manager_id in node.manager_ids:
            return node.key
    return None


def _discriminating(values: list[str]) -> bool:
    """A column that tells groups apart (not 'Sales' for everyone)."""
    return len({value for value in values if value}) > 1


def _org_from_managers(users, decisions, reps, managers) -> OrgPlan:
    manager_set = set(managers)
    departments_tell = _discriminating([users[r].department for r in reps])
    nodes: dict[str, OrgNode] = {}
    team_of: dict[str, str] = {}
    # A manager with reps reporting to them has a team; a manager with managers reporting to
    # them has a region above those teams.
    led_by: dict[str, list[str]] = defaultdict(list)
    for crm_id in reps:
        if users[crm_id].manager_id in manager_set:
            led_by[users[crm_id].manager_id].append(crm_id)
    for manager_id, members in led_by.items():
        departments = Counter(users[m].department for m in members if users[m].department)
        name = (
            departments.most_common(1)[0][0]
            if departments_tell and departments
            else _("Team %(name)s") % {"name": users[manager_id].full_name}
        )
        key = f"manager:{manager_id}"
        nodes[key] = OrgNode(key=key, name=name[:120], manager_ids=[manager_id])
        for member in members:
            team_of[member] = key
            nodes[key].rep_count += 1
    _regions_above(nodes, users, manager_set)
    # A manager's node with other teams below it is a region: named for their Division.
    parents = {node.parent_key for node in nodes.values() if node.parent_key}
    for key in parents:
        manager = users[nodes[key].manager_ids[0]]
        nodes[key].name = (manager.division or _("Region %(name)s") % {"name": manager.full_name})[
            :120
        ]
    _unplaced_by_division(nodes, users, reps, team_of)
    return OrgPlan(decisions, _ordered(nodes), team_of, "managers")


def _regions_above(nodes: dict[str, OrgNode], users, manager_set: set[str]) -> None:
    """A node whose manager reports to another manager sits in that manager's region (named
    for their Division, else for them), up to the top."""
    pending = [key for key, node in nodes.items() if node.parent_key is None]
    while pending:
        key = pending.pop()
        node = nodes[key]
        above = users[node.manager_ids[0]].manager_id if node.manager_ids else ""
        if above not in manager_set:
            continue
        parent_key = f"manager:{above}"
        if parent_key not in nodes:
            division = users[above].division
            nodes[parent_key] = OrgNode(
                key=parent_key,
                name=(division or _("Region %(name)s") % {"name": users[above].full_name})[:120],
                manager_ids=[above],
            )
            pending.append(parent_key)
        if not _would_cycle(nodes, key, parent_key):
            node.parent_key = parent_key


def _would_cycle(nodes, key, parent_key) -> bool:
    current = parent_key
    for _step in range(100):
        if current is None:
            return False
        if current == key:
            return True
        current = nodes[current].parent_key if current in nodes else None
    return True


def _org_from_divisions(users, decisions, reps, managers) -> OrgPlan:
    nodes: dict[str, OrgNode] = {}
    team_of: dict[str, str] = {}
    departments_tell = _discriminating([users[r].department for r in reps])
    _unplaced_by_division(nodes, users, reps, team_of, departments_tell=departments_tell)
    for crm_id in managers:
        user = users[crm_id]
        key = (
            f"division:{user.division}/{user.department}"
            if departments_tell and user.department
            else f"division:{user.division}"
        )
        if key in nodes:
            nodes[key].manager_ids.append(crm_id)
    built = "divisions" if nodes else "none"
    return OrgPlan(decisions, _ordered(nodes), team_of, built)


def _unplaced_by_division(nodes, users, reps, team_of, *, departments_tell=None) -> None:
    if departments_tell is None:
        departments_tell = _discriminating([users[r].department for r in reps])
    for crm_id in reps:
        if crm_id in team_of:
            continue
        user = users[crm_id]
        if not user.division and not (departments_tell and user.department):
            continue
        region_key = f"division:{user.division}" if user.division else None
        if region_key and region_key not in nodes:
            nodes[region_key] = OrgNode(key=region_key, name=user.division[:120])
        key = region_key
        if departments_tell and user.department:
            key = f"division:{user.division}/{user.department}"
            if key not in nodes:
                nodes[key] = OrgNode(key=key, name=user.department[:120], parent_key=region_key)
        team_of[crm_id] = key
        nodes[key].rep_count += 1


def _regions(nodes: dict[str, OrgNode], users=None, team_of=None) -> None:
    """Each node's region (what Relay shows as a team's and a rep's region): the level below an
    umbrella top node (the VP's, whose children have children of their own), else the top."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for node in nodes.values():
        children[node.parent_key].append(node.key)
    for node in nodes.values():
        chain = _chain(nodes, node.key)
        top = chain[0]
        umbrella = any(children.get(child) for child in children.get(top.key, []))
        node.region = (chain[1] if umbrella and len(chain) > 1 else top).name


def _ordered(nodes: dict[str, OrgNode]) -> dict[str, OrgNode]:
    """Parents before children, then by name: the order teams can be created in."""
    _regions(nodes)
    return {
        node.key: node
        for node in sorted(nodes.values(), key=lambda n: (len(_chain(nodes, n.key)), n.name))
    }


def people_choices_read(path) -> dict[str, str]:
    """An admin's decisions from a CSV (``Id``/``crm_user_id`` and ``becomes``), for the command.

    Raises ValueError naming the row and column of anything it cannot read."""
    import csv

    choices: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        header = {name.strip().lower(): name for name in reader.fieldnames or []}
        id_column = header.get("id") or header.get("crm_user_id")
        becomes_column = header.get("becomes")
        if not id_column or not becomes_column:
            raise ValueError(_("%(path)s: needs the columns Id and becomes") % {"path": path})
        for number, line in enumerate(reader, start=2):
            crm_id = (line.get(id_column) or "").strip()
            becomes = (line.get(becomes_column) or "").strip().lower()
            becomes = {"skipped": SKIP, "none": SKIP}.get(becomes, becomes)
            if not crm_id:
                raise ValueError(
                    _("%(path)s row %(row)s: %(column)s is empty")
                    % {"path": path, "row": number, "column": id_column}
                )
            if becomes not in BECOMES:
                raise ValueError(
                    _("%(path)s row %(row)s: becomes=%(value)s is not one of rep, manager, skip")
                    % {"path": path, "row": number, "value": repr(becomes)}
                )
            choices[crm_id] = becomes
    return choices
