"""People from the CRM: what each CRM user is to Relay, which team a CRM grouping is, and the
history of each rep's team and manager."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Team, TimeStampedModel
from retention.models.core import SalesRep


class CrmUserChoice(TimeStampedModel):
    """What one CRM user is to Relay (rep, manager or skipped), kept for later exports.

    An admin's choice (``by_admin``) wins over the import's defaults next time; a default is
    kept too, so a later Task.csv alone knows its integration user is no rep."""

    class Becomes(models.TextChoices):
        REP = "rep", _("Rep")
        MANAGER = "manager", _("Manager")
        SKIP = "skip", _("Skipped")

    crm_user_id = models.CharField(_("CRM user id"), max_length=64, unique=True)
    becomes = models.CharField(_("becomes"), max_length=10, choices=Becomes.choices)
    by_admin = models.BooleanField(_("chosen by an admin"), default=False)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("CRM user choice")
        verbose_name_plural = _("CRM user choices")

    def __str__(self) -> str:
        return f"{self.crm_user_id}: {self.get_becomes_display()}"


class CrmTeamLink(TimeStampedModel):
    """Which Relay team a CRM grouping became: a role (``role:<Id>``), a manager's team
    (``manager:<Id>``) or a division (``division:<Division>[/<Department>]``). Later exports
    find the team through it, so renaming a team in Relay does not make a second one."""

    key = models.CharField(_("CRM key"), max_length=200, unique=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="crm_links"
    )

    class Meta:
        verbose_name = _("CRM team link")
        verbose_name_plural = _("CRM team links")

    def __str__(self) -> str:
        return f"{self.key} → {self.team}"


class TeamMembership(TimeStampedModel):
    """A rep's team and manager from one day to another: moves and manager changes are history.

    Closed (``valid_to`` set), never deleted; at most one is open per rep."""

    rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="team_history",
        db_index=False,  # led by the index below
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="memberships"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_from = models.DateField(pgettext_lazy("start of a period", "from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["rep"],
                condition=Q(valid_to__isnull=True),
                name="retention_membership_one_open",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="retention_membership_dates_in_order",
            ),
        ]
        indexes = [
            # A rep's history in order, and the team-change signal's reads per rep.
            models.Index(fields=["rep", "valid_from"], name="retention_membership_rep"),
        ]

    def __str__(self) -> str:
        return f"{self.rep_id} in {self.team} from {self.valid_from}"
