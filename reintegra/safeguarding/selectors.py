"""User-scoped reads of the restricted sections and training records.

A case outside the user's scope is "not found" (404); a section whose tier the user does not
even know of is refused (403); at FLAG level the user gets a content-free view (`restricted`).
"""

from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from reintegra.access.policy import Tier
from reintegra.access.principal import principal
from reintegra.accounts.choices import Role
from reintegra.audit.services import record_access
from reintegra.cases.models import Case
from reintegra.cases.permissions import CaseAccess
from reintegra.cases.selectors import case_get_for_user
from reintegra.core.errors import NotAllowed
from reintegra.instruments.choices import InstrumentKind
from reintegra.instruments.selectors import response_visible_to
from reintegra.referrals.selectors import referral_visible_to
from reintegra.safeguarding import permissions
from reintegra.safeguarding.choices import (
    FIELD_LABELS,
    SECTION_FIELDS,
    Section,
    TraffickingScreening,
)
from reintegra.safeguarding.models import SectionEntry, SectionRecord, TrainingRecord
from reintegra.safeguarding.text import not_known_message, restricted_message

FLAG_FIELDS: dict[str, str] = {
    Section.PROTECTION: "has_protection_flag",
    Section.MEDICAL: "has_medical_flag",
    Section.PSYCHOSOCIAL: "has_psychosocial_flag",
}


@dataclass
class SectionView:
    """What a user sees of one section of one case. When `restricted`, only `exists`."""

    case: Case
    access: CaseAccess
    section: str
    restricted: bool
    exists: bool
    can_write: bool
    record: SectionRecord | None = None
    entries: list[SectionEntry] = field(default_factory=list)
    referrals: list[Any] = field(default_factory=list)
    screenings: list[Any] = field(default_factory=list)
    referrals_qs: Any = None
    screenings_qs: Any = None

    @property
    def content(self) -> dict[str, str]:
        return dict(cast(dict[str, str], self.record.content)) if self.record else {}

    @property
    def version(self) -> int:
        return self.record.version if self.record else 0

    @property
    def restricted_message(self) -> str:
        return restricted_message(self.section, self.exists)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The record's fields as (label, value) rows, in the order of the section."""
        content = self.content
        rows = []
        for name in SECTION_FIELDS[self.section]:
            value = content.get(name) or ""
            if name == "best_interest" and not value and not self.has_minors:
                continue
            if name == "trafficking_screening" and value in TraffickingScreening.values:
                value = str(TraffickingScreening(value).label)
            rows.append({"name": name, "label": FIELD_LABELS[name], "value": value})
        return rows

    @property
    def has_minors(self) -> bool:
        return case_has_minors(self.case)


def case_has_minors(case: Case) -> bool:
    """Whether the returnee or a household member is under 18 (best-interest considerations)."""
    today = timezone.localdate()

    def under_18(born: Any) -> bool:
        if born is None:
            return False
        years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return years < 18

    return under_18(case.person.date_of_birth) or any(
        under_18(m.date_of_birth) for m in case.person.household.all()
    )


def sections_present(case: Case) -> set[str]:
    """The sections of a case with anything in them or whose flag the case carries (two
    queries, for the case page's card)."""
    present = {section for section, field in FLAG_FIELDS.items() if getattr(case, field)}
    present |= set(SectionRecord.objects.filter(case=case).values_list("section", flat=True))
    entries = SectionEntry.objects.filter(case=case).values_list("section", flat=True)
    present |= set(entries.distinct())
    return present


def section_exists(case: Case, section: str) -> bool:
    """Whether there is anything in the section (or the case carries its flag): the one fact a
    FLAG-level user learns."""
    if getattr(case, FLAG_FIELDS[section]):
        return True
    return (
        SectionRecord.objects.filter(case=case, section=section).exists()
        or SectionEntry.objects.filter(case=case, section=section).exists()
    )


def section_get_for_user(user: Any, case_pk: Any, section: str) -> SectionView:
    """The user's view of a section. Http404 when the case is out of scope; NotAllowed when the
    user does not know of the section's tier. A read of the content is an AccessEvent."""
    if section not in Section.values:
        raise Http404
    case, access = case_get_for_user(user, case_pk)
    return section_view(user, case, access, section)


def section_view(user: Any, case: Case, access: CaseAccess, section: str) -> SectionView:
    if not permissions.can_know_section(access, section):
        raise NotAllowed(not_known_message())
    if not permissions.can_read_section(access, section):
        return SectionView(
            case=case,
            access=access,
            section=section,
            restricted=True,
            exists=section_exists(case, section),
            can_write=False,
        )
    record = (
        SectionRecord.objects.filter(case=case, section=section)
        .select_related("screening_response__instrument", "updated_by")
        .first()
    )
    entries = list(
        SectionEntry.objects.filter(case=case, section=section)
        .select_related("author", "referral")
        .order_by("-written_on", "-id")[:200]
    )
    view = SectionView(
        case=case,
        access=access,
        section=section,
        restricted=False,
        exists=record is not None or bool(entries) or section_exists(case, section),
        can_write=permissions.can_write_section(access, section),
        record=record,
        entries=entries,
    )
    if section == Section.MEDICAL:
        view.referrals_qs = medical_referrals_for(user, case)
        view.referrals = list(view.referrals_qs)
    if section == Section.PROTECTION:
        view.screenings_qs = screenings_for(user, case)
        view.screenings = list(view.screenings_qs)
    record_access(
        actor=user,
        action=f"section.{section.lower()}.viewed",
        target=record or case,
        case_id=case.pk,
        person_id=case.person_id,
    )
    return view


def medical_referrals_for(user: Any, case: Case) -> QuerySet[Any]:
    """The case's medical referrals the user may know of (read only here)."""
    return (
        referral_visible_to(user)
        .filter(case=case, tier=Tier.MEDICAL)
        .select_related("service", "provider")
        .order_by("-created_at", "-id")
    )


def screenings_for(user: Any, case: Case) -> QuerySet[Any]:
    """The case's vulnerability screening responses the user may read."""
    return (
        response_visible_to(user)
        .filter(case=case, instrument__kind=InstrumentKind.SCREENING)
        .select_related("instrument")
        .order_by("-submitted_at", "-id")
    )


# --- training records ---------------------------------------------------------------------------


def training_visible_to(user: Any) -> QuerySet[TrainingRecord]:
    """The user's own records, and those of the offices a coordinator's scope covers."""
    if not getattr(user, "is_authenticated", False):
        return TrainingRecord.objects.none()
    offices = principal(user).offices(Role.COORDINATOR)
    return TrainingRecord.objects.filter(Q(person_id=user.pk) | Q(office_id__in=sorted(offices)))


@dataclass
class TrainingFilters:
    training: str = ""
    office: int | None = None
    person: int | None = None
    query: str = ""


def training_list_for_user(
    user: Any, filters: TrainingFilters | None = None
) -> QuerySet[TrainingRecord]:
    f = filters or TrainingFilters()
    qs = training_visible_to(user)
    if f.training:
        qs = qs.filter(training=f.training)
    if f.office:
        qs = qs.filter(office_id=f.office)
    if f.person:
        qs = qs.filter(person_id=f.person)
    text = f.query.strip()
    if text:
        qs = qs.filter(
            Q(person__username__icontains=text)
            | Q(person__first_name__icontains=text)
            | Q(person__last_name__icontains=text)
            | Q(trainer__icontains=text)
        )
    return qs.select_related("person", "office").order_by("-completed_on", "-id")


def training_get_for_user(user: Any, pk: Any) -> TrainingRecord:
    try:
        record_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    record = training_visible_to(user).select_related("person", "office").filter(pk=record_id)
    found = record.first()
    if found is None:
        raise Http404
    return found


def trainable_people(user: Any) -> QuerySet[Any]:
    """The staff a coordinator may record a training for: active users assigned at an office
    of the coordinator's scope."""
    from reintegra.accounts.models import User

    offices = principal(user).offices(Role.COORDINATOR)
    return (
        User.objects.filter(
            is_active=True,
            assignments__is_active=True,
            assignments__office_id__in=sorted(offices),
        )
        .distinct()
        .order_by("username")
    )


def home_sections(user: Any) -> dict[str, Any]:
    """The home page section: the user's own trainings and, for coordinators, how many records
    their scope holds."""
    if not permissions.can_view_sections(user):
        return {}
    own = list(
        TrainingRecord.objects.filter(person_id=user.pk).order_by("-completed_on", "-id")[:5]
    )
    scope_count = None
    if permissions.can_record_training(user):
        scope_count = training_visible_to(user).count()
    return {"own_trainings": own, "scope_count": scope_count}
