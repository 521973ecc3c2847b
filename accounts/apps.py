from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, **kwargs) -> None:
    from accounts.services import role_groups_sync

    role_groups_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Permissions only exist after migrate, so the role groups are brought up to date then.
        post_migrate.connect(_sync_role_groups, dispatch_uid="accounts_sync_role_groups")
        import config.checks  # noqa: F401  (registers the deployment checks)
