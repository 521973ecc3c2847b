"""The files Relay reads: Salesforce and HubSpot exports and Relay's own templates.

Each ``FileKind`` says which headers identify it, which column holds which field (with the
vendors' documented column names as aliases), and how one row becomes a record for a writer.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext_lazy as _

from config.money import currency_code_error, normalise_currency, organisation_currency
from retention.imports.errors import RowError, RowSkipped
from retention.imports.lookups import ImportContext
from retention.imports.org import (
    crm_region_of,
    crm_team_of,
    hr_manager_check,
    hr_person_not_a_rep,
    hr_team,
    is_active_user,
    non_rep_reason,
    rep_team_for,
    sf_role,
    user_decision,
)
from retention.imports.values import (
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_duration_hms,
    parse_int,
    text,
)
from retention.models import Activity, Deal, LeaveRecord, SalesRep, ServiceRecord


def normalise(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", str(header).replace("\ufeff", "").strip().lower())


@dataclass(frozen=True)
class Field:
    key: str
    aliases: tuple[str, ...]
    required: bool = False
    help: str = ""
    example: str = ""


# How older Salesforce weekly exports write an empty lookup (no account, no parent role).
EMPTY_LOOKUP = "000000000000000AAA"


class Row:
    """The cells of the current row, read by field key through the file's column mapping.

    ``values`` maps a field's values as the file writes them to what Relay reads (the admin's
    value mapping: ``Pipeline Review`` → ``Other``, ``Sehr zufrieden`` → ``5``).
    """

    __slots__ = ("cells", "columns", "index", "values")

    def __init__(
        self,
        index: dict[str, int],
        columns: dict[str, str],
        values: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.index = index
        self.columns = columns
        self.values = values or {}
        self.cells: list = []

    def __call__(self, key: str) -> object:
        position = self.index.get(key)
        if position is None or position >= len(self.cells):
            return ""
        value = self.cells[position]
        if value == EMPTY_LOOKUP:
            return ""
        mapped = self.values.get(key)
        if mapped:
            return mapped.get(text(value), value)
        return value

    def column(self, key: str) -> str:
        return self.columns.get(key, key)

    def required(self, key: str) -> str:
        value = text(self(key))
        if not value:
            raise RowError(self.column(key), "", _("is empty but required"))
        return value

    def external_id(self, key: str = "id") -> str:
        value = self.required(key)
        if len(value) > 64:
            raise RowError(self.column(key), value, _("an id longer than 64 characters"))
        return value


Converter = Callable[[Row, ImportContext], dict]


@dataclass(frozen=True)
class FileKind:
    key: str
    source: str
    label: str
    entity: str
    fields: tuple[Field, ...]
    signatures: tuple[frozenset[str], ...]
    convert: Converter
    order: int
    excluded: frozenset[str] = frozenset()
    hr_may_import: bool = False
    id_field: str = "id"
    description: str = ""
    # Salesforce object names: inside an export, the file named Account.csv is this kind.
    file_names: tuple[str, ...] = ()
    # The ``source`` its records are stored with, when not the kind's (cases: "case").
    stored_source: str = ""

    def field(self, key: str) -> Field:
        return next(field for field in self.fields if field.key == key)

    @property
    def is_template(self) -> bool:
        return self.source == "relay"


# --- shared pieces of converters ------------------------------------------------------------


def _rep_required(row: Row, key: str, ctx: ImportContext, *, hint: str) -> int:
    value = row.required(key)
    rep_id = ctx.rep_by_any(value)
    if rep_id is None:
        why = non_rep_reason(ctx, value)
        if why:
            raise RowSkipped(row.column(key), value, why)
        raise RowError(row.column(key), value, hint)
    return rep_id


def _rep_optional(row: Row, key: str, ctx: ImportContext, *, hint: str) -> int | None:
    value = text(row(key))
    if not value:
        return None
    rep_id = ctx.rep_by_any(value)
    if rep_id is None:
        why = non_rep_reason(ctx, value)
        ctx.flag(
            row.column(key),
            value,
            _("%(why)s; the row is kept without it") % {"why": why} if why else hint,
        )
    return rep_id


def _customer_optional(
    row: Row, keys: tuple[str, ...], ctx: ImportContext, source: str
) -> int | None:
    for key in keys:
        value = text(row(key)).split(";")[0].strip()
        if not value:
            continue
        customer_id = ctx.customers(source).get(value)
        if customer_id is None and key == keys[0]:
            ctx.flag(
                row.column(key),
                value,
                _("no customer with this id has been imported; the row is kept without a customer"),
            )
        if customer_id is not None:
            return customer_id
    return None


def _customer_required(row: Row, key: str, ctx: ImportContext, source: str) -> int:
    value = row.required(key).split(";")[0].strip()
    customer_id = ctx.customers(source).get(value)
    if customer_id is None:
        raise RowError(
            row.column(key),
            value,
            _(
                "no customer with this id: import the accounts/companies first "
                "(or in the same .zip)"
            ),
        )
    return customer_id


def _amount(row: Row, key: str) -> object:
    amount = parse_decimal(row(key), row.column(key))
    if amount is not None and amount < 0:
        raise RowError(row.column(key), row(key), _("must not be negative"))
    if amount is not None and abs(amount) >= 10**14:
        raise RowError(row.column(key), row(key), _("is too large"))
    return amount if amount is not None else 0


def _currency(row: Row, key: str, amount_key: str, ctx: ImportContext) -> str:
    """The ISO 4217 code an amount is in (Salesforce's ``CurrencyIsoCode`` in a multi-currency
    org), or "" for the organisation's. Relay converts no currency: an amount in another one is
    stored with its code, shown with it, and flagged so nobody reads it as the organisation's."""
    raw = row(key)
    code = normalise_currency(raw)
    if not code:
        return ""
    error = currency_code_error(code)
    if error:
        raise RowError(row.column(key), raw, error)
    own = organisation_currency()
    if code != own and row(amount_key) not in ("", None, 0, "0"):
        ctx.flag(
            row.column(amount_key),
            row(amount_key),
            _(
                "is in %(code)s, not the organisation's currency (%(own)s): kept and shown in "
                "%(code)s; Relay does not convert currencies, so totals in %(own)s count it at "
                "face value"
            )
            % {"code": code, "own": own},
        )
    return code


def _deal_dates(row: Row, created_key: str, close_key: str, ctx: ImportContext) -> tuple:
    created = parse_date(row(created_key), row.column(created_key))
    close = parse_date(row(close_key), row.column(close_key))
    if created is None and close is None:
        raise RowError(row.column(created_key), "", _("needs a created date or a close date"))
    # Backfilled opportunities can close before they were entered: count them from the close.
    created_on = min(day for day in (created, close) if day is not None)
    return created_on, close


_OWNER_HINT = _(
    "is not a known rep: import the users (User.csv) or people first; the row is kept without it"
)
_REP_HINT = _("is not a known rep: import the users (User.csv) or the people template first")


# --- Salesforce -------------------------------------------------------------------------------

SF = "salesforce"


def sf_user(row: Row, ctx: ImportContext) -> dict:
    """A Salesforce user who sells becomes a rep; a manager or a user who does not sell is
    skipped here (``retention.imports.org`` decides, and writes managers' logins and teams)."""
    crm_id = row.external_id()
    decision = user_decision(row, ctx, crm_id)
    rep_id = ctx.reps_by_crm.get(crm_id)
    email = text(row("email"))
    if rep_id is None and email:
        # Link the rep HR already knows by e-mail, unless it is linked to another CRM user.
        rep_id = ctx.rep_by_email(email)
        if rep_id is not None and ctx.rep_crm_id.get(rep_id):
            rep_id = None
    record = {"_rep_id": rep_id, "crm_user_id": crm_id}
    # HR data is authoritative for a rep it knows; the CRM only links its id then.
    if rep_id is None or rep_id not in ctx.rep_has_hr_id:
        record.update(
            first_name=text(row("first_name"))[:80],
            last_name=row.required("last_name")[:80],
            email=email[:254],
            title=text(row("title"))[:120],
        )
    hire_date = ctx.rep_hire_date.get(rep_id) if rep_id is not None else None
    if rep_id is None:
        record["team_id"] = rep_team_for(row, ctx, crm_id)
        record["region"] = (crm_region_of(ctx, crm_id) or text(row("division")))[:120]
        hire_date = parse_date(row("created_date"), row.column("created_date")) or ctx.today
        record["hire_date"] = hire_date
    else:
        planned = crm_team_of(ctx, crm_id)
        if planned is not None:
            record["team_id"] = planned  # the org from the CRM keeps reps where the CRM has them
    if decision is not None and not is_active_user(row):
        # An inactive user with history is a rep who has left: on HR's last day if the upload
        # has one, else on their last activity in the CRM; the reason is not known.
        left_on = decision.left_on or hire_date or ctx.today
        record["_left_per_crm"] = max(left_on, hire_date) if hire_date else left_on
    return record


def sf_account(row: Row, ctx: ImportContext) -> dict:
    created = parse_date(row("created_date"), row.column("created_date"))
    return {
        "source": SF,
        "external_id": row.external_id(),
        "name": row.required("name")[:200],
        "industry": text(row("industry"))[:120],
        "region": (text(row("billing_country")) or text(row("billing_state")))[:120],
        "annual_revenue": _amount(row, "annual_revenue"),
        "currency": _currency(row, "currency", "annual_revenue", ctx),
        "_owner": _rep_optional(row, "owner_id", ctx, hint=_OWNER_HINT),
        # Ownership starts when the CRM says the account began, not on the import day.
        "_owner_since": min(created, ctx.today) if created else None,
    }


def _sf_status(row: Row) -> str:
    won = parse_bool(row("is_won"), row.column("is_won"))
    closed = parse_bool(row("is_closed"), row.column("is_closed"))
    stage = text(row("stage_name")).lower()
    if won or stage == "closed won":
        return Deal.Status.WON
    if closed or stage == "closed lost":
        return Deal.Status.LOST
    return Deal.Status.OPEN


def sf_opportunity(row: Row, ctx: ImportContext) -> dict:
    created_on, close = _deal_dates(row, "created_date", "close_date", ctx)
    return {
        "source": SF,
        "external_id": row.external_id(),
        "customer_id": _customer_required(row, "account_id", ctx, SF),
        "owner_id": _rep_optional(row, "owner_id", ctx, hint=_OWNER_HINT),
        "name": text(row("name"))[:200],
        "stage": text(row("stage_name"))[:80],
        "amount": _amount(row, "amount"),
        "currency": _currency(row, "currency", "amount", ctx),
        "created_on": created_on,
        "close_date": close,
        "status": _sf_status(row),
    }


_SF_KIND = {
    "call": Activity.Kind.CALL,
    "email": Activity.Kind.EMAIL,
    "listemail": Activity.Kind.EMAIL,
    "meeting": Activity.Kind.MEETING,
    "visit": Activity.Kind.VISIT,
    "task": Activity.Kind.TASK,
}


def _sf_activity_base(row: Row, ctx: ImportContext) -> dict:
    return {
        "source": SF,
        "external_id": row.external_id(),
        "rep_id": _rep_required(row, "owner_id", ctx, hint=_REP_HINT),
        "customer_id": _customer_optional(row, ("account_id", "what_id"), ctx, SF),
        "subject": text(row("subject"))[:255],
    }


def _first_moment(row: Row, keys: tuple[str, ...], ctx: ImportContext) -> dt.datetime:
    for key in keys:
        moment = parse_datetime(row(key), row.column(key), ctx.tz)
        if moment is not None:
            return moment
    raise RowError(
        row.column(keys[0]),
        "",
        _("no date: the row has none of %(columns)s")
        % {"columns": ", ".join(row.column(key) for key in keys)},
    )


_DONE_STATUSES = {"completed", "complete", "closed", "done", "finished"}


def _todo_status(row: Row) -> str:
    """Open or done for a to-do with a status (Status, IsClosed); empty when the file says
    nothing, so a logged call without a status still counts as having happened."""
    closed = parse_bool(row("is_closed"), row.column("is_closed"))
    status = text(row("status")).lower()
    if closed is None and not status:
        return Activity.TodoStatus.NONE
    if closed or status in _DONE_STATUSES:
        return Activity.TodoStatus.DONE
    return Activity.TodoStatus.OPEN


def sf_task(row: Row, ctx: ImportContext) -> dict:
    record = _sf_activity_base(row, ctx)
    subtype = text(row("task_subtype")).lower() or text(row("type")).lower()
    seconds = parse_int(row("call_seconds"), row.column("call_seconds"))
    if seconds is not None and seconds < 0:
        raise RowError(row.column("call_seconds"), seconds, _("must not be negative"))
    record["kind"] = _SF_KIND.get(subtype, Activity.Kind.TASK)
    status = _todo_status(row)
    due = parse_date(row("activity_date"), row.column("activity_date"))
    keys = ("completed_at", "activity_date", "created_date")
    if status == Activity.TodoStatus.OPEN:
        keys = ("activity_date", "created_date")  # not done: when it is due, not when "done"
    record["occurred_at"] = _first_moment(row, keys, ctx)
    record["duration_minutes"] = -(-(seconds or 0) // 60)
    record["todo_status"] = status
    record["due_date"] = due
    record["is_internal"] = False
    return record


def sf_event(row: Row, ctx: ImportContext) -> dict:
    record = _sf_activity_base(row, ctx)
    minutes = parse_int(row("duration"), row.column("duration"))
    if minutes is not None and minutes < 0:
        raise RowError(row.column("duration"), minutes, _("must not be negative"))
    event_type = text(row("type")).lower()
    kind = _SF_KIND.get(event_type, Activity.Kind.MEETING)
    record["kind"] = Activity.Kind.MEETING if kind == Activity.Kind.TASK else kind
    record["occurred_at"] = _first_moment(
        row, ("activity_datetime", "start_datetime", "activity_date"), ctx
    )
    record["duration_minutes"] = minutes or 0
    linked = any(text(row(key)) for key in ("account_id", "what_id", "who_id"))
    record["is_internal"] = not linked or event_type in INTERNAL_EVENT_TYPES
    record["todo_status"] = Activity.TodoStatus.NONE
    record["due_date"] = None
    return record


# Event types that are not time with a customer (Salesforce's own picklist has "Other"; orgs
# add their own, which a value mapping can send to "Other").
INTERNAL_EVENT_TYPES = frozenset(
    {
        "other",
        "internal",
        "internal meeting",
        "team meeting",
        "pipeline review",
        "forecast review",
        "training",
        "one-on-one",
        "1:1",
        "out of office",
        "personal",
        "holiday",
        "vacation",
    }
)


def _score(row: Row, ctx: ImportContext, scale_max: object) -> object:
    score = parse_decimal(row("score"), row.column("score"))
    if score is None:
        return None
    if score < 0 or score > scale_max:
        raise RowError(
            row.column("score"),
            row("score"),
            _("must be between 0 and %(max)s") % {"max": scale_max},
        )
    return score


def sf_case(row: Row, ctx: ImportContext) -> dict:
    """A case is a service record with or without a score: most cases are never surveyed, but
    volume, escalations and the time to resolve them are service signals all the same."""
    scale_max = parse_decimal(ctx.options.score_scale, "score scale")
    score = _score(row, ctx, scale_max)
    opened = parse_datetime(row("created_date"), row.column("created_date"), ctx.tz)
    closed = parse_datetime(row("closed_date"), row.column("closed_date"), ctx.tz)
    moment = closed or opened
    if moment is None:
        raise RowError(
            row.column("created_date"), "", _("no date: neither CreatedDate nor ClosedDate")
        )
    minutes = None
    if opened and closed:
        if closed < opened:
            raise RowError(
                row.column("closed_date"), row("closed_date"), _("is before CreatedDate")
            )
        minutes = int((closed - opened).total_seconds() // 60)
    status = text(row("status")).lower()
    escalated = bool(parse_bool(row("is_escalated"), row.column("is_escalated"))) or (
        "escalat" in status
    )
    return {
        "source": ServiceRecord.Source.CASE,
        "external_id": row.external_id(),
        "rep_id": _rep_required(row, "owner_id", ctx, hint=_REP_HINT),
        "customer_id": _customer_optional(row, ("account_id",), ctx, SF),
        "date": moment.astimezone(ctx.tz).date(),
        "score": score,
        "scale_max": scale_max if score is not None else None,
        "is_complaint": escalated or text(row("type")).lower() == "complaint",
        "is_escalated": escalated,
        "priority": text(row("priority"))[:40],
        "opened_at": opened,
        "closed_at": closed,
        "resolution_minutes": minutes,
    }


_SF_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_OWNER_FIELDS = {"owner", "ownerassignment"}


def sf_account_history(row: Row, ctx: ImportContext) -> dict:
    """One owner change of an account (AccountHistory with Field = Owner). Salesforce writes
    each change twice, once with user ids and once with names: the names row is skipped."""
    field_name = text(row("field"))
    if field_name.lower() not in _OWNER_FIELDS:
        raise RowSkipped(row.column("field"), field_name, _("not an owner change"))
    new_value = text(row("new_value"))
    if not _SF_ID.match(new_value):
        raise RowSkipped(
            row.column("new_value"), new_value, _("owner written by name; its id row is used")
        )
    moment = parse_datetime(row("created_date"), row.column("created_date"), ctx.tz)
    if moment is None:
        raise RowError(row.column("created_date"), "", _("is empty but required"))
    old_value = text(row("old_value"))
    return {
        "source": SF,
        "external_id": row.external_id(),
        "customer_id": _customer_required(row, "account_id", ctx, SF),
        "day": min(moment.astimezone(ctx.tz).date(), ctx.today),
        "old_rep": ctx.reps_by_crm.get(old_value) if old_value else None,
        "new_rep": ctx.reps_by_crm.get(new_value),
    }


# Where orgs keep a case's satisfaction score (custom fields; the admin may name another).
CASE_SCORE_COLUMNS = (
    "CSAT__c",
    "CSAT_Score__c",
    "Satisfaction__c",
    "Satisfaction_Score__c",
    "Customer_Satisfaction__c",
    "Customer_Satisfaction_Score__c",
    "CSAT_Rating__c",
    "Survey_Score__c",
    "CSAT",
)


_SF_ACTIVITY_HEADERS = frozenset({"id", "ownerid", "subject"})

SALESFORCE_KINDS = (
    FileKind(
        key="salesforce.user",
        source=SF,
        label=_("Salesforce users (User.csv)"),
        entity="reps",
        order=9,  # before HR's people file, which may name the teams the CRM's org makes
        signatures=(frozenset({"id", "username", "lastname"}),),
        file_names=("User",),
        convert=sf_user,
        fields=(
            Field("id", ("Id",), required=True),
            Field("first_name", ("FirstName",)),
            Field("last_name", ("LastName",), required=True),
            Field("email", ("Email",)),
            Field("title", ("Title",)),
            Field("department", ("Department",)),
            Field("division", ("Division",)),
            Field("created_date", ("CreatedDate",)),
            Field("username", ("Username",)),
            Field("is_active", ("IsActive",)),
            Field("user_type", ("UserType",)),
            Field("role_id", ("UserRoleId",)),
            Field("manager_id", ("ManagerId",)),
            Field("last_login", ("LastLoginDate",)),
        ),
    ),
    FileKind(
        key="salesforce.userrole",
        source=SF,
        label=_("Salesforce roles (UserRole.csv)"),
        entity="roles",
        order=5,
        signatures=(frozenset({"id", "name", "parentroleid"}),),
        file_names=("UserRole",),
        convert=sf_role,
        description=_("The role hierarchy: roles holding reps become teams, those above regions."),
        fields=(
            Field("id", ("Id",), required=True),
            Field("name", ("Name",), required=True),
            Field("parent_role_id", ("ParentRoleId",)),
        ),
    ),
    FileKind(
        key="salesforce.account",
        source=SF,
        label=_("Salesforce accounts (Account.csv)"),
        entity="customers",
        order=20,
        signatures=(frozenset({"id", "name", "ownerid"}),),
        excluded=frozenset({"accountid", "username", "stagename", "casenumber", "lastname"}),
        convert=sf_account,
        file_names=("Account",),
        fields=(
            Field("id", ("Id",), required=True),
            Field("name", ("Name",), required=True),
            Field("owner_id", ("OwnerId",)),
            Field("industry", ("Industry",)),
            Field("annual_revenue", ("AnnualRevenue",)),
            Field("currency", ("CurrencyIsoCode",)),
            Field("billing_country", ("BillingCountry",)),
            Field("billing_state", ("BillingState",)),
            Field("created_date", ("CreatedDate",)),
            Field("is_deleted", ("IsDeleted",)),
        ),
    ),
    FileKind(
        key="salesforce.account_history",
        source=SF,
        label=_("Salesforce account history (AccountHistory.csv)"),
        entity="owner_history",
        order=25,
        signatures=(frozenset({"id", "accountid", "field", "oldvalue", "newvalue"}),),
        file_names=("AccountHistory",),
        convert=sf_account_history,
        description=_("Owner changes: who held each account before its current owner."),
        fields=(
            Field("id", ("Id",), required=True),
            Field("account_id", ("AccountId",), required=True),
            Field("field", ("Field",), required=True),
            Field("old_value", ("OldValue",)),
            Field("new_value", ("NewValue",)),
            Field("created_date", ("CreatedDate",), required=True),
            Field("is_deleted", ("IsDeleted",)),
        ),
    ),
    FileKind(
        key="salesforce.opportunity",
        source=SF,
        label=_("Salesforce opportunities (Opportunity.csv)"),
        entity="deals",
        order=30,
        signatures=(frozenset({"id", "accountid", "stagename"}),),
        convert=sf_opportunity,
        file_names=("Opportunity",),
        fields=(
            Field("is_deleted", ("IsDeleted",)),
            Field("id", ("Id",), required=True),
            Field("account_id", ("AccountId",), required=True),
            Field("owner_id", ("OwnerId",)),
            Field("name", ("Name",)),
            Field("stage_name", ("StageName",)),
            Field("amount", ("Amount",)),
            Field("currency", ("CurrencyIsoCode",)),
            Field("close_date", ("CloseDate",)),
            Field("is_closed", ("IsClosed",)),
            Field("is_won", ("IsWon",)),
            Field("created_date", ("CreatedDate",)),
        ),
    ),
    FileKind(
        key="salesforce.task",
        source=SF,
        label=_("Salesforce tasks (Task.csv)"),
        entity="activities",
        order=40,
        signatures=(
            _SF_ACTIVITY_HEADERS | {"tasksubtype"},
            _SF_ACTIVITY_HEADERS | {"calldurationinseconds"},
            _SF_ACTIVITY_HEADERS | {"status", "priority"},
        ),
        excluded=frozenset({"activitydatetime", "durationinminutes", "stagename", "casenumber"}),
        convert=sf_task,
        file_names=("Task",),
        fields=(
            Field("status", ("Status",)),
            Field("is_closed", ("IsClosed",)),
            Field("is_deleted", ("IsDeleted",)),
            Field("id", ("Id",), required=True),
            Field("owner_id", ("OwnerId",), required=True),
            Field("account_id", ("AccountId",)),
            Field("what_id", ("WhatId",)),
            Field("subject", ("Subject",)),
            Field("activity_date", ("ActivityDate",)),
            Field("completed_at", ("CompletedDateTime",)),
            Field("created_date", ("CreatedDate",)),
            Field("call_seconds", ("CallDurationInSeconds",)),
            Field("task_subtype", ("TaskSubtype",)),
            Field("type", ("Type",)),
        ),
    ),
    FileKind(
        key="salesforce.event",
        source=SF,
        label=_("Salesforce events (Event.csv)"),
        entity="activities",
        order=41,
        signatures=(
            _SF_ACTIVITY_HEADERS | {"activitydatetime"},
            _SF_ACTIVITY_HEADERS | {"startdatetime"},
            _SF_ACTIVITY_HEADERS | {"durationinminutes"},
        ),
        excluded=frozenset({"stagename", "casenumber", "tasksubtype"}),
        convert=sf_event,
        file_names=("Event",),
        fields=(
            Field("who_id", ("WhoId",)),
            Field("is_deleted", ("IsDeleted",)),
            Field("id", ("Id",), required=True),
            Field("owner_id", ("OwnerId",), required=True),
            Field("account_id", ("AccountId",)),
            Field("what_id", ("WhatId",)),
            Field("subject", ("Subject",)),
            Field("activity_datetime", ("ActivityDateTime",)),
            Field("start_datetime", ("StartDateTime",)),
            Field("activity_date", ("ActivityDate",)),
            Field("duration", ("DurationInMinutes",)),
            Field("type", ("Type",)),
        ),
    ),
    FileKind(
        key="salesforce.case",
        source=SF,
        label=_("Salesforce cases (Case.csv)"),
        entity="service",
        order=50,
        signatures=(frozenset({"id", "casenumber"}),),
        convert=sf_case,
        file_names=("Case",),
        stored_source=ServiceRecord.Source.CASE,
        fields=(
            Field("id", ("Id",), required=True),
            Field("owner_id", ("OwnerId",), required=True),
            Field("account_id", ("AccountId",)),
            Field("closed_date", ("ClosedDate",)),
            Field("created_date", ("CreatedDate",)),
            Field("is_escalated", ("IsEscalated",)),
            Field("status", ("Status",)),
            Field("priority", ("Priority",)),
            Field("type", ("Type",)),
            Field("is_deleted", ("IsDeleted",)),
            # A custom field (CSAT__c…), found among the usual names or named by the admin.
            Field("score", CASE_SCORE_COLUMNS),
        ),
    ),
)


# --- HubSpot ------------------------------------------------------------------------------------

HS = "hubspot"


def hs_company(row: Row, ctx: ImportContext) -> dict:
    return {
        "source": HS,
        "external_id": row.external_id(),
        "name": row.required("name")[:200],
        "industry": text(row("industry"))[:120],
        "region": text(row("country"))[:120],
        "annual_revenue": _amount(row, "annual_revenue"),
        "_owner": _rep_optional(row, "owner", ctx, hint=_OWNER_HINT),
    }


def hs_deal(row: Row, ctx: ImportContext) -> dict:
    created_on, close = _deal_dates(row, "created_date", "close_date", ctx)
    stage = text(row("stage"))
    compact = stage.lower().replace(" ", "")
    status = (
        Deal.Status.WON
        if compact == "closedwon"
        else Deal.Status.LOST
        if compact == "closedlost"
        else Deal.Status.OPEN
    )
    return {
        "source": HS,
        "external_id": row.external_id(),
        "customer_id": _customer_required(row, "company_id", ctx, HS),
        "owner_id": _rep_optional(row, "owner", ctx, hint=_OWNER_HINT),
        "name": text(row("name"))[:200],
        "stage": stage[:80],
        "amount": _amount(row, "amount"),
        "created_on": created_on,
        "close_date": close,
        "status": status,
    }


def _hs_activity(row: Row, ctx: ImportContext, kind: str) -> dict:
    return {
        "source": HS,
        "external_id": row.external_id(),
        "rep_id": _rep_required(row, "owner", ctx, hint=_REP_HINT),
        "customer_id": _customer_optional(row, ("company_id",), ctx, HS),
        "kind": kind,
        "subject": text(row("title"))[:255],
        "occurred_at": _first_moment(row, ("date", "created_date"), ctx),
    }


def hs_call(row: Row, ctx: ImportContext) -> dict:
    record = _hs_activity(row, ctx, Activity.Kind.CALL)
    record["duration_minutes"] = parse_duration_hms(row("duration"), row.column("duration")) or 0
    return record


def hs_meeting(row: Row, ctx: ImportContext) -> dict:
    record = _hs_activity(row, ctx, Activity.Kind.MEETING)
    end = parse_datetime(row("end"), row.column("end"), ctx.tz)
    minutes = int((end - record["occurred_at"]).total_seconds() // 60) if end else 0
    if minutes < 0:
        raise RowError(row.column("end"), row("end"), _("the meeting ends before it starts"))
    record["duration_minutes"] = minutes
    return record


_HS_OWNER = ("Activity assigned to", "HubSpot owner", "Owner")
_HS_COMPANY = (
    "Associated Company IDs",
    "Associated Company IDs (Primary)",
    "Associated Company ID",
    "Company ID",
)

HUBSPOT_KINDS = (
    FileKind(
        key="hubspot.company",
        source=HS,
        label=_("HubSpot companies"),
        entity="customers",
        order=20,
        signatures=(frozenset({"record id", "company name"}),),
        convert=hs_company,
        fields=(
            Field("id", ("Record ID",), required=True),
            Field("name", ("Company name", "Name"), required=True),
            Field("owner", ("Company owner", "HubSpot owner", "Owner")),
            Field("industry", ("Industry",)),
            Field("annual_revenue", ("Annual Revenue",)),
            Field("country", ("Country/Region", "Country")),
        ),
    ),
    FileKind(
        key="hubspot.deal",
        source=HS,
        label=_("HubSpot deals"),
        entity="deals",
        order=30,
        signatures=(frozenset({"record id", "deal name", "deal stage"}),),
        convert=hs_deal,
        fields=(
            Field("id", ("Record ID",), required=True),
            Field("company_id", _HS_COMPANY, required=True),
            Field("name", ("Deal Name",)),
            Field("stage", ("Deal Stage",)),
            Field("amount", ("Amount",)),
            Field("close_date", ("Close Date",)),
            Field("created_date", ("Create Date",)),
            Field("owner", ("Deal owner", "HubSpot owner", "Owner")),
        ),
    ),
    FileKind(
        key="hubspot.call",
        source=HS,
        label=_("HubSpot calls"),
        entity="activities",
        order=40,
        signatures=(frozenset({"record id", "call title"}), frozenset({"record id", "call notes"})),
        convert=hs_call,
        fields=(
            Field("id", ("Record ID",), required=True),
            Field("owner", ("Call owner", *_HS_OWNER), required=True),
            Field("company_id", _HS_COMPANY),
            Field("title", ("Call Title",)),
            Field("date", ("Activity date", "Call date")),
            Field("created_date", ("Create Date",)),
            Field("duration", ("Call duration (HH:mm:ss)", "Call duration")),
        ),
    ),
    FileKind(
        key="hubspot.meeting",
        source=HS,
        label=_("HubSpot meetings"),
        entity="activities",
        order=41,
        signatures=(frozenset({"record id", "meeting name"}),),
        convert=hs_meeting,
        fields=(
            Field("id", ("Record ID",), required=True),
            Field("owner", ("Meeting owner", *_HS_OWNER), required=True),
            Field("company_id", _HS_COMPANY),
            Field("title", ("Meeting name",)),
            Field("date", ("Meeting start time", "Activity date")),
            Field("end", ("Meeting end time",)),
            Field("created_date", ("Create Date",)),
        ),
    ),
)


# --- Relay's templates --------------------------------------------------------------------------

RELAY = "relay"


# How HR systems write a reason for leaving, and what it is to Relay.
HR_LEAVING_REASONS = {
    "resigned": "voluntary",
    "resignation": "voluntary",
    "quit": "voluntary",
    "retired": "voluntary",
    "retirement": "voluntary",
    "terminated": "involuntary",
    "termination": "involuntary",
    "dismissed": "involuntary",
    "dismissal": "involuntary",
    "laid off": "involuntary",
    "layoff": "involuntary",
    "redundancy": "involuntary",
    "terminated for cause": "involuntary",
    "dismissed for cause": "involuntary",
    "involuntary termination": "involuntary",
    "voluntary resignation": "voluntary",
    "transferred": "transfer",
    "internal transfer": "transfer",
    "internal move": "transfer",
}

# How HR systems name a kind of absence, and which of Relay's kinds it is.
HR_LEAVE_KINDS = {
    "annual leave": "vacation",
    "holiday": "vacation",
    "pto": "vacation",
    "paid time off": "vacation",
    "vacation leave": "vacation",
    "sick leave": "sick",
    "sickness": "sick",
    "sick day": "sick",
    "illness": "sick",
    "personal day": "personal",
    "personal leave": "personal",
    "unpaid leave": "unpaid",
    "leave without pay": "unpaid",
    "parental leave": "other",
    "maternity leave": "other",
    "paternity leave": "other",
    "bereavement": "other",
    "bereavement leave": "other",
    "jury duty": "other",
    "public holiday": "other",
}

# An absence HR records with one of these statuses never happened: it is not leave taken.
HR_ABSENCE_NOT_TAKEN = frozenset({"cancelled", "canceled", "rejected", "denied", "withdrawn"})


def _choice(
    row: Row, key: str, choices: type, default: str, synonyms: dict[str, str] | None = None
) -> str:
    value = text(row(key)).lower() or default
    value = (synonyms or {}).get(value, value)
    if value not in choices.values:
        raise RowError(
            row.column(key),
            row(key),
            _("must be one of: %(choices)s") % {"choices": ", ".join(choices.values)},
        )
    return value


def relay_person(row: Row, ctx: ImportContext) -> dict:
    employee_id = row.external_id("employee_id")
    crm_id = text(row("crm_user_id"))
    email = text(row("email"))
    rep_id = ctx.reps_by_hr.get(employee_id)
    if rep_id is None and crm_id and ctx.reps_by_crm.get(crm_id) not in ctx.rep_has_hr_id:
        rep_id = ctx.reps_by_crm.get(crm_id)  # a rep so far known only from the CRM
    if rep_id is None and email:
        rep_id = ctx.rep_by_email(email)
        if rep_id in ctx.rep_has_hr_id:
            rep_id = None  # that e-mail belongs to a person with another employee id
    if crm_id and ctx.reps_by_crm.get(crm_id) not in (None, rep_id):
        raise RowError(row.column("crm_user_id"), crm_id, _("belongs to another rep"))
    if rep_id is None:
        try:
            hr_person_not_a_rep(row, ctx, crm_id=crm_id, email=email)
        except RowSkipped as skipped:
            ctx.hr_not_reps[employee_id] = skipped.reason
            raise
    hire_date = parse_date(row("hire_date"), row.column("hire_date"))
    if rep_id is None and hire_date is None:
        raise RowError(row.column("hire_date"), "", _("is required for a new person"))
    team_name = text(row("team"))
    team_id = hr_team(team_name, ctx) if team_name else None
    if team_name and team_id is None:
        raise RowError(
            row.column("team"),
            team_name,
            _(
                "no Relay team has this name or code (write 'Region / Team' or 'Region - Team' "
                "if two teams share it)"
            ),
        )
    if rep_id is None and team_id is None:
        raise RowError(row.column("team"), "", _("is required for a new person"))
    record = {
        "_rep_id": rep_id,
        "hr_employee_id": employee_id,
        "first_name": row.required("first_name")[:80],
        "last_name": row.required("last_name")[:80],
        "email": email[:254],
    }
    if crm_id:
        record["crm_user_id"] = crm_id[:64]
    for key, length in (("title", 120), ("region", 120)):
        if text(row(key)):
            record[key] = text(row(key))[:length]
    if team_id:
        record["team_id"] = team_id
    if hire_date:
        record["hire_date"] = hire_date
    quota = text(row("annual_quota"))
    if quota:
        record["annual_quota"] = _amount(row, "annual_quota")
    manager = text(row("manager"))
    if manager and team_id:
        hr_manager_check(row, ctx, team_id=team_id, named=manager)
    leaving = parse_date(row("leaving_date"), row.column("leaving_date"))
    if leaving:
        reason = _choice(
            row,
            "leaving_reason",
            SalesRep.DepartureReason,
            "",
            synonyms=HR_LEAVING_REASONS,
        )
        start = hire_date or ctx.rep_hire_date.get(rep_id)
        if start and leaving < start:
            raise RowError(row.column("leaving_date"), leaving, _("is before the hire date"))
        if SalesRep.last_day_too_far(leaving, today=ctx.today):
            raise RowError(
                row.column("leaving_date"),
                leaving,
                _(
                    "is more than two years after today: no notice period ends so late; "
                    "check the year"
                ),
            )
        record["_departure"] = (leaving, reason)
    return record


def relay_leave(row: Row, ctx: ImportContext) -> dict:
    status = text(row("status"))
    if status.lower() in HR_ABSENCE_NOT_TAKEN:
        raise RowSkipped(
            row.column("status"), status, _("not taken: cancelled, rejected or withdrawn in HR")
        )
    employee_id = row.required("employee_id")
    rep_id = ctx.reps_by_hr.get(employee_id)
    if rep_id is None and employee_id in ctx.hr_not_reps:
        # A manager or director HR's people file lists, skipped there as not a rep.
        raise RowSkipped(
            row.column("employee_id"),
            employee_id,
            _("the absence of someone who is not a rep (%(why)s)")
            % {"why": ctx.hr_not_reps[employee_id]},
        )
    if rep_id is None:
        raise RowError(row.column("employee_id"), employee_id, _("no person has this employee id"))
    first = parse_date(row("first_day"), row.column("first_day"))
    last = parse_date(row("last_day"), row.column("last_day"))
    if first is None or last is None:
        key = "first_day" if first is None else "last_day"
        raise RowError(row.column(key), "", _("is empty but required"))
    if last < first:
        raise RowError(row.column("last_day"), last, _("is before the first day"))
    leave_id = text(row("leave_id")) or f"{employee_id}:{first.isoformat()}"
    if len(leave_id) > 64:
        raise RowError(row.column("leave_id"), leave_id, _("an id longer than 64 characters"))
    return {
        "source": RELAY,
        "external_id": leave_id,
        "rep_id": rep_id,
        "first_day": first,
        "last_day": last,
        "kind": _choice(
            row, "kind", LeaveRecord.Kind, LeaveRecord.Kind.VACATION, synonyms=HR_LEAVE_KINDS
        ),
    }


def relay_service(row: Row, ctx: ImportContext) -> dict:
    scale_max = parse_decimal(row("scale_max"), row.column("scale_max"))
    if scale_max is None or scale_max <= 0:
        raise RowError(row.column("scale_max"), row("scale_max"), _("must be a number above 0"))
    score = _score(row, ctx, scale_max)
    if score is None:
        raise RowError(row.column("score"), "", _("is empty but required"))
    day = parse_date(row("date"), row.column("date"))
    if day is None:
        raise RowError(row.column("date"), "", _("is empty but required"))
    return {
        "source": _choice(row, "kind", ServiceRecord.Source, ServiceRecord.Source.CSAT),
        "external_id": row.external_id("record_id"),
        "rep_id": _rep_required(row, "rep", ctx, hint=_REP_HINT),
        "customer_id": _customer_optional(row, ("customer_id",), ctx, RELAY),
        "date": day,
        "score": score,
        "scale_max": scale_max,
        "is_complaint": bool(parse_bool(row("complaint"), row.column("complaint"))),
    }


def relay_customer(row: Row, ctx: ImportContext) -> dict:
    return {
        "source": RELAY,
        "external_id": row.external_id("customer_id"),
        "name": row.required("name")[:200],
        "industry": text(row("industry"))[:120],
        "region": text(row("region"))[:120],
        "annual_revenue": _amount(row, "annual_revenue"),
        "_owner": _rep_optional(row, "owner", ctx, hint=_OWNER_HINT),
    }


def relay_deal(row: Row, ctx: ImportContext) -> dict:
    created_on, close = _deal_dates(row, "created_on", "close_date", ctx)
    return {
        "source": RELAY,
        "external_id": row.external_id("deal_id"),
        "customer_id": _customer_required(row, "customer_id", ctx, RELAY),
        "owner_id": _rep_optional(row, "owner", ctx, hint=_OWNER_HINT),
        "name": text(row("name"))[:200],
        "stage": text(row("stage"))[:80],
        "amount": _amount(row, "amount"),
        "created_on": created_on,
        "close_date": close,
        "status": _choice(row, "status", Deal.Status, Deal.Status.OPEN),
    }


def relay_activity(row: Row, ctx: ImportContext) -> dict:
    minutes = parse_int(row("duration_minutes"), row.column("duration_minutes"))
    if minutes is not None and minutes < 0:
        raise RowError(row.column("duration_minutes"), minutes, _("must not be negative"))
    occurred = parse_datetime(row("occurred_at"), row.column("occurred_at"), ctx.tz)
    if occurred is None:
        raise RowError(row.column("occurred_at"), "", _("is empty but required"))
    return {
        "source": RELAY,
        "external_id": row.external_id("activity_id"),
        "rep_id": _rep_required(row, "rep", ctx, hint=_REP_HINT),
        "customer_id": _customer_optional(row, ("customer_id",), ctx, RELAY),
        "kind": _choice(row, "kind", Activity.Kind, ""),
        "occurred_at": occurred,
        "duration_minutes": minutes or 0,
        "subject": text(row("subject"))[:255],
    }


_REP_HELP = _("the rep's employee id, CRM user id or e-mail")

# HR's names for the employee id, and for the column that makes a file an absence report.
_HR_EMPLOYEE_IDS = ("employee id", "employee number", "worker id", "personnel number")
_ABSENCE_TYPES = ("absence type", "leave type", "type of leave", "time off type")
_ABSENCE_DURATIONS = ("duration", "duration (days)", "duration days", "days")
# Columns only a people file has: an absence report that took "start date" for a hire date
# would be read as people, and the reverse.
_PEOPLE_ONLY = frozenset(
    {
        "work email",
        "work e-mail",
        "business email",
        "hire date",
        "date of hire",
        "original hire date",
        "termination date",
        "termination type",
        "termination reason",
    }
)

RELAY_KINDS = (
    FileKind(
        key="relay.people",
        source=RELAY,
        label=_("People (HR)"),
        entity="reps",
        order=10,
        hr_may_import=True,
        id_field="employee_id",
        signatures=(
            frozenset({"employee id", "first name", "last name"}),
            frozenset({"employee number", "first name", "last name"}),
            frozenset({"worker id", "first name", "last name"}),
        ),
        excluded=frozenset(_ABSENCE_TYPES),
        convert=relay_person,
        description=_(
            "Salespeople from HR. A leaving date records the departure (status and handover "
            "follow); an empty one never clears a departure already recorded."
        ),
        fields=(
            Field(
                "employee_id",
                ("employee_id", "employee number", "worker id", "personnel number"),
                True,
                _("HR employee id, unique"),
                "E-1001",
            ),
            Field(
                "email",
                ("email", "work email", "work e-mail", "business email"),
                False,
                _("work e-mail"),
                "li.wei@example.com",
            ),
            Field("first_name", ("first_name", "given name"), True, "", "Wei"),
            Field("last_name", ("last_name", "surname", "family name"), True, "", "Li"),
            Field(
                "team",
                ("team",),
                False,
                _(
                    "Relay team name, 'Region / Team', 'Region - Team' or a team code; required "
                    "for a new person"
                ),
                "North / North A",
            ),
            Field(
                "manager",
                ("manager", "manager_email", "manager e-mail", "line manager"),
                False,
                _("manager's e-mail: becomes the team's manager when it has none"),
                "mona.north@example.com",
            ),
            Field("title", ("title", "job title", "position"), False, "", "Account Executive"),
            Field("region", ("region",), False, "", "North"),
            Field(
                "hire_date",
                ("hire_date", "start date", "date of hire", "original hire date"),
                False,
                _("YYYY-MM-DD; required for a new person"),
                "2021-04-01",
            ),
            Field(
                "leaving_date",
                ("leaving_date", "termination date", "last day", "last working day", "end date"),
                False,
                _("last day, YYYY-MM-DD"),
                "",
            ),
            # When HR exports both, the type (Voluntary, Involuntary) is read, not the reason,
            # often free text ("Better Opportunity"): the first alias present wins.
            Field(
                "leaving_reason",
                ("leaving_reason", "termination type", "leaving type", "termination reason"),
                False,
                _("voluntary, involuntary or transfer; required with a leaving date"),
                "",
            ),
            Field(
                "crm_user_id",
                ("crm_user_id", "salesforce user id", "salesforce id", "crm id"),
                False,
                _("the person's CRM user id"),
                "005Ec000004oBPNIA2",
            ),
            Field("annual_quota", ("annual_quota",), False, _("number"), "500000"),
        ),
    ),
    FileKind(
        key="relay.leave",
        source=RELAY,
        label=_("Leave records (HR)"),
        entity="leave",
        order=50,
        hr_may_import=True,
        id_field="leave_id",
        signatures=(
            frozenset({"employee id", "first day", "last day"}),
            # HR's absence report: known by its absence type, or by a duration and a status
            # beside the start and end dates.
            *(frozenset({id_, kind}) for id_ in _HR_EMPLOYEE_IDS for kind in _ABSENCE_TYPES),
            *(
                frozenset({id_, "start date", "end date", duration, "status"})
                for id_ in _HR_EMPLOYEE_IDS
                for duration in _ABSENCE_DURATIONS
            ),
        ),
        excluded=_PEOPLE_ONLY,
        convert=relay_leave,
        description=_(
            "Absences, from this template or HR's absence report. Without a leave_id, the "
            "employee id and first day identify it; an absence HR cancelled, rejected or "
            "withdrew is skipped."
        ),
        fields=(
            Field(
                "leave_id",
                ("leave_id", "absence id", "request id"),
                False,
                _("your id for the absence"),
                "L-2024-017",
            ),
            Field(
                "employee_id",
                ("employee_id", *_HR_EMPLOYEE_IDS),
                True,
                _("HR employee id"),
                "E-1001",
            ),
            Field(
                "first_day",
                ("first_day", "start date", "absence start", "leave start", "from date"),
                True,
                "YYYY-MM-DD",
                "2024-07-01",
            ),
            Field(
                "last_day",
                ("last_day", "end date", "absence end", "leave end", "to date"),
                True,
                "YYYY-MM-DD",
                "2024-07-12",
            ),
            Field(
                "kind",
                ("kind", *_ABSENCE_TYPES),
                False,
                _(
                    "vacation, sick, personal, unpaid or other (also HR's words: Annual Leave, "
                    "PTO, Sick Leave, Personal Day, Unpaid Leave…)"
                ),
                "vacation",
            ),
            Field(
                "status",
                ("status", "absence status", "approval status", "request status"),
                False,
                _("HR's status: Cancelled, Rejected, Denied or Withdrawn skips the row"),
                "approved",
            ),
        ),
    ),
    FileKind(
        key="relay.service",
        source=RELAY,
        label=_("Service scores"),
        entity="service",
        order=50,
        id_field="record_id",
        signatures=(frozenset({"record id", "score", "scale max"}),),
        convert=relay_service,
        description=_("Survey scores (CSAT, NPS) per rep and customer."),
        fields=(
            Field("record_id", ("record_id",), True, _("your id for the score"), "S-88812"),
            Field("rep", ("rep",), True, _REP_HELP, "E-1001"),
            Field(
                "customer_id",
                ("customer_id",),
                False,
                _("customer_id from the customers template"),
                "C-100",
            ),
            Field("date", ("date",), True, "YYYY-MM-DD", "2024-05-20"),
            Field("score", ("score",), True, _("between 0 and scale_max"), "4.5"),
            Field("scale_max", ("scale_max",), True, _("best possible score"), "5"),
            Field("kind", ("kind",), False, _("csat, nps, case or other"), "csat"),
            Field(
                "complaint", ("complaint",), False, _("true if a complaint or escalation"), "false"
            ),
        ),
    ),
    FileKind(
        key="relay.customers",
        source=RELAY,
        label=_("Customers (other systems)"),
        entity="customers",
        order=20,
        id_field="customer_id",
        signatures=(frozenset({"customer id", "name"}),),
        excluded=frozenset({"deal id", "activity id", "record id"}),
        convert=relay_customer,
        description=_("Customers from a system other than Salesforce or HubSpot."),
        fields=(
            Field("customer_id", ("customer_id",), True, _("your id for the customer"), "C-100"),
            Field("name", ("name",), True, "", "Acme Shipping"),
            Field("owner", ("owner",), False, _REP_HELP, "E-1001"),
            Field("industry", ("industry",), False, "", "Logistics"),
            Field("region", ("region",), False, "", "North"),
            Field("annual_revenue", ("annual_revenue",), False, _("number"), "1200000"),
        ),
    ),
    FileKind(
        key="relay.deals",
        source=RELAY,
        label=_("Deals (other systems)"),
        entity="deals",
        order=30,
        id_field="deal_id",
        signatures=(frozenset({"deal id", "customer id"}),),
        convert=relay_deal,
        fields=(
            Field("deal_id", ("deal_id",), True, _("your id for the deal"), "D-5001"),
            Field(
                "customer_id",
                ("customer_id",),
                True,
                _("customer_id from the customers template"),
                "C-100",
            ),
            Field("owner", ("owner",), False, _REP_HELP, "E-1001"),
            Field("name", ("name",), False, "", "Fleet renewal 2024"),
            Field("stage", ("stage",), False, "", "Negotiation"),
            Field("amount", ("amount",), False, _("number"), "250000"),
            Field("created_on", ("created_on",), True, "YYYY-MM-DD", "2024-02-01"),
            Field("close_date", ("close_date",), False, "YYYY-MM-DD", "2024-06-30"),
            Field("status", ("status",), False, _("open, won or lost"), "open"),
        ),
    ),
    FileKind(
        key="relay.activities",
        source=RELAY,
        label=_("Activities (other systems)"),
        entity="activities",
        order=40,
        id_field="activity_id",
        signatures=(frozenset({"activity id", "rep", "occurred at"}),),
        convert=relay_activity,
        fields=(
            Field("activity_id", ("activity_id",), True, _("your id for the activity"), "A-900001"),
            Field("rep", ("rep",), True, _REP_HELP, "E-1001"),
            Field(
                "customer_id",
                ("customer_id",),
                False,
                _("customer_id from the customers template"),
                "C-100",
            ),
            Field("kind", ("kind",), True, _("call, visit, meeting, email or task"), "visit"),
            Field("occurred_at", ("occurred_at",), True, _("YYYY-MM-DD HH:MM"), "2024-03-05 14:30"),
            Field("duration_minutes", ("duration_minutes",), False, _("whole minutes"), "45"),
            Field("subject", ("subject",), False, "", "Quarterly review"),
        ),
    ),
)

KINDS: dict[str, FileKind] = {
    kind.key: kind for kind in (*SALESFORCE_KINDS, *HUBSPOT_KINDS, *RELAY_KINDS)
}


_OBJECT_NAME = re.compile(r"^([A-Z][A-Za-z0-9_]*?)(?:_\d+)?$")


def salesforce_object(file_name: str, header: list[str]) -> str:
    """The Salesforce object a file of an export holds (``Account.csv`` → Account), or "".

    An export names each file for its object and every object has an ``Id`` column; Relay's
    templates and HubSpot's files have neither shape.
    """
    match = _OBJECT_NAME.match(PurePosixPath(file_name).stem)
    if match is None or "Id" not in header:
        return ""
    return match.group(1)


def kind_for_object(name: str) -> FileKind | None:
    lowered = name.lower()
    for kind in KINDS.values():
        if any(lowered == file_name.lower() for file_name in kind.file_names):
            return kind
    return None


class Ambiguous(Exception):
    """The headers fit more than one kind of file equally well."""

    def __init__(self, kinds: list[FileKind]) -> None:
        self.kinds = kinds
        super().__init__(", ".join(str(kind.label) for kind in kinds))


def recognise(header: list[str], *, source: str = "auto") -> FileKind | None:
    """The one file kind whose identifying headers and required columns are all present.

    Raises ``Ambiguous`` when several kinds fit as well as each other: guessing would read a
    file as what it is not.
    """
    present = {normalise(cell) for cell in header}
    scored: list[tuple[int, FileKind]] = []
    for kind in KINDS.values():
        if source not in ("auto", "", kind.source):
            continue
        if present & kind.excluded:
            continue
        if not any(signature <= present for signature in kind.signatures):
            continue
        if not all(
            any(normalise(alias) in present for alias in field.aliases)
            for field in kind.fields
            if field.required and field.aliases
        ):
            continue
        score = sum(
            1 for field in kind.fields if any(normalise(a) in present for a in field.aliases)
        )
        scored.append((score, kind))
    if not scored:
        return None
    best = max(score for score, _kind in scored)
    leaders = [kind for score, kind in scored if score == best]
    if len(leaders) > 1:
        raise Ambiguous(leaders)
    return leaders[0]


def default_mapping(kind: FileKind, header: list[str]) -> dict[str, str]:
    """Field key → header cell, from the kind's aliases."""
    by_normal = {}
    for cell in header:
        by_normal.setdefault(normalise(cell), cell)
    mapping = {}
    for field in kind.fields:
        for alias in field.aliases:
            if normalise(alias) in by_normal:
                mapping[field.key] = by_normal[normalise(alias)]
                break
    return mapping
