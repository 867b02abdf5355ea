"""Models of community profiles and community-based projects (DOMAIN.md §3)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.community.choices.projects import (
    Approach,
    Criterion,
    Dimension,
    ParticipantKind,
    ProjectStatus,
    Rating,
)
from reintegra.core.models import TimestampedModel, VersionedModel
from reintegra.people.choices import AgeBand, Sex

__all__ = [
    "CommunityProfile",
    "CommunityProject",
    "IndicatorMeasurement",
    "ProgressReport",
    "ProjectActivity",
    "ProjectIndicator",
    "ProjectParticipant",
]

# The six findings of a community profile, in display order.
PROFILE_FINDINGS = (
    "needs",
    "resources",
    "impact_of_returns",
    "migration_drivers",
    "reintegration_barriers",
    "resilience_sources",
)

# The form id of the XLSForm instrument a profile may be filled with. Its questions named like
# the fields below (the six findings, the counts, `participants_notes`) fill those fields.
PROFILE_FORM_ID = "community_profile"

# The fields of a profile its authors edit (pages and API).
PROFILE_FIELDS = (
    "community",
    "region",
    "department",
    "commune",
    "profiled_on",
    "returnees_count",
    "non_migrants_count",
    "participants_notes",
    *PROFILE_FINDINGS,
)

# The fields of a project edited with the project form (pages and API); the checklist,
# status, participants and progress have their own services.
PROJECT_FIELDS = (
    "title",
    "summary",
    "approach",
    "dimensions",
    "region",
    "department",
    "commune",
    "place",
    "partners",
    "partner",
    "profile",
    "budget_amount",
    "currency",
    "budget_line",
    "starts_on",
    "ends_on",
    "lead",
)


class CommunityProfile(VersionedModel):
    """A participatory profile of a high-return community, drawn up with returnees and
    non-migrant community members before a community project is designed."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.CharField(_("community or locality"), max_length=200)
    region = models.CharField(_("region"), max_length=100)
    department = models.CharField(_("department"), max_length=100, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    profiled_on = models.DateField(_("date of the profile"))
    returnees_count = models.PositiveIntegerField(_("returnees taking part"), default=0)
    non_migrants_count = models.PositiveIntegerField(
        _("non-migrant community members taking part"), default=0
    )
    participants_notes = models.TextField(_("who took part"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    resources = models.TextField(_("resources"), blank=True)
    impact_of_returns = models.TextField(_("impact of returns"), blank=True)
    migration_drivers = models.TextField(_("drivers of migration"), blank=True)
    reintegration_barriers = models.TextField(_("barriers to reintegration"), blank=True)
    resilience_sources = models.TextField(_("sources of resilience"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Filled through the `community_profile` instrument (when the programme has one): the
    # version used and the raw answers; the findings above are copied from the answers.
    instrument_version = models.ForeignKey(
        "instruments.InstrumentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-profiled_on", "community"]
        verbose_name = _("community profile")
        verbose_name_plural = _("community profiles")

    def __str__(self) -> str:
        return f"{self.community} ({self.region})"


class CommunityProject(VersionedModel):
    """A community-based project: returnees and community members working together."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary and objectives"), blank=True)
    approach = models.CharField(_("approach"), max_length=16, choices=Approach.choices)
    # A list of Dimension codes (several at once).
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=100)
    department = models.CharField(_("department"), max_length=100, blank=True)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    partners = models.TextField(_("partners"), blank=True)
    partner = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("partner in the service map"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    profile = models.ForeignKey(
        CommunityProfile,
        verbose_name=_("community profile"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    # {criterion code: {"rating": Rating code, "notes": text}} for the seven criteria.
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    budget_amount = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="XOF")
    budget_line = models.ForeignKey(
        "plans.BudgetLine",
        verbose_name=_("budget line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead case manager"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    focal_points = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("focal points"),
        blank=True,
        related_name="community_projects",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("community project")
        verbose_name_plural = _("community projects")
        indexes = [models.Index(fields=["office", "status"])]

    def __str__(self) -> str:
        return self.title

    def rating_of(self, criterion: str) -> str:
        return str((self.checklist or {}).get(criterion, {}).get("rating", Rating.NOT_ASSESSED))

    @property
    def criteria(self) -> list[dict[str, str]]:
        """The seven criteria with their rating and notes, in order."""
        out = []
        for code, label in Criterion.choices:
            entry = (self.checklist or {}).get(code, {})
            rating = entry.get("rating", Rating.NOT_ASSESSED)
            out.append(
                {
                    "code": code,
                    "label": str(label),
                    "rating": rating,
                    "rating_label": str(Rating(rating).label),
                    "notes": entry.get("notes", ""),
                }
            )
        return out

    @property
    def dimension_labels(self) -> list[str]:
        return [str(Dimension(d).label) for d in self.dimensions or [] if d in Dimension.values]


class ProjectParticipant(TimestampedModel):
    """Someone taking part: a returnee (linked to their case, one row per case) or community
    members (one named person, or a count of unnamed people of one sex and age band)."""

    project = models.ForeignKey(
        CommunityProject, on_delete=models.CASCADE, related_name="participants"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ParticipantKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices, blank=True)
    count = models.PositiveIntegerField(_("number of people"), default=1)
    role = models.CharField(_("role in the project"), max_length=100, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "case"],
                condition=Q(case__isnull=False),
                name="community_participant_one_row_per_case",
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="community_participant_count"),
        ]


class ProjectActivity(VersionedModel):
    """A planned step of a project, and what it produced once done."""

    project = models.ForeignKey(
        CommunityProject, on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("activity"), max_length=200)
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    output = models.TextField(_("output and notes"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["planned_on", "pk"]


class ProgressReport(TimestampedModel):
    """A periodic report on a project: what happened, what got in the way, what comes next."""

    project = models.ForeignKey(CommunityProject, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    summary = models.TextField(_("summary"))
    challenges = models.TextField(_("challenges"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    reported_on = models.DateField(_("report date"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-period_end", "-pk"]


class ProjectIndicator(TimestampedModel):
    """What a project measures: a baseline, a target and dated measurements."""

    project = models.ForeignKey(
        CommunityProject, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, default=0)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def progress(self, latest: Decimal | None) -> int | None:
        """Per cent of the way from baseline to target reached by `latest` (0–100)."""
        if latest is None or self.target == self.baseline:
            return None
        share = (latest - self.baseline) / (self.target - self.baseline) * 100
        return max(0, min(100, int(share)))


class IndicatorMeasurement(TimestampedModel):
    """One dated value of an indicator."""

    indicator = models.ForeignKey(
        ProjectIndicator, on_delete=models.CASCADE, related_name="measurements"
    )
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["measured_on", "pk"]
