"""What is known about a customer: the handover note, kept by the customer, with every version.

The knowledge outlives the reps who hold the customer and the handover plans that asked for it:
a plan's item reads and writes the customer's knowledge, it keeps no copy.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from retention.models.core import Customer


class CustomerKnowledge(models.Model):
    """One version of what is known about a customer. Each edit is a new row (version n + 1)
    with its author and time; no version is ever changed or deleted."""

    class Source(models.TextChoices):
        CUSTOMER_PAGE = "customer", _("Customer page")
        HANDOVER = "handover", _("Handover plan")
        API = "api", _("API")
        EARLIER = "earlier", _("Recorded before versions were kept")

    # The parts of a note, in the order pages show them. A key account's note is complete when
    # none of them is blank.
    PARTS = ("needs", "contacts", "next_steps", "open_issues")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="knowledge"
    )
    version = models.PositiveIntegerField(_("version"))
    needs = models.TextField(_("what the customer needs"), blank=True)
    contacts = models.TextField(_("key contacts and relationships"), blank=True)
    next_steps = models.TextField(_("where each deal stands, next steps"), blank=True)
    open_issues = models.TextField(_("open issues and risks"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    source = models.CharField(_("written on"), max_length=10, choices=Source.choices)
    context = models.CharField(
        _("context"),
        max_length=200,
        blank=True,
        help_text=_("Where it was written, such as the handover plan it belongs to."),
    )
    # What a context Relay wrote is made of, worded again in each reader's language
    # (``context_text``); empty where the context is as written (or from before it was kept).
    context_data = models.JSONField(_("context (data)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("customer knowledge")
        verbose_name_plural = _("customer knowledge")
        constraints = [
            # Two people saving at once cannot both write version n + 1: one is told to look.
            models.UniqueConstraint(
                fields=["customer", "version"], name="retention_knowledge_one_per_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="retention_knowledge_version_from_one"
            ),
        ]
        # The constraint's index serves "the latest version of these customers" and the history
        # (customer, version descending) alike.

    def __str__(self) -> str:
        return f"{self.customer_id} v{self.version}"

    @property
    def context_text(self) -> str:
        """Where the version was written, in the active language."""
        from retention.knowledge.services import knowledge_context_text

        if not self.context_data:
            return self.context
        try:
            return knowledge_context_text(self.context_data)
        except (KeyError, TypeError, ValueError):
            return self.context  # data this version cannot read: the text as written

    @property
    def parts(self) -> dict[str, str]:
        return {part: getattr(self, part) for part in self.PARTS}

    @property
    def is_complete(self) -> bool:
        return all(value.strip() for value in self.parts.values())
