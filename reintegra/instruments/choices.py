from django.db import models
from django.utils.translation import gettext_lazy as _


class InstrumentKind(models.TextChoices):
    SCREENING = "SCREENING", _("Screening")
    ASSESSMENT = "ASSESSMENT", _("Assessment")
    SURVEY = "SURVEY", _("Survey")
    MONITORING = "MONITORING", _("Monitoring")
    # Filled about a community (community profiles), never on a case: not offered on cases,
    # to ODK Collect or to the imports.
    COMMUNITY = "COMMUNITY", _("Community profile")
    OTHER = "OTHER", _("Other")


class ResponseStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SUBMITTED = "SUBMITTED", _("Submitted")


class ResponseSource(models.TextChoices):
    WEB = "WEB", _("Web form")
    API = "API", _("API")
    ODK = "ODK", _("ODK Collect / KoBoCollect")
    IMPORT = "IMPORT", _("Imported file")


# The shipped sustainability survey (form_id): its first response is the case's baseline, later
# ones are monitoring follow-ups.
SUSTAINABILITY_INSTRUMENT = "reintegration_sustainability"

# The community profile instrument (form_id): always of the COMMUNITY kind, filled from the
# community profiles (`community` app), never on a case.
COMMUNITY_PROFILE_INSTRUMENT = "community_profile"

# Tiers an instrument's answers may belong to (identity data lives on the person record).
ANSWER_TIERS = ("CASE", "PROTECTION", "MEDICAL", "PSYCHOSOCIAL", "FINANCE")


class ImportStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting")
    RUNNING = "RUNNING", _("Running")
    REFUSED = "REFUSED", _("Refused: nothing imported")
    DONE = "DONE", _("Imported")
    FAILED = "FAILED", _("Failed")
