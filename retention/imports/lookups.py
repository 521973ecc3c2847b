"""References an import resolves: reps, customers and teams, loaded once into dicts.

Converters look rows up here instead of querying per row; writers add what they create, so
later files in the same batch (and later chunks of the same file) see it.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from accounts.models import Team, User
from accounts.org import org_tree
from retention.models import Customer, SalesRep

_EMAIL_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")


@dataclass
class Options:
    """What the admin chose for this import (page form, API or command line).

    ``mappings`` is {kind: {field: column}}; ``values`` is {kind: {field: {file value: value}}};
    ``mapping_name`` picks a saved mapping by name; ``encodings`` is {file name or "*": codec}.
    """

    score_column: str = ""
    score_scale: str = "5"
    default_team_id: int | None = None
    skip_rejected: bool = False
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    mapping_name: str = ""
    encodings: dict[str, str] = field(default_factory=dict)
    # {CRM user id: "rep" | "manager" | "skip"}: the admin's decisions about Salesforce users.
    people: dict[str, str] = field(default_factory=dict)
    # Build (or rebuild) teams and managers from the CRM even though Relay has teams.
    org_from_crm: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> "Options":
        return cls(
            score_column=str(data.get("score_column") or ""),
            score_scale=str(data.get("score_scale") or "5"),
            default_team_id=data.get("default_team_id") or None,
            skip_rejected=bool(data.get("skip_rejected")),
            mappings=dict(data.get("mappings") or {}),
            values=dict(data.get("values") or {}),
            mapping_name=str(data.get("mapping_name") or ""),
            encodings=dict(data.get("encodings") or {}),
            people=dict(data.get("people") or {}),
            org_from_crm=bool(data.get("org_from_crm")),
        )

    def to_dict(self) -> dict:
        return {
            "score_column": self.score_column,
            "score_scale": self.score_scale,
            "default_team_id": self.default_team_id,
            "skip_rejected": self.skip_rejected,
            "mappings": self.mappings,
            "values": self.values,
            "mapping_name": self.mapping_name,
            "encodings": self.encodings,
            "people": self.people,
            "org_from_crm": self.org_from_crm,
        }


def team_key(name: str) -> str:
    """A team's name (or 'Region / Team') as looked up: any case, spacing and spacing around
    '/', so 'Sales/Ops' and 'Sales / Ops' are one name."""
    return " ".join(name.replace("/", " / ").lower().split())


class ImportContext:
    def __init__(self, *, options: Options, today: dt.date, tz: dt.tzinfo, user: User | None):
        self.options = options
        self.today = today
        self.tz = tz
        self.user = user
        self.flags: list[tuple[str, str, str]] = []
        # Notes from writers, by the record's external id: (external_id, column, value, reason).
        self.record_flags: list[tuple[str, str, str, str]] = []
        self.reps_by_crm: dict[str, int] = {}
        self.reps_by_hr: dict[str, int] = {}
        self.reps_by_email: dict[str, int | None] = {}
        self.reps_by_name: dict[str, int | None] = {}
        self.rep_hire_date: dict[int, dt.date] = {}
        self.rep_has_hr_id: set[int] = set()
        self.rep_crm_id: dict[int, str] = {}
        # HR employee ids of this upload's people file skipped as not reps (managers,
        # directors), with the reason: their absences are skipped with it, not rejected.
        self.hr_not_reps: dict[str, str] = {}
        self._customers: dict[str, dict[str, int]] = {}
        self.teams_by_name: dict[str, int | None] = {}
        self.team_managers: dict[int, set[str]] = {}
        # Salesforce users of this upload and the org they imply (retention.imports.org).
        self.people = None
        self._load_reps()
        self._load_teams()

    # --- reps -----------------------------------------------------------------------------
    def _load_reps(self) -> None:
        for rep in SalesRep.objects.values(
            "id", "crm_user_id", "hr_employee_id", "email", "first_name", "last_name", "hire_date"
        ):
            self.remember_rep(**rep)

    def remember_rep(
        self,
        *,
        id: int,
        crm_user_id: str,
        hr_employee_id: str,
        email: str,
        first_name: str,
        last_name: str,
        hire_date: dt.date,
    ) -> None:
        if crm_user_id:
            self.reps_by_crm[crm_user_id] = id
            self.rep_crm_id[id] = crm_user_id
        if hr_employee_id:
            self.reps_by_hr[hr_employee_id] = id
            self.rep_has_hr_id.add(id)
        self.rep_hire_date[id] = hire_date
        for index, key in (
            (self.reps_by_email, email.lower()),
            (self.reps_by_name, f"{first_name} {last_name}".strip().lower()),
        ):
            if key:
                # A name or e-mail shared by two reps resolves to nobody rather than a guess.
                index[key] = id if index.get(key, id) == id else None

    def rep_by_email(self, email: str) -> int | None:
        return self.reps_by_email.get(email.strip().lower()) if email else None

    def rep_by_any(self, value: str) -> int | None:
        """A rep named by employee id, CRM user id, e-mail, or (HubSpot owners) full name."""
        value = value.strip()
        if not value:
            return None
        found = self.reps_by_hr.get(value) or self.reps_by_crm.get(value)
        if found:
            return found
        match = _EMAIL_IN_TEXT.search(value)
        if match:
            return self.rep_by_email(match.group(0))
        return self.reps_by_name.get(" ".join(value.lower().split()))

    # --- customers --------------------------------------------------------------------------
    def customers(self, source: str) -> dict[str, int]:
        if source not in self._customers:
            self._customers[source] = dict(
                Customer.objects.filter(source=source)
                .exclude(external_id="")
                .values_list("external_id", "id")
            )
        return self._customers[source]

    # --- teams --------------------------------------------------------------------------------
    def _load_teams(self) -> None:
        teams = list(Team.objects.values("id", "name", "parent_id"))
        names = {team["id"]: team["name"] for team in teams}
        for team in teams:
            keys = [team["name"].lower()]
            if team["parent_id"]:
                keys.append(f"{names[team['parent_id']]} / {team['name']}".lower())
            for key in keys:
                key = team_key(key)
                self.teams_by_name[key] = (
                    team["id"] if self.teams_by_name.get(key, team["id"]) == team["id"] else None
                )
        # The team's managers are accounts.org's: active sales managers of the team and of
        # every team above it.
        tree = org_tree()
        for team in teams:
            self.team_managers[team["id"]] = {
                name.lower()
                for manager in tree.managers_above(team["id"])
                for name in (manager.email, manager.username)
                if name
            }

    def team_by_name(self, name: str) -> int | None:
        return self.teams_by_name.get(team_key(name))

    def flag(self, column: str, value: object, reason: str) -> None:
        self.flags.append((column, "" if value is None else str(value), reason))
