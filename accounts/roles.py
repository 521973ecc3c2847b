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
        # What is known about their customers: read it and add versions (never change one).
        "retention.view_customerknowledge",
        "retention.add_customerknowledge",
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
        # Handing their reps' customers over; reading their teams' hiring and driving their
        # new reps' onboarding. Opening vacancies and moving candidates is HR's.
        "handover.view_*",
        "handover.add_handoverplan",
        "handover.change_handoverplan",
        "handover.change_handoveritem",
        "handover.change_coveragegap",
        "handover.add_interviewfeedback",
        "handover.change_onboardingtask",
    ],
    User.Role.HR: [
        "retention.view_salesrep",
        "retention.add_salesrep",
        "retention.change_salesrep",
        "retention.view_leaverecord",
        "retention.add_leaverecord",
        "retention.change_leaverecord",
        "retention.view_customer",
        "retention.view_customerknowledge",
        "retention.view_assignment",
        # Risk across the organisation, read-only: no interventions, acknowledgements,
        # scoring runs or routing changes.
        "retention.view_riskscore",
        "retention.view_riskalert",
        "retention.view_intervention",
        # HR imports the people and leave templates.
        "retention.view_importjob",
        "retention.add_importjob",
        # Hiring and onboarding, all of it; handover plans and coverage read-only (handing a
        # customer over is the manager's decision).
        "handover.view_*",
        "handover.manage_hiring",
        "handover.see_salary_band",
        "handover.add_vacancy",
        "handover.change_vacancy",
        "handover.add_candidate",
        "handover.change_candidate",
        "handover.add_application",
        "handover.change_application",
        "handover.add_stagechange",
        "handover.add_interviewfeedback",
        "handover.change_interviewfeedback",
        "handover.add_onboardingtemplate",
        "handover.change_onboardingtemplate",
        "handover.add_onboardingplan",
        "handover.change_onboardingplan",
        "handover.add_onboardingtask",
        "handover.change_onboardingtask",
    ],
}

ROLE_GROUP_NAMES: dict[str, str] = {
    User.Role.ADMIN: "Admins",
    User.Role.SALES_MANAGER: "Sales managers",
    User.Role.HR: "HR",
}
