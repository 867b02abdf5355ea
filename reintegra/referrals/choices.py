"""Referral states, their transitions, internal recipients and what may be shared."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SENT = "SENT", _("Sent")
    ACCEPTED = "ACCEPTED", _("Accepted")
    DECLINED = "DECLINED", _("Declined")
    DELIVERED = "DELIVERED", _("Delivered")
    NOT_DELIVERED = "NOT_DELIVERED", _("Not delivered")
    CLOSED = "CLOSED", _("Closed")
    CANCELLED = "CANCELLED", _("Cancelled")


# The closed loop of a referral. Recording the outcome and the returnee's feedback closes it.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.SENT, State.CANCELLED),
    State.SENT: (State.ACCEPTED, State.DECLINED, State.CANCELLED),
    State.ACCEPTED: (State.DELIVERED, State.NOT_DELIVERED, State.CANCELLED),
    State.DECLINED: (State.CLOSED,),
    State.DELIVERED: (State.CLOSED,),
    State.NOT_DELIVERED: (State.CLOSED,),
    State.CLOSED: (),
    State.CANCELLED: (),
}

# The provider's side of the loop: answered through the provider link, by the internal
# recipient, or recorded by staff on the provider's behalf.
RECIPIENT_STATES = frozenset({State.ACCEPTED, State.DECLINED, State.DELIVERED, State.NOT_DELIVERED})
# States in which the referral waits on someone (for lists and the home page).
OPEN_STATES = (State.SENT, State.ACCEPTED)
FINAL_STATES = (State.CLOSED, State.CANCELLED)


class Kind(models.TextChoices):
    EXTERNAL = "EXTERNAL", _("To a service provider")
    INTERNAL = "INTERNAL", _("Within the programme")


class Recipient(models.TextChoices):
    """Internal referrals go to a focal point or a psychosocial case manager."""

    PROTECTION_FP = "PROTECTION_FP", _("Protection focal point")
    MEDICAL_FP = "MEDICAL_FP", _("Medical focal point")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial case manager")


class OverrideGround(models.TextChoices):
    """The only grounds for a referral without consent (handbook 4.1.3)."""

    LIFE_AT_RISK = "LIFE_AT_RISK", _("The person's life is at risk")
    CANNOT_CONSENT = (
        "CANNOT_CONSENT",
        _("The person cannot consent (determined by a mental-health professional)"),
    )


class Field(models.TextChoices):
    """What a referral may share about the returnee. The reason is always shared."""

    NAME = "NAME", _("Name")
    SEX = "SEX", _("Sex")
    AGE = "AGE", _("Age")
    DATE_OF_BIRTH = "DATE_OF_BIRTH", _("Date of birth")
    PHONE = "PHONE", _("Phone")
    LANGUAGES = "LANGUAGES", _("Languages")
    PLACE = "PLACE", _("Place of return")
    ADDRESS = "ADDRESS", _("Address")


# What a new referral shares unless the sender changes it: enough to reach the person.
DEFAULT_FIELDS = (Field.NAME, Field.PHONE)
