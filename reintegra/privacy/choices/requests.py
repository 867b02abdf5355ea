"""Choices of subject-access requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    RECEIVED = "RECEIVED", _("Received")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    ANSWERED = "ANSWERED", _("Answered")
    REFUSED = "REFUSED", _("Refused")


# Statuses in which the programme still owes the person an answer.
OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)

# Allowed moves: action -> (statuses it starts from, status it leads to).
REQUEST_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "start": ((RequestStatus.RECEIVED,), RequestStatus.IN_PROGRESS),
    "answer": (OPEN_STATUSES, RequestStatus.ANSWERED),
    "refuse": (OPEN_STATUSES, RequestStatus.REFUSED),
}


class IdentityCheck(models.TextChoices):
    ID_DOCUMENT = "ID_DOCUMENT", _("Identity document seen")
    IN_PERSON = "IN_PERSON", _("Known in person by staff")
    CALLBACK = "CALLBACK", _("Call back on the phone number on file")
    QUESTIONS = "QUESTIONS", _("Questions only the person can answer")
    OTHER = "OTHER", _("Other (describe)")


class RequestLanguage(models.TextChoices):
    EN = "en", _("English")
    FR = "fr", _("French")
