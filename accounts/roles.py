"""The three roles and the model permissions each role's group carries.

These groups are the truth about what a role may do: pages (``accounts.access.page``) and API
views (``required_perms``) ask for these permissions, and the navigation shows what they grant.
"""

from accounts.models import User

# Permission codenames per role, as "app_label.codename". "*" stands for every model of the app,
# "view_*" for every permission starting so.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    User.Role.ADMIN: [
        "accounts.*",
        "retention.*",
        "handover.*",
    ],
    User.Role.SALES_MANAGER: [
        # Their teams' people, customers and activity...
        "retention.view_salesrep",
        "retention.view_customer",
        "retention.view_assignment",
        "retention.add_assignment",
        "retention.change_assignment",
        "retention.view_activity",
        "retention.view_deal",
        "retention.view_leaverecord",
        "retention.view_servicerecord",
        # ...their reps' risk, the alerts about it and what they do to keep them. Not the
        # model, its runs, imports or the audit log of risk reads: those are the admins'.
        "retention.view_riskscore",
        "retention.view_riskalert",
        "retention.change_riskalert",
        "retention.view_intervention",
        "retention.add_intervention",
        "retention.change_intervention",
        "handover.view_*",
        "handover.add_*",
        "handover.change_*",
    ],
    User.Role.HR: [
        "retention.view_salesrep",
        "retention.add_salesrep",
        "retention.change_salesrep",
        "retention.view_leaverecord",
        "retention.add_leaverecord",
        "retention.change_leaverecord",
        "retention.view_customer",
        "retention.view_assignment",
        # Risk across the organisation, read-only: no interventions, acknowledgements,
        # scoring runs or routing changes.
        "retention.view_riskscore",
        "retention.view_riskalert",
        "retention.view_intervention",
        # HR imports the people and leave templates.
        "retention.view_importjob",
        "retention.add_importjob",
        "handover.*",
    ],
}

ROLE_GROUP_NAMES: dict[str, str] = {
    User.Role.ADMIN: "Admins",
    User.Role.SALES_MANAGER: "Sales managers",
    User.Role.HR: "HR",
}
