"""Every URL Relay serves, requested by every role, against an object in scope and one out of it.

The URLs come from the resolver, so a new URL with no rule in ``RULES`` fails
``test_every_url_has_an_access_rule``. Each rule says which roles may use the URL; the expected
status of every cell follows from it:

- anonymous: a page redirects to the login page; the API answers 401 or 403;
- a role the rule does not name: 403 (a role that may never do a thing), page and API alike
  (404 accepted where the object is out of that role's scope too);
- a manager on an object of the other manager's scope: 404 (out of scope does not exist);
- otherwise 200 for a read (``ok`` where a page answers otherwise, such as home's redirect), and
  405 for a GET of a URL that only takes POST.

Managers meet both objects (their own and the other's); admins and HR, who see the whole
organisation, are shown manager B's object; anonymous users one object (nothing is looked up).
The URLs are checked one view module at a time, over one set of objects.

A URL that writes is also POSTed (empty body) by each refused role and by each manager out of
scope: the answer must be the refusal and no row in the database may change.

The roles' rights, as the issue states them (HR reads risk organisation-wide, read-only; a
manager sees their subtree; imports are admin and HR only; admin-only pages are 403 to others):

- ``ALL``: admin, HR (whole organisation) and managers (their subtree) may read it;
- ``MANAGERS``: the managers' own controls (log an intervention, acknowledge an alert, draft,
  change, apply or reverse a handover, add a backup), for admins and managers; HR reads the
  customers, routing, plans and coverage (``ALL``) but never acts on them;
- ``HIRING``: HR's side of a departure (open and edit vacancies, candidates, move applications),
  for HR and admins; managers read their teams' hiring (``ALL``) but do not run it;
- ``IMPORTS``: admin and HR; ``ADMIN``: admin only (the risk model, scoring runs, backtests).
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from accounts.tokens import api_token_create
from handover.hiring import services as hiring
from handover.models import Candidate, HandoverItem
from handover.plans.services import handover_plan_create
from retention.dashboard.services import intervention_create
from retention.imports.services import report_path
from retention.models import ImportJob, ModelJob, RiskAlert, RiskModel, RiskScore, ScoringRun
from tests.conftest import make_customer, make_rep

ADMIN, HR, MANAGER = "admin", "hr", "manager"
ALL = frozenset({ADMIN, HR, MANAGER})
MANAGERS = frozenset({ADMIN, MANAGER})
HIRING = frozenset({ADMIN, HR})
IMPORTS = frozenset({ADMIN, HR})
ADMIN_ONLY = frozenset({ADMIN})
PUBLIC = "public"
OWN = "own"  # a user's own object (an API token): its owner may, everyone else gets 404

ROLES = ("admin", "hr", "manager_a", "manager_b", "anonymous")
ROLE_KIND = {"admin": ADMIN, "hr": HR, "manager_a": MANAGER, "manager_b": MANAGER}
# The URL arguments naming an object that belongs to a team (so to one manager's scope).
SCOPED_ARGS = {
    "rep_id", "customer_id", "alert_id", "intervention_id", "plan_id", "item_id",
    "recipient_id", "vacancy_id", "application_id", "candidate_id", "task_id", "token_id",
}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    who: frozenset[str] | str
    api: bool = False
    writes: bool = False  # takes POST only
    form: bool = False  # GET shows a form, POST writes
    ok: int = 200
    args: tuple[tuple[str, str], ...] = ()  # URL argument -> object key, where they differ


def page(who, **kw) -> Rule:
    return Rule(who, **kw)


def page_post(who, **kw) -> Rule:
    return Rule(who, writes=True, **kw)


def api(who, **kw) -> Rule:
    return Rule(who, api=True, **kw)


def api_post(who, **kw) -> Rule:
    return Rule(who, api=True, writes=True, **kw)


ONBOARDING = (("plan_id", "onboarding_plan_id"),)
MODEL_JOB = (("job_id", "model_job_id"),)

RULES: dict[str, Rule] = {
    # --- no sign-in ----------------------------------------------------------------------------
    "healthz": page(PUBLIC),
    "login": page(PUBLIC),
    "logout": page(PUBLIC, ok=405),  # POST only, for everyone
    "language_switch": page(PUBLIC, ok=405),  # the header's switcher: POST only, for everyone
    "javascript-catalog": page(PUBLIC),  # the djangojs catalog, also on the login page
    # --- accounts ------------------------------------------------------------------------------
    "home": page(ALL, ok=302),  # each role lands on its working page
    "api-me": api(ALL),
    "preferences": page(ALL, form=True),
    "api-preferences": api(ALL),
    "schema": api(ALL),
    "api-docs": page(ALL),  # HTML pages: a visitor is sent to sign in
    "api-redoc": page(ALL),
    # --- personal API tokens: everyone their own ---------------------------------------------
    "token_list": page(ALL, form=True),
    "token_revoke": page_post(OWN),
    "api-token-list": api(ALL),
    "api-token-create": api_post(ALL),
    "api-token-revoke": api_post(OWN),
    # --- reps and customers --------------------------------------------------------------------
    "retention:rep_list": page(ALL),
    "retention:rep_detail": page(ALL),
    "api-rep-list": api(ALL),
    "api-rep-detail": api(ALL),
    "retention:customer_list": page(ALL),
    "retention:customer_detail": page(ALL),
    "api-customer-list": api(ALL),
    "api-customer-detail": api(ALL),
    # What is known about a customer: read by all three roles, written by managers and admins.
    "retention:customer_knowledge_edit": page(MANAGERS, form=True),
    "retention:customer_knowledge_history": page(ALL),
    "api-customer-knowledge": api(ALL),
    "api-customer-knowledge-update": api_post(MANAGERS),
    "api-customer-knowledge-history": api(ALL),
    # --- risk: read by all three roles, worked on by managers ------------------------------------
    "retention:dashboard": page(ALL),
    "api-dashboard-reps": api(ALL),
    "api-dashboard-summary": api(ALL),
    "api-risk-score-list": api(ALL),
    "api-risk-rep-detail": api(ALL),
    "retention:alert_list": page(ALL),
    "api-alert-list": api(ALL),
    "retention:alert_acknowledge": page_post(MANAGERS),
    "api-alert-acknowledge": api_post(MANAGERS),
    "api-intervention-list": api(ALL),
    "api-interventions": api(ALL),
    "retention:intervention_create": page_post(MANAGERS),
    "api-intervention-create": api_post(MANAGERS),
    "retention:intervention_outcome": page_post(MANAGERS),
    "api-intervention-outcome": api_post(MANAGERS),
    "api-intervention-suggestions": api(ALL),
    "retention:intervention_list": page(ALL),
    "retention:intervention_effects": page(ALL),
    "api-intervention-effects": api(ALL),
    "api-intervention-effect-units": api(ALL),
    "retention:routing": page(ALL),
    "retention:routing_export": page(ALL),
    "api-routing": api(ALL),
    # --- risk model and scoring runs: admin only -----------------------------------------------
    "retention:risk_model": page(ADMIN_ONLY),
    "retention:risk_model_retrain": page_post(ADMIN_ONLY),
    "retention:risk_scoring_start": page_post(ADMIN_ONLY),
    "retention:risk_run_progress": page(ADMIN_ONLY),
    "retention:risk_backtest": page(ADMIN_ONLY),
    "retention:risk_backtest_model": page(ADMIN_ONLY),
    "retention:risk_backtest_start": page_post(ADMIN_ONLY),
    "retention:risk_model_job": page(ADMIN_ONLY, args=MODEL_JOB),
    "retention:risk_model_job_retry": page_post(ADMIN_ONLY, args=MODEL_JOB),
    "api-risk-run-list": api(ADMIN_ONLY),
    "api-risk-run-start": api_post(ADMIN_ONLY),
    "api-risk-run-detail": api(ADMIN_ONLY),
    "api-risk-model-list": api(ADMIN_ONLY),
    "api-risk-model-train": api_post(ADMIN_ONLY),
    "api-risk-model-backtest": api(ADMIN_ONLY),
    "api-risk-model-backtest-start": api_post(ADMIN_ONLY),
    "api-risk-model-job-list": api(ADMIN_ONLY),
    "api-risk-model-job": api(ADMIN_ONLY, args=MODEL_JOB),
    "api-risk-model-job-retry": api_post(ADMIN_ONLY, args=MODEL_JOB),
    # --- imports: admin and HR -----------------------------------------------------------------
    "retention:imports:page": page(IMPORTS, form=True),
    "retention:imports:job": page(IMPORTS),
    "retention:imports:job_status": page(IMPORTS),
    "retention:imports:job_apply": page_post(IMPORTS),
    "retention:imports:job_remap": page_post(IMPORTS),
    "retention:imports:job_retry": page_post(IMPORTS),
    "retention:imports:job_report": page(IMPORTS),
    "retention:imports:job_people": page_post(ADMIN_ONLY),  # who in a CRM is a rep
    "retention:imports:template": page(IMPORTS),
    "api-import-list": api(IMPORTS),
    "api-import-create": api_post(IMPORTS),
    "api-import-detail": api(IMPORTS),
    "api-import-apply": api_post(IMPORTS),
    "api-import-report": api(IMPORTS),
    "api-import-people": api_post(ADMIN_ONLY),
    # --- handover plans, coverage, assignments: managers and admins ----------------------------
    "handover:plan_create": page(MANAGERS, form=True),
    "handover:plan_list": page(ALL),
    "handover:plan_detail": page(ALL),
    "handover:item_edit": page(MANAGERS, form=True),
    "handover:plan_apply": page(MANAGERS, form=True),  # GET: the confirmation
    "handover:plan_reverse": page_post(MANAGERS),
    "handover:plan_brief": page(ALL),
    "handover:coverage": page(ALL),
    "handover:single_threaded": page(ALL),
    "handover:customer_backup": page_post(MANAGERS),  # row actions (htmx)
    "handover:customer_cover": page_post(MANAGERS),
    "handover:customer_actions": page(ALL),  # a row's actions, loaded on demand
    "api-handover-plan-list": api(ALL),
    "api-handover-plan-create": api_post(MANAGERS),
    "api-handover-plan-detail": api(ALL),
    "api-handover-item-update": api_post(MANAGERS),
    "api-handover-plan-apply": api_post(MANAGERS),
    "api-handover-plan-reverse": api_post(MANAGERS),
    "api-handover-coverage": api(ALL),
    "api-handover-single-threaded": api(ALL),
    "api-handover-assignment-list": api(ALL),
    "api-handover-assignment-backup": api_post(MANAGERS),
    "api-handover-assignment-cover": api_post(MANAGERS),
    "api-handover-customer-recipients": api(ALL),
    # --- hiring: read by all three roles (managers: their teams), run by HR and admins ---------
    "handover:vacancy_list": page(ALL),
    "handover:vacancy_create": page(HIRING, form=True),
    "handover:source_stats": page(ALL),
    "handover:application_list": page(ALL),
    "handover:vacancy_detail": page(ALL),
    "handover:vacancy_edit": page(HIRING, form=True),
    "handover:vacancy_status": page_post(HIRING),
    "handover:application_add": page_post(HIRING),
    "handover:application_detail": page(ALL),
    "handover:application_move": page_post(HIRING),
    "handover:feedback_add": page_post(ALL),
    "handover:candidate_list": page(ALL),
    "handover:candidate_create": page(HIRING, form=True),
    "handover:bench": page(HIRING),
    "handover:candidate_detail": page(ALL),
    "handover:candidate_edit": page(HIRING, form=True),
    "handover:onboarding_list": page(ALL),
    "handover:ramp_cohorts": page(ALL),
    "handover:onboarding_detail": page(ALL, args=ONBOARDING),
    "handover:onboarding_task_toggle": page_post(ALL),
    "handover:departure_costs": page(ALL),
    "api-vacancy-list": api(ALL),
    "api-vacancy-create": api_post(HIRING),
    "api-vacancy-detail": api(ALL),
    "api-vacancy-update": api_post(HIRING),
    "api-vacancy-matches": api(HIRING),  # the ranked pool, with salary expectations
    "api-candidate-list": api(ALL),
    "api-candidate-create": api_post(HIRING),
    "api-candidate-detail": api(ALL),
    "api-candidate-update": api_post(HIRING),
    "api-application-list": api(ALL),
    "api-application-create": api_post(HIRING),
    "api-application-stage-move": api_post(HIRING),
    "api-application-stage-history": api(ALL),
    "api-application-feedback": api_post(ALL),
    "api-onboarding-plan-list": api(ALL),
    "api-onboarding-plan-detail": api(ALL, args=ONBOARDING),
    "api-onboarding-task-done": api_post(ALL),
    "api-departure-cost-list": api(ALL),
}
# The Django admin is one rule: staff (admins) only; everyone else is sent to its login page.
# Its own views are Django's; checked on the index and on the departure page Relay adds.
ADMIN_NAMESPACE = "admin"
ADMIN_SAMPLES = ("admin:index", "admin:retention_salesrep_departure")


# --- the URLs, from the resolver --------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str  # "namespace:name", or "" for an unnamed pattern
    route: str
    args: tuple[str, ...]
    module: str  # of the view: the tests group the URLs by it


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Url]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            args = tuple(entry.pattern.regex.groupindex)
            module = getattr(entry.callback, "__module__", "") or ""
            yield Url(name=name, route=prefix + str(entry.pattern), args=args, module=module)


def all_urls() -> list[Url]:
    return list(_walk(get_resolver()))


def relay_urls() -> list[Url]:
    """Every URL but the Django admin's (one rule, ``ADMIN_NAMESPACE``)."""
    return [u for u in all_urls() if not u.route.startswith("admin/")]


# --- the objects: one of each kind in manager A's scope, one in manager B's ------------------


def _objects_for(side: str, *, team, manager: User, admin_user: User) -> dict[str, int | str]:
    rep = make_rep(team, f"Rep{side}", "Leaving")
    mate = make_rep(team, f"Mate{side}", "Staying")
    customer = make_customer(
        f"Customer {side}", owner=rep, annual_revenue=500_000, is_key_account=True
    )
    run = ScoringRun.objects.create(
        as_of=timezone.localdate(),
        status=ScoringRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        total=2,
        done=2,
    )
    score = RiskScore.objects.create(
        run=run, rep=rep, as_of=run.as_of, probability=0.8, band=RiskScore.Band.HIGH
    )
    RiskScore.objects.create(
        run=run, rep=mate, as_of=run.as_of, probability=0.1, band=RiskScore.Band.LOW
    )
    alert = RiskAlert.objects.create(
        rep=rep, score=score, kind=RiskAlert.Kind.BECAME_HIGH, message="became high risk"
    )
    intervention = intervention_create(rep=rep, kind="stay_conversation", created_by=manager)
    plan, _created = handover_plan_create(rep=rep, created_by=manager)
    item = plan.items.get()
    HandoverItem.objects.filter(pk=item.pk).update(chosen_rep=mate, chosen_manager=None)
    vacancy = hiring.vacancy_create(team=team, opened_on=timezone.localdate(), region=team.region)
    candidate = hiring.candidate_create(
        first_name=f"Cand{side}", last_name="Idate", source=Candidate.Source.JOB_BOARD
    )
    application = hiring.application_create(vacancy=vacancy, candidate=candidate, by=admin_user)
    newcomer = make_rep(team, f"New{side}", "Starter", hire_date=timezone.localdate())
    onboarding = hiring.onboarding_plan_create(
        rep=newcomer,
        start_date=timezone.localdate(),
        template=hiring.onboarding_template_default(),
        vacancy=vacancy,
    )
    token, _key = api_token_create(user=manager, name=f"matrix {side}")
    return {
        "token_id": token.pk,
        "rep_id": rep.pk,
        "customer_id": customer.pk,
        "alert_id": alert.pk,
        "intervention_id": intervention.pk,
        "plan_id": plan.pk,
        "item_id": item.pk,
        "kind": "rep",
        "recipient_id": mate.pk,
        "vacancy_id": vacancy.pk,
        "candidate_id": candidate.pk,
        "application_id": application.pk,
        "onboarding_plan_id": onboarding.pk,
        "task_id": onboarding.tasks.first().pk,
    }


@pytest.fixture
def world(
    settings, tmp_path, admin_user, hr_user, manager_a, manager_b, team_north_a, team_south_a
) -> dict:
    settings.MEDIA_ROOT = tmp_path
    job = ImportJob.objects.create(
        created_by=admin_user, file_name="Account.csv", status=ImportJob.Status.CHECKED
    )
    report = report_path(job)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("file,row,column,value,reason\n")
    model = RiskModel.objects.create(version="rules-test", kind=RiskModel.Kind.RULES)
    model_job = ModelJob.objects.create(
        kind=ModelJob.Kind.TRAIN, status=ModelJob.Status.STALLED, reason="Stalled: no sign of work"
    )
    org_wide = {
        "job_id": job.pk,
        "model_job_id": model_job.pk,
        "run_id": ScoringRun.objects.create(as_of=timezone.localdate()).pk,
        "model_id": model.pk,
        "key": "people",
        "fmt": "csv",
    }
    sides = {
        "A": _objects_for("A", team=team_north_a, manager=manager_a, admin_user=admin_user),
        "B": _objects_for("B", team=team_south_a, manager=manager_b, admin_user=admin_user),
    }
    users = {"admin": admin_user, "hr": hr_user, "manager_a": manager_a, "manager_b": manager_b}
    return {"sides": {s: {**org_wide, **ids} for s, ids in sides.items()}, "users": users}


# --- what each cell should answer -------------------------------------------------------------


def expected(rule: Rule, role: str, side: str | None, *, method: str) -> set[int]:
    if rule.who == PUBLIC:
        return {rule.ok}
    if role == "anonymous":
        return {401, 403} if rule.api else {302}
    if rule.who == OWN:  # the side's token belongs to the side's manager
        if role != f"manager_{(side or '').lower()}":
            return {404, 405} if method == "GET" and rule.writes else {404}
        return {405} if method == "GET" and rule.writes else {rule.ok}
    out_of_scope = side is not None and role.startswith("manager_") and role[-1].upper() != side
    refused = ROLE_KIND[role] not in rule.who
    if refused:
        # Out of scope as well, a 404 tells no more than the 403 would.
        verdict = {403, 404} if out_of_scope else {403}
    elif out_of_scope:
        verdict = {404}
    else:
        return {405} if method == "GET" and rule.writes else {rule.ok}
    # A GET of a POST-only URL may be turned away for its method before the role is looked at;
    # the POST that follows must then be refused.
    return verdict | {405} if method == "GET" and rule.writes else verdict


def _fingerprint() -> str:
    """Every row of Relay's tables (but the audit log of risk views and login times)."""
    digest = hashlib.sha256()
    for app_label in ("accounts", "retention", "handover"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__ == "RiskPageView":
                continue
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if not isinstance(f, models.BinaryField) and f.attname != "last_login"
            ]
            rows = model.objects.order_by("pk").values_list(*fields)
            digest.update(f"{model.__name__}{list(rows)}".encode())
    return digest.hexdigest()


def _client(world: dict, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _sides_for(role: str) -> tuple[str, ...]:
    """Managers meet both objects, their own and the other's; admins and HR see the whole
    organisation, shown on manager B's object (outside manager A's subtree); anonymous users
    are turned away before any object is looked up."""
    return {"manager_a": ("A", "B"), "manager_b": ("A", "B"), "anonymous": ("A",)}.get(role, ("B",))


def _check_cells(world: dict, rule: Rule, name: str, url_args: tuple[str, ...]) -> list[str]:
    """The cells of one URL that answer otherwise than the rule says, as readable lines."""
    mapping = dict(rule.args)
    scoped = bool(SCOPED_ARGS & set(url_args))
    wrong = []
    for role in ROLES:
        client = _client(world, role)
        for side in _sides_for(role) if scoped else (None,):
            ids = world["sides"][side or "A"]
            kwargs = {arg: ids[mapping.get(arg, arg)] for arg in url_args}
            url = reverse(name, kwargs=kwargs)
            where = f"{name} as {role}" + (f" on {side}'s object" if side else "")
            want = expected(rule, role, side, method="GET")
            response = client.get(url)
            if response.status_code not in want:
                wrong.append(
                    f"{where}: GET {url} expected {sorted(want)}, got {response.status_code}"
                )
            elif (
                response.status_code == 302
                and role == "anonymous"
                and rule.who != PUBLIC
                and not response["Location"].startswith(reverse("login"))
            ):
                wrong.append(f"{where}: redirects to {response['Location']}, not the login")
            refused = expected(rule, role, side, method="POST") & {403, 404}
            if (rule.writes or rule.form) and refused and role != "anonymous":
                before = _fingerprint()
                posted = client.post(url, {})
                changed = _fingerprint() != before
                if posted.status_code not in refused or changed:
                    wrong.append(
                        f"{where}: POST {url} expected {sorted(refused)}, got "
                        f"{posted.status_code}"
                        + (" and it wrote to the database" if changed else "")
                    )
    return wrong


# --- the tests --------------------------------------------------------------------------------


def test_every_url_has_an_access_rule():
    names = {u.name for u in relay_urls()}
    unnamed = [u.route for u in relay_urls() if not u.name]
    missing = sorted(names - set(RULES) - {""})
    assert not unnamed, f"unnamed URL patterns cannot have an access rule: {unnamed}"
    assert not missing, "\n".join(f"new URL {name} has no access rule" for name in missing)
    stale = sorted(set(RULES) - names)
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def _modules() -> list[str]:
    return sorted({u.module for u in relay_urls() if u.name})


@pytest.mark.parametrize("module", _modules())
def test_urls_answer_each_role_as_their_rules_say(world, module: str):
    """All the URLs of one view module (one set of objects serves them all), each cell checked;
    the failure lists every cell that answered otherwise."""
    wrong = []
    for url in relay_urls():
        if url.module != module or not url.name:
            continue
        rule = RULES.get(url.name)
        if rule is None:
            wrong.append(f"new URL {url.name} has no access rule")
            continue
        wrong += _check_cells(world, rule, url.name, url.args)
    assert not wrong, f"{len(wrong)} cells answer otherwise than their rule:\n" + "\n".join(wrong)


def test_the_django_admin_is_for_admins_only(world):
    rep_id = world["sides"]["A"]["rep_id"]
    for name in ADMIN_SAMPLES:
        url = reverse(name, kwargs={"rep_id": rep_id} if "departure" in name else {})
        for role in ROLES:
            response = _client(world, role).get(url)
            if role == "admin":
                assert response.status_code == 200, (name, role)
            else:
                assert response.status_code == 302, (name, role)
                assert response["Location"].startswith(reverse("admin:login")), (name, role)


def test_every_admin_url_is_under_the_admin_namespace():
    admin_urls = [u for u in all_urls() if u.route.startswith("admin/")]
    assert admin_urls and all(
        not u.name or u.name.startswith(f"{ADMIN_NAMESPACE}:") for u in admin_urls
    )
