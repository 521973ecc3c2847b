"""The org the CRM implies: from the role hierarchy, else ManagerId, else Division/Department.

Pure functions, no database."""

from retention.imports.people import (
    CrmRole,
    CrmUser,
    build_org,
    decide,
    team_name_from_role,
)


def user(crm_id: str, title: str = "Account Executive", **extra) -> CrmUser:
    extra.setdefault("last_name", crm_id)
    return CrmUser(id=crm_id, title=title, user_type="Standard", **extra)


def plan_for(users: list[CrmUser], roles: list[CrmRole] = ()):
    by_id = {u.id: u for u in users}
    role_map = {r.id: r for r in roles}
    decisions = decide(by_id, roles=role_map, with_history=set(), chosen={}, remembered={})
    return build_org(by_id, decisions, roles=role_map)


ROLES = [
    CrmRole("R-CEO", "CEO"),
    CrmRole("R-VP", "VP Sales", "R-CEO"),
    CrmRole("R-EAST", "East Director", "R-VP"),
    CrmRole("R-MIA-M", "East - Miami Manager", "R-EAST"),
    CrmRole("R-MIA", "East - Miami Sales Reps", "R-MIA-M"),
    CrmRole("R-BOS", "East - Boston Reps", "R-EAST"),
    CrmRole("R-WEST", "West", "R-VP"),
    CrmRole("R-SEA", "Seattle Reps", "R-WEST"),
    CrmRole("R-OPS", "Sales Operations", "R-CEO"),
]


def test_roles_holding_reps_are_teams_and_the_roles_above_are_regions():
    plan = plan_for(
        [
            user("vp", "VP Sales", role_id="R-VP"),
            user("dir", "Sales Director", role_id="R-EAST"),
            user("mgr", "Sales Manager", role_id="R-MIA-M"),
            user("a", role_id="R-MIA"),
            user("b", role_id="R-MIA"),
            user("c", role_id="R-BOS"),
            user("d", role_id="R-SEA"),
            user("ops", "Sales Ops Analyst", role_id="R-OPS"),
        ],
        ROLES,
    )

    tree = {entry["path"]: entry for entry in plan.describe(_users(plan))["tree"]}
    assert plan.built_from == "roles"
    assert sorted(tree) == [
        "VP Sales",
        "VP Sales / East",
        "VP Sales / East / East - Boston",
        "VP Sales / East / East - Miami",
        "VP Sales / West",
        "VP Sales / West / Seattle",
    ]
    miami = plan.nodes["role:R-MIA"]
    assert (miami.name, miami.manager_ids, miami.rep_count) == ("East - Miami", ["mgr"], 2)
    assert plan.nodes["role:R-EAST"].manager_ids == ["dir"]
    assert plan.team_of == {
        "a": "role:R-MIA",
        "b": "role:R-MIA",
        "c": "role:R-BOS",
        "d": "role:R-SEA",
    }
    # The CEO's single-child role folds into the VP's; operations hold no reps: no team.
    assert "role:R-OPS" not in plan.nodes and "role:R-CEO" not in plan.nodes
    assert plan.decisions["ops"].becomes == "skip"


def _users(plan):
    return {crm_id: CrmUser(id=crm_id, last_name=crm_id) for crm_id in plan.decisions}


def test_without_roles_a_manager_with_reps_has_a_team_in_their_manager_s_region():
    plan = plan_for(
        [
            user("vp", "VP Sales", division="", last_name="Vance"),
            user("m1", "Sales Manager", manager_id="vp", division="East", last_name="Ames"),
            user("m2", "Sales Manager", manager_id="vp", division="West", last_name="Bond"),
            user("a", manager_id="m1", department="Sales", division="East"),
            user("b", manager_id="m1", department="Sales", division="East"),
            user("c", manager_id="m2", department="Sales", division="West"),
        ]
    )

    assert plan.built_from == "managers"
    assert plan.team_of["a"] == plan.team_of["b"] == "manager:m1"
    team = plan.nodes["manager:m1"]
    # Department is "Sales" for everyone, so it does not name the team: the manager does.
    assert team.name == "Team Ames"
    assert team.parent_key == "manager:vp"
    assert plan.nodes["manager:vp"].manager_ids == ["vp"]


def test_with_neither_roles_nor_managers_division_is_the_region_and_department_the_team():
    plan = plan_for(
        [
            user("a", division="East", department="Miami"),
            user("b", division="East", department="Boston"),
            user("c", division="West", department="Seattle"),
        ]
    )

    assert plan.built_from == "divisions"
    assert plan.team_of["a"] == "division:East/Miami"
    assert plan.nodes["division:East/Miami"].parent_key == "division:East"


def test_division_alone_makes_one_team_per_region_when_department_is_sales_for_all():
    plan = plan_for(
        [
            user("a", division="East", department="Sales"),
            user("b", division="West", department="Sales"),
        ]
    )

    assert plan.team_of == {"a": "division:East", "b": "division:West"}


def test_team_names_drop_the_role_s_rep_suffix():
    assert team_name_from_role("East - Miami Sales Reps") == "East - Miami"
    assert team_name_from_role("Seattle Reps") == "Seattle"
    assert team_name_from_role("Reps") == "Reps"
