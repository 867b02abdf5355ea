"""Instruments (XLSForms uploaded as versions) and the responses made with them."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language

from reintegra.access.policy import Tier
from reintegra.cases.models import RESTRICTED_TIERS, Case
from reintegra.core.crypto import SealedJSONField
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.instruments.choices import (
    ImportStatus,
    InstrumentKind,
    ResponseSource,
    ResponseStatus,
)
from reintegra.instruments.spec import FormSpec


class Instrument(VersionedModel):
    """A questionnaire of the programme; its questions live in its versions."""

    code = models.SlugField(max_length=64, unique=True)  # the XLSForm form_id
    name = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)
    kind = models.CharField(
        max_length=16, choices=InstrumentKind.choices, default=InstrumentKind.ASSESSMENT
    )
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.CASE)
    current = models.ForeignKey(
        "InstrumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    # Each scoring dimension's column in ScoreRow, fixed once given ({"economic": 1, …}):
    # versions may reorder or add dimensions without moving the stored scores.
    dimension_slots = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the language of the request (French when the form gives one)."""
        if self.name_fr and (get_language() or "")[:2] == "fr":
            return self.name_fr
        return self.name


class InstrumentVersion(TimestampedModel):
    """One uploaded XLSForm. Never changed once stored: responses keep the version they used."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=64, blank=True)  # the XLSForm settings `version`
    spec = models.JSONField()
    xlsform = models.BinaryField()
    filename = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    question_count = models.PositiveIntegerField(default=0)
    scored = models.BooleanField(default=False)

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"

    @property
    def form(self) -> FormSpec:
        cached = self.__dict__.get("_form")
        if cached is None:
            cached = self.__dict__["_form"] = FormSpec.from_dict(self.spec)
        return cached


class Response(VersionedModel):
    """Answers to one instrument version about one case, with the scores they give."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="responses"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="responses")
    # Copied from the instrument when the response is made: it decides who may read it.
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.CASE)
    status = models.CharField(
        max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    source = models.CharField(
        max_length=8, choices=ResponseSource.choices, default=ResponseSource.WEB
    )
    # Encrypted at rest for a restricted tier; plain JSON otherwise (monitoring queries keys).
    answers = SealedJSONField(default=dict, blank=True, tiers=RESTRICTED_TIERS)
    scores = models.JSONField(default=dict, blank=True)
    composite = models.FloatField(null=True, blank=True)
    scored_with = models.ForeignKey(
        InstrumentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collected_on = models.DateField(null=True, blank=True)
    # Whole months between the return and the collection (dashboards group by it).
    months_since_return = models.SmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The instance id an ODK client or a KoBo export gives a submission: stored once.
    instance_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["case", "instrument"]),
            models.Index(fields=["instrument", "status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} · {self.case}"

    @property
    def is_draft(self) -> bool:
        return self.status == ResponseStatus.DRAFT


class ImportJob(TimestampedModel):
    """A KoBo / ODK export being imported into an instrument version. The file is kept until
    the job ends; the report lists each bad row."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="imports")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200)
    data = models.BinaryField(blank=True)
    valid_only = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total = models.PositiveIntegerField(default=0)  # rows in the file
    done = models.PositiveIntegerField(default=0)  # progress steps done (2 per row)
    imported = models.PositiveIntegerField(default=0)
    already = models.PositiveIntegerField(default=0)  # rows imported before (same instance id)
    invalid = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)  # messages, bad rows first
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.instrument} · {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.PENDING, ImportStatus.RUNNING)

    @property
    def percent(self) -> int:
        steps = max(1, self.total * 2)
        return min(100, round(self.done * 100 / steps))


SCORE_SLOTS = 8  # dimensions an instrument may score (columns d1…d8 of ScoreRow)


class ScoreRow(models.Model):
    """A submitted response's scores in plain columns (a narrow copy of `Response.scores`),
    so dashboards aggregate them without reading the responses' JSON. Written with the
    response, rewritten by a rescore."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, primary_key=True, related_name="score_row"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.CASE)
    submitted_at = models.DateTimeField()
    months_since_return = models.SmallIntegerField(null=True, blank=True)
    composite = models.FloatField(null=True, blank=True)
    d1 = models.FloatField(null=True, blank=True)
    d2 = models.FloatField(null=True, blank=True)
    d3 = models.FloatField(null=True, blank=True)
    d4 = models.FloatField(null=True, blank=True)
    d5 = models.FloatField(null=True, blank=True)
    d6 = models.FloatField(null=True, blank=True)
    d7 = models.FloatField(null=True, blank=True)
    d8 = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["instrument", "case"])]

    def __str__(self) -> str:
        return f"scores of response {self.response_id}"
