"""Print the URL and the demo logins (``make run`` calls this after seeding).

The demo logins are the users ``seed_demo`` created with the shared demo password; they are
recognised by their e-mail domain, so real users never show up here.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.org import org_tree

DEMO_PASSWORD = "relay-demo"
DEMO_EMAIL_DOMAIN = "demo.relay.example"


def demo_login_rows() -> list[tuple[str, str, str, str]]:
    """(username, role, scope, password) for each demo login, admins first."""
    order = {User.Role.ADMIN: 0, User.Role.HR: 1, User.Role.SALES_MANAGER: 2}
    users = [
        user
        for user in User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .prefetch_related("managed_teams")
        .order_by("username")
        if user.has_usable_password()
    ]
    users.sort(key=lambda user: (order.get(user.role, 9), user.username))
    rows = []
    for user in users:
        if user.sees_everyone:
            scope = _("everyone")
        else:
            teams = list(user.managed_teams.all())
            below = len(org_tree().descendants(t.pk for t in teams)) - len(teams)
            scope = ", ".join(t.name for t in teams) or _("nobody")
            if below:
                scope = ngettext("%(teams)s (%(n)d team)", "%(teams)s (%(n)d teams)", below) % {
                    "teams": scope,
                    "n": below,
                }
        rows.append((user.username, user.get_role_display(), scope, DEMO_PASSWORD))
    return rows


class Command(BaseCommand):
    help = "Print where Relay is served and the demo logins created by seed_demo."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where Relay is served")

    def handle(self, *args, url: str, **options) -> None:
        self.stdout.write(f"\nRelay: {url}\n")
        rows = demo_login_rows()
        if not rows:
            self.stdout.write(_("No demo logins yet: run `manage.py seed_demo`.") + "\n")
            return
        header = (_("username"), _("role"), _("scope"), _("password"))
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write(line.format(*header).rstrip())
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
        self.stdout.write("")
