"""The three roles and the model permissions each role's group carries."""

from accounts.models import User

# Permission codenames per role, as "app_label.codename". "*" stands for every model of the app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    User.Role.ADMIN: [
        "accounts.*",
        "retention.*",
        "handover.*",
    ],
    User.Role.SALES_MANAGER: [
        "retention.view_*",
        "retention.add_assignment",
        "retention.change_assignment",
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
        "handover.*",
    ],
}

ROLE_GROUP_NAMES: dict[str, str] = {
    User.Role.ADMIN: "Admins",
    User.Role.SALES_MANAGER: "Sales managers",
    User.Role.HR: "HR",
}
