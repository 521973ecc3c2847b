"""The customer note's form, used on the customer page and in a handover plan's item."""

from django import forms
from django.utils.translation import gettext_lazy as _

from retention.knowledge.services import MAX_PART_CHARS
from retention.models import CustomerKnowledge

PART_HELP = {
    "needs": _("What they buy, why, and what they expect of us."),
    "contacts": _("Who decides, who uses it, who to call first; how well each knows us."),
    "next_steps": _("Each open deal, its stage and the next step, with dates."),
    "open_issues": _("Complaints, late deliveries, a competitor circling, anything unresolved."),
}


class NoteField(forms.CharField):
    """Text of a part, with the browser's CRLF line ends as the LF Relay stores, so text shown
    and sent back unchanged counts as unchanged."""

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def _part(label) -> forms.CharField:
    return NoteField(
        label=label,
        required=False,
        max_length=MAX_PART_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class KnowledgeForm(forms.Form):
    """The four parts of a note and the version it was started from (so a save that would
    replace someone else's newer version is refused, not lost)."""

    needs = _part(_("What the customer needs"))
    contacts = _part(_("Key contacts and relationships"))
    next_steps = _part(_("Where each deal stands, next steps"))
    open_issues = _part(_("Open issues and risks"))
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reviewed = forms.BooleanField(
        label=_("I have checked the suggested text: save it as it stands"), required=False
    )

    PARTS = CustomerKnowledge.PARTS

    def __init__(self, *args, suggested_parts: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for part in self.PARTS:
            help_text = PART_HELP[part]
            if part in suggested_parts:
                help_text = _("Suggested from Relay's records: check it before you save.")
                self.fields[part].widget.attrs["class"] = "suggested"
            self.fields[part].help_text = help_text
        if not suggested_parts:
            del self.fields["reviewed"]

    def part_fields(self):
        return [self[part] for part in self.PARTS]

    def parts(self) -> dict[str, str]:
        return {part: self.cleaned_data[part] for part in self.PARTS}

    def parts_to_save(self) -> dict[str, str] | None:
        """The parts, when a person wrote something or vouched for Relay's suggestion; None
        when the note was left as it was shown (a suggestion alone is not a note)."""
        edited = any(part in self.changed_data for part in self.PARTS)
        if edited or self.cleaned_data.get("reviewed"):
            return self.parts()
        return None
