from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    PRE_DEPARTURE = "PRE_DEPARTURE", _("Pre-departure")
    REGISTERED = "REGISTERED", _("Registered")
    ASSESSMENT = "ASSESSMENT", _("Assessment")
    PLANNING = "PLANNING", _("Planning")
    ASSISTANCE = "ASSISTANCE", _("Assistance")
    MONITORING = "MONITORING", _("Monitoring")
    CLOSED = "CLOSED", _("Closed")


# The lifecycle of DESIGN.md §6. Closing has its own service (it needs a reason).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.PRE_DEPARTURE: (Stage.REGISTERED,),
    Stage.REGISTERED: (Stage.ASSESSMENT,),
    Stage.ASSESSMENT: (Stage.PLANNING,),
    Stage.PLANNING: (Stage.ASSISTANCE, Stage.ASSESSMENT),
    Stage.ASSISTANCE: (Stage.MONITORING, Stage.PLANNING),
    Stage.MONITORING: (Stage.ASSISTANCE,),
    Stage.CLOSED: (),
}


class ClosureReason(models.TextChoices):
    """Handbook 2.7."""

    SUPPORT_ENDED = "SUPPORT_ENDED", _("Support period ended")
    NOT_ELIGIBLE = "NOT_ELIGIBLE", _("No longer eligible")
    CHOSE_TO_STOP = "CHOSE_TO_STOP", _("Returnee chose to stop")
    MOVED_AWAY = "MOVED_AWAY", _("Moved away")
    DECEASED = "DECEASED", _("Deceased")
    REMIGRATED = "REMIGRATED", _("Re-migrated")
    UNREACHABLE = "UNREACHABLE", _("Unreachable")
    AGGRESSION = "AGGRESSION", _("Aggression or threats toward staff")
    FUNDING_LOST = "FUNDING_LOST", _("Loss of funding")
    SECURITY = "SECURITY", _("Security context")
    OTHER = "OTHER", _("Other")


class AssignmentRole(models.TextChoices):
    LEAD = "LEAD", _("Lead case manager")
    SPECIALIST = "SPECIALIST", _("Specialist")
    FOCAL_POINT = "FOCAL_POINT", _("Focal point")


class HandoverStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting for acceptance")
    ACCEPTED = "ACCEPTED", _("Accepted")
    REFUSED = "REFUSED", _("Refused")
    CANCELLED = "CANCELLED", _("Cancelled")


class HandoverSection(models.TextChoices):
    """The parts of a case file that may travel with a hand-over."""

    IDENTITY = "IDENTITY", _("Identity and contacts")
    HOUSEHOLD = "HOUSEHOLD", _("Household")
    DOCUMENTS = "DOCUMENTS", _("Identity documents")
    NOTES = "NOTES", _("Counselling notes")
    TASKS = "TASKS", _("Open tasks")
    ATTACHMENTS = "ATTACHMENTS", _("Attached files")


class Flag(models.TextChoices):
    PROTECTION = "PROTECTION", _("Protection")
    MEDICAL = "MEDICAL", _("Medical")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial")


class EventKind(models.TextChoices):
    """Timeline events, in the past tense."""

    OPENED = "OPENED", _("Case opened")
    ASSIGNED = "ASSIGNED", _("Case manager assigned")
    UNASSIGNED = "UNASSIGNED", _("Case manager removed")
    STAGE_CHANGED = "STAGE_CHANGED", _("Stage changed")
    NOTE_ADDED = "NOTE_ADDED", _("Note added")
    TASK_ADDED = "TASK_ADDED", _("Task added")
    TASK_COMPLETED = "TASK_COMPLETED", _("Task completed")
    DOCUMENT_ADDED = "DOCUMENT_ADDED", _("Document added")
    FLAG_SET = "FLAG_SET", _("Flag raised")
    FLAG_CLEARED = "FLAG_CLEARED", _("Flag cleared")
    HANDOVER_REQUESTED = "HANDOVER_REQUESTED", _("Hand-over requested")
    HANDED_OVER = "HANDED_OVER", _("Handed over")
    HANDOVER_REFUSED = "HANDOVER_REFUSED", _("Hand-over refused")
    CLOSED = "CLOSED", _("Case closed")
    REOPENED = "REOPENED", _("Case reopened")
    UPDATED = "UPDATED", _("Case details updated")
    RESPONSE_SUBMITTED = "RESPONSE_SUBMITTED", _("Assessment or survey submitted")
    REFERRAL = "REFERRAL", _("Referral")
    PLAN = "PLAN", _("Reintegration plan")
    COMMUNITY = "COMMUNITY", _("Community project")


class DocumentType(models.TextChoices):
    IDENTITY = "IDENTITY", _("Identity document copy")
    CONSENT_FORM = "CONSENT_FORM", _("Signed consent form")
    ASSESSMENT = "ASSESSMENT", _("Assessment")
    CERTIFICATE = "CERTIFICATE", _("Certificate")
    CORRESPONDENCE = "CORRESPONDENCE", _("Correspondence")
    OTHER = "OTHER", _("Other")
