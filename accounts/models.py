from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.names import person_name


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who logs in. Their role decides what they may do; their teams decide whom."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        SALES_MANAGER = "sales_manager", _("Sales manager")
        HR = "hr", _("HR")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # One of settings.LANGUAGES; blank follows the browser (accounts/languages.py has the rule).
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        default="",
        help_text=_("blank: the browser's language"),
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    @property
    def is_relay_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_hr(self) -> bool:
        return self.role == self.Role.HR

    @property
    def is_sales_manager(self) -> bool:
        return self.role == self.Role.SALES_MANAGER

    @property
    def sees_everyone(self) -> bool:
        """Admins and HR work across the whole organisation; managers only within their teams."""
        return self.is_relay_admin or self.is_hr


class Team(TimeStampedModel):
    """A sales team, or a region when it has children. Managers see their teams and all below."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    managers = models.ManyToManyField(
        User, verbose_name=_("managers"), blank=True, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="accounts_team_unique_name"),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="accounts_team_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API key. Only its SHA-256 is stored; the key is shown once, when created.

    A request with ``Authorization: Token <key>`` acts as the token's user, with exactly that
    user's role and scope. A revoked token stays listed (with when it was revoked) and is refused.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    prefix = models.CharField(
        _("prefix"), max_length=12, editable=False, help_text=_("the key's first characters")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # Authentication looks a key up by its hash.
            models.UniqueConstraint(fields=["key_hash"], name="accounts_apitoken_unique_hash"),
        ]
        indexes = [
            # The tokens page lists one user's tokens, newest first.
            models.Index(fields=["user", "-created_at"], name="accounts_apitoken_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
