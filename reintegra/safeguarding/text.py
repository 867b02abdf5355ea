"""Texts shared by the pages and the API of the restricted sections."""

from django.utils.translation import gettext as _

from reintegra.safeguarding.choices import Section


def restricted_message(section: str, exists: bool) -> str:
    """What a FLAG-level user reads instead of a section's content."""
    if section == Section.PROTECTION:
        if exists:
            return _("Protection information exists — restricted to the protection focal point.")
        return _("No protection information is recorded.")
    if section == Section.MEDICAL:
        if exists:
            return _("Medical information exists — restricted to the medical focal point.")
        return _("No medical information is recorded.")
    if exists:
        return _(
            "Psychosocial information exists — restricted to the psychosocial case manager "
            "and the protection focal point."
        )
    return _("No psychosocial information is recorded.")


def not_known_message() -> str:
    return _("Your role does not see this section of a case.")
