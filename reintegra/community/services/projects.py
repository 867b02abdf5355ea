"""Writes of community profiles and community-based projects. Each checks who may make it
(NotAllowed), validates (ValidationFailed), saves and audits in one transaction; edits carry the
version they were made on (a stale one raises StaleVersion and changes nothing). Adding or
removing a returnee participant also writes a line on the returnee's case timeline."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.accounts.models import Office
from reintegra.audit.services import diff, record
from reintegra.cases.models import Case
from reintegra.cases.selectors import case_visible_to
from reintegra.cases.services import case_event_record
from reintegra.community.choices.projects import (
    NEEDS_REASON,
    TRANSITIONS,
    Approach,
    Criterion,
    Dimension,
    ParticipantKind,
    ProjectStatus,
    Rating,
)
from reintegra.community.models.projects import (
    PROFILE_FIELDS,
    PROFILE_FINDINGS,
    PROFILE_FORM_ID,
    PROJECT_FIELDS,
    CommunityProfile,
    CommunityProject,
    IndicatorMeasurement,
    ProgressReport,
    ProjectActivity,
    ProjectIndicator,
    ProjectParticipant,
)
from reintegra.community.permissions.projects import (
    can_add_participant,
    can_create_project,
    can_edit_profile,
    can_edit_project,
    can_record_progress,
    keeping_offices,
)
from reintegra.community.selectors.projects import is_focal_point, may_lead
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.instruments import engine
from reintegra.people.choices import AgeBand, Sex

MAX_AMOUNT = Decimal("999999999999.99")


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")


def _json(value: Any) -> Any:
    """A value as the audit trail stores it."""
    if isinstance(value, date | Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return diff({k: _json(v) for k, v in before.items()}, {k: _json(v) for k, v in after.items()})


# --- community profiles ------------------------------------------------------------------------


def _check_profile(fields: dict[str, Any]) -> None:
    if "community" in fields and not str(fields["community"] or "").strip():
        raise ValidationFailed(_("Name the community or locality."), field="community")
    if "region" in fields and not str(fields["region"] or "").strip():
        raise ValidationFailed(_("Give the region."), field="region")
    if "profiled_on" in fields and fields["profiled_on"] is None:
        raise ValidationFailed(_("Give the date of the profile."), field="profiled_on")
    profiled_on = fields.get("profiled_on")
    if profiled_on and profiled_on > timezone.localdate():
        raise ValidationFailed(_("The profile cannot be dated in the future."), field="profiled_on")
    for name in ("returnees_count", "non_migrants_count"):
        value = fields.get(name)
        if value is not None and not 0 <= int(value) <= 100000:
            raise ValidationFailed(_("Give a number of people from 0."), field=name)


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _from_instrument(version: Any, answers: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stored answers (relevant ones, calculations) and the profile fields they fill:
    questions named like the six findings, `participants_notes` and the two counts. Raises
    ValidationFailed with every invalid answer (`errors`, by question path)."""
    if version is None or version.instrument.code != PROFILE_FORM_ID:
        raise ValidationFailed(_("Use the community profile instrument."), field="answers")
    if not isinstance(answers, dict):
        raise ValidationFailed(_("The answers are not valid."), field="answers")
    cleaned, errors = engine.clean(version.form, answers)
    if errors:
        raise ValidationFailed(
            _("Some answers are missing or not valid."),
            field="answers",
            errors=[{"loc": ["answers", path], "msg": msg} for path, msg in errors.items()],
        )
    fields: dict[str, Any] = {}
    for name in (*PROFILE_FINDINGS, "participants_notes"):
        if name in cleaned:
            fields[name] = _as_text(cleaned[name])
    for name in ("returnees_count", "non_migrants_count"):
        value = cleaned.get(name)
        if isinstance(value, int):
            fields[name] = value
    return cleaned, fields


@transaction.atomic
def profile_create(
    *,
    actor: Any,
    office: Office,
    instrument_version: Any = None,
    answers: dict[str, Any] | None = None,
    **fields: Any,
) -> CommunityProfile:
    """Record a community profile at `office`, typed in or filled through the community profile
    instrument (`instrument_version` and its `answers`, which fill the findings). Audits
    `community_profile.created`. Raises NotAllowed (not a coordinator or case manager there)
    and ValidationFailed."""
    _unknown(fields, PROFILE_FIELDS)
    if office.pk not in keeping_offices(actor):
        raise NotAllowed(_("Coordinators and case managers of the office draw up profiles."))
    if instrument_version is not None or answers is not None:
        answers, found = _from_instrument(instrument_version, answers)
        fields.update(found)
        fields["instrument_version"] = instrument_version
        fields["answers"] = answers
    _check_profile({"community": "", "region": "", "profiled_on": None, **fields})
    for name in ("returnees_count", "non_migrants_count"):
        if fields.get(name) is None:
            fields[name] = 0
    profile = CommunityProfile(
        office=office, author=actor, **{k: _text(v) for k, v in fields.items()}
    )
    profile.save()
    record(actor=actor, action="community_profile.created", target=profile)
    return profile


@transaction.atomic
def profile_update(
    *,
    actor: Any,
    profile: CommunityProfile,
    version: int | None,
    answers: dict[str, Any] | None = None,
    **fields: Any,
) -> CommunityProfile:
    """Change a profile (a profile filled through the instrument takes new `answers` for the
    same instrument version). Audits `community_profile.updated` with what changed. Raises
    NotAllowed, ValidationFailed and StaleVersion."""
    _unknown(fields, PROFILE_FIELDS)
    if not can_edit_profile(actor, profile):
        raise NotAllowed(_("Coordinators and case managers of the office edit profiles."))
    if answers is not None:
        answers, found = _from_instrument(profile.instrument_version, answers)
        fields.update(found)
        fields["answers"] = answers
    _check_profile(fields)
    for name in ("returnees_count", "non_migrants_count"):
        if name in fields and fields[name] is None:
            fields[name] = 0
    locked = CommunityProfile.objects.select_for_update().get(pk=profile.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("This profile was changed by someone else: it is shown as it is now."))
    new_answers = fields.pop("answers", None)
    before = {f: getattr(locked, f) for f in fields}
    for name, value in fields.items():
        setattr(locked, name, _text(value))
    changes = _changes(before, {f: getattr(locked, f) for f in fields})
    if new_answers is not None and new_answers != locked.answers:
        # The names of the questions whose answers changed (the findings' text is above).
        old_answers = locked.answers or {}
        names = set(old_answers) | set(new_answers)
        changed = sorted(n for n in names if old_answers.get(n) != new_answers.get(n))
        changes["answers"] = [None, changed]
        locked.answers = new_answers
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    record(actor=actor, action="community_profile.updated", target=locked, changes=changes)
    return locked


# --- projects --------------------------------------------------------------------------------


def _check_project(office: Office, fields: dict[str, Any]) -> None:
    if "title" in fields and not str(fields["title"] or "").strip():
        raise ValidationFailed(_("Give the project a title."), field="title")
    if "approach" in fields and fields["approach"] not in Approach.values:
        raise ValidationFailed(_("Choose an approach."), field="approach")
    if "dimensions" in fields:
        dims = fields["dimensions"] or []
        if not isinstance(dims, list) or any(d not in Dimension.values for d in dims):
            raise ValidationFailed(_("Choose dimensions from the list."), field="dimensions")
    if "region" in fields and not str(fields["region"] or "").strip():
        raise ValidationFailed(_("Give the region."), field="region")
    amount = fields.get("budget_amount")
    if amount is not None and not Decimal(0) <= amount <= MAX_AMOUNT:
        raise ValidationFailed(_("The budget must be zero or more."), field="budget_amount")
    if "currency" in fields:
        currency = str(fields["currency"] or "")
        if not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
            raise ValidationFailed(
                _("Give the currency as a three-letter code (XOF)."), field="currency"
            )
    line = fields.get("budget_line")
    if line is not None and line.office_id not in office.line_ids:
        raise ValidationFailed(
            _("Choose a budget line of the project's office."), field="budget_line"
        )
    lead = fields.get("lead")
    if "lead" in fields and (lead is None or not may_lead(lead, office.pk)):
        raise ValidationFailed(
            _("The lead must be a case manager or coordinator of the project's office."),
            field="lead",
        )


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed(_("The project ends before it starts."), field="ends_on")


def _check_focal_points(users: Any) -> list[Any]:
    users = list(users or [])
    for user in users:
        if not is_focal_point(user):
            raise ValidationFailed(
                _("%(name)s holds no communication, protection or M&E role.")
                % {"name": user.get_full_name() or user.username},
                field="focal_points",
            )
    return users


@transaction.atomic
def project_create(
    *, actor: Any, office: Office, focal_points: Any = (), **fields: Any
) -> CommunityProject:
    """Start a community project at `office` (status planned). Audits
    `community_project.created`. Raises NotAllowed and ValidationFailed."""
    _unknown(fields, PROJECT_FIELDS)
    if not can_create_project(actor) or office.pk not in keeping_offices(actor):
        raise NotAllowed(_("Coordinators and case managers of the office start projects."))
    fields.setdefault("lead", actor)
    _check_project(office, {"title": "", "approach": "", "region": "", **fields})
    _check_dates(fields.get("starts_on"), fields.get("ends_on"))
    assigned = _check_focal_points(focal_points)
    fields["dimensions"] = list(dict.fromkeys(fields.get("dimensions") or []))
    project = CommunityProject(
        office=office, created_by=actor, **{k: _text(v) for k, v in fields.items()}
    )
    project.currency = project.currency or "XOF"
    project.save()
    project.focal_points.set(assigned)
    record(
        actor=actor,
        action="community_project.created",
        target=project,
        changes={"focal_points": [None, sorted(u.pk for u in assigned)]},
    )
    return project


def _lock(project: CommunityProject, version: int | None) -> CommunityProject:
    locked = CommunityProject.objects.select_for_update().get(pk=project.pk)
    if version is not None and locked.version != version:
        raise StaleVersion(_("This project was changed by someone else: it is shown as it is now."))
    return locked


@transaction.atomic
def project_update(
    *,
    actor: Any,
    project: CommunityProject,
    version: int | None,
    focal_points: Any = None,
    **fields: Any,
) -> CommunityProject:
    """Change a project's details (and its focal points when given). Audits
    `community_project.updated`. Raises NotAllowed, ValidationFailed and StaleVersion."""
    _unknown(fields, PROJECT_FIELDS)
    if not can_edit_project(actor, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead edit it."))
    locked = _lock(project, version)
    _check_project(locked.office, fields)
    _check_dates(fields.get("starts_on", locked.starts_on), fields.get("ends_on", locked.ends_on))
    if "dimensions" in fields:
        fields["dimensions"] = list(dict.fromkeys(fields["dimensions"] or []))
    before = {f: getattr(locked, f) for f in fields}
    for name, value in fields.items():
        setattr(locked, name, _text(value))
    changes = _changes(before, {f: getattr(locked, f) for f in fields})
    if focal_points is not None:
        assigned = _check_focal_points(focal_points)
        old = sorted(locked.focal_points.values_list("pk", flat=True))
        new = sorted(u.pk for u in assigned)
        if old != new:
            locked.focal_points.set(assigned)
            changes["focal_points"] = [old, new]
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    record(actor=actor, action="community_project.updated", target=locked, changes=changes)
    return locked


@transaction.atomic
def project_transition(
    *,
    actor: Any,
    project: CommunityProject,
    status: str,
    reason: str = "",
    version: int | None = None,
) -> CommunityProject:
    """Move a project along planned → active → completed, or to suspended / cancelled with a
    reason (a suspended project may resume). Audits `community_project.status_changed`.
    Raises NotAllowed, ValidationFailed (a move not allowed from here, a missing reason) and
    StaleVersion."""
    if not can_edit_project(actor, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead change its status."))
    locked = _lock(project, version)
    if status not in TRANSITIONS.get(locked.status, ()):
        raise ValidationFailed(
            _("A project that is %(now)s cannot become %(next)s.")
            % {
                "now": ProjectStatus(locked.status).label,
                "next": ProjectStatus(status).label if status in ProjectStatus.values else status,
            },
            field="status",
            code="invalid_transition",
        )
    reason = (reason or "").strip()
    if status in NEEDS_REASON and not reason:
        raise ValidationFailed(_("Give the reason."), field="reason")
    before = locked.status
    locked.status = status
    locked.status_reason = reason if status in NEEDS_REASON else ""
    locked.version += 1
    locked.save()
    record(
        actor=actor,
        action="community_project.status_changed",
        target=locked,
        changes={"status": [before, status]},
    )
    return locked


@transaction.atomic
def project_checklist_update(
    *,
    actor: Any,
    project: CommunityProject,
    version: int | None,
    ratings: dict[str, dict[str, str]],
) -> CommunityProject:
    """Rate the seven criteria (`ratings`: {criterion: {"rating", "notes"}}; criteria not given
    stay as they are). Audits `community_project.checklist_updated` with the ratings changed.
    Raises NotAllowed, ValidationFailed and StaleVersion."""
    if not can_edit_project(actor, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead fill the checklist."))
    for code, entry in ratings.items():
        if code not in Criterion.values:
            raise ValidationFailed(_("Unknown criterion."), field="checklist")
        if entry.get("rating", Rating.NOT_ASSESSED) not in Rating.values:
            raise ValidationFailed(_("Choose a rating from the list."), field=code)
        if len(entry.get("notes", "") or "") > 2000:
            raise ValidationFailed(_("The notes are too long."), field=code)
    locked = _lock(project, version)
    checklist = dict(locked.checklist or {})
    changes: dict[str, Any] = {}
    for code, entry in ratings.items():
        new = {
            "rating": entry.get("rating") or Rating.NOT_ASSESSED,
            "notes": (entry.get("notes") or "").strip(),
        }
        old = checklist.get(code, {"rating": Rating.NOT_ASSESSED, "notes": ""})
        if old != new:
            checklist[code] = new
            if old.get("rating") != new["rating"]:
                changes[code] = [old.get("rating"), new["rating"]]
            if (old.get("notes") or "") != new["notes"]:
                changes[f"{code}_notes"] = [old.get("notes") or "", new["notes"]]
    if not changes:
        return locked
    locked.checklist = checklist
    locked.version += 1
    locked.save()
    record(
        actor=actor, action="community_project.checklist_updated", target=locked, changes=changes
    )
    return locked


# --- participants ----------------------------------------------------------------------------


def _age_band(born: date | None, on: date) -> str:
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 18:
        return AgeBand.CHILD
    if age < 25:
        return AgeBand.YOUTH
    if age < 60:
        return AgeBand.ADULT
    return AgeBand.SENIOR


@transaction.atomic
def participant_add_returnee(
    *, actor: Any, project: CommunityProject, case: Case, role: str = ""
) -> ProjectParticipant:
    """A returnee joins the project through their case (once per case). The case's timeline
    gets a line; audits `community_participant.added` (with the case). Raises NotAllowed and
    ValidationFailed (a case the actor does not see, already taking part)."""
    if not can_add_participant(actor, project):
        raise NotAllowed(_("Coordinators and case managers of the office add participants."))
    if not case_visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationFailed(_("Choose a case from your caseload."), field="case")
    if project.participants.filter(case=case).exists():
        raise ValidationFailed(_("This returnee already takes part."), field="case")
    person = case.person
    participant = ProjectParticipant(
        project=project,
        kind=ParticipantKind.RETURNEE,
        case=case,
        sex=person.sex,
        age_band=_age_band(person.date_of_birth, timezone.localdate()),
        count=1,
        role=(role or "").strip()[:100],
        added_by=actor,
    )
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as err:
        raise ValidationFailed(_("This returnee already takes part."), field="case") from err
    case_event_record(
        actor=actor,
        case=case,
        kind="COMMUNITY",
        summary=_("Joined community project: %(title)s") % {"title": project.title},
        data={"project": project.pk},
    )
    record(
        actor=actor,
        action="community_participant.added",
        target=participant,
        case_id=case.pk,
        person_id=case.person_id,
        changes={"project": [None, project.pk]},
    )
    return participant


@transaction.atomic
def participant_add_members(
    *,
    actor: Any,
    project: CommunityProject,
    sex: str,
    age_band: str = "",
    count: int = 1,
    name: str = "",
    role: str = "",
) -> ProjectParticipant:
    """Community members join: one named person (count 1) or a count of unnamed people of one
    sex and age band. Audits `community_participant.added`. Raises NotAllowed and
    ValidationFailed."""
    if not can_add_participant(actor, project):
        raise NotAllowed(_("Coordinators and case managers of the office add participants."))
    if sex not in Sex.values:
        raise ValidationFailed(_("Choose the sex."), field="sex")
    if age_band and age_band not in AgeBand.values:
        raise ValidationFailed(_("Choose an age band from the list."), field="age_band")
    name = (name or "").strip()
    if count is None or not 1 <= int(count) <= 10000:
        raise ValidationFailed(_("Give a number of people from 1."), field="count")
    if name and int(count) != 1:
        raise ValidationFailed(
            _("A named row is one person: leave the name empty to count several people."),
            field="count",
        )
    participant = ProjectParticipant.objects.create(
        project=project,
        kind=ParticipantKind.COMMUNITY,
        name=name[:200],
        sex=sex,
        age_band=age_band,
        count=int(count),
        role=(role or "").strip()[:100],
        added_by=actor,
    )
    record(
        actor=actor,
        action="community_participant.added",
        target=participant,
        changes={"project": [None, project.pk], "count": [None, participant.count]},
    )
    return participant


@transaction.atomic
def participant_remove(*, actor: Any, participant: ProjectParticipant) -> None:
    """Remove a participant row; a returnee's case timeline says they left. Audits
    `community_participant.removed`. Raises NotAllowed (and ValidationFailed for a returnee
    whose case the actor does not see)."""
    project = participant.project
    if not can_add_participant(actor, project):
        raise NotAllowed(_("Coordinators and case managers of the office remove participants."))
    case = participant.case
    if case is not None and not case_visible_to(actor).filter(pk=case.pk).exists():
        raise ValidationFailed(
            _("Only someone who sees this returnee's case may remove them."), field="participant"
        )
    record(
        actor=actor,
        action="community_participant.removed",
        target=participant,
        case_id=case.pk if case else None,
        person_id=case.person_id if case else None,
        changes={"project": [project.pk, None]},
    )
    participant.delete()
    if case is not None:
        case_event_record(
            actor=actor,
            case=case,
            kind="COMMUNITY",
            summary=_("Left community project: %(title)s") % {"title": project.title},
            data={"project": project.pk},
        )


# --- activities, reports, indicators ----------------------------------------------------------


def _progress_allowed(actor: Any, project: CommunityProject) -> None:
    if not can_record_progress(actor, project):
        raise NotAllowed(
            _("The lead, the coordinators and the project's focal points record its progress.")
        )


@transaction.atomic
def activity_add(
    *,
    actor: Any,
    project: CommunityProject,
    title: str,
    planned_on: date | None = None,
    done_on: date | None = None,
    output: str = "",
) -> ProjectActivity:
    """Plan an activity (or record one already done). Audits `community_activity.added`."""
    _progress_allowed(actor, project)
    if not (title or "").strip():
        raise ValidationFailed(_("Name the activity."), field="title")
    if done_on and done_on > timezone.localdate():
        raise ValidationFailed(_("An activity cannot be done in the future."), field="done_on")
    activity = ProjectActivity.objects.create(
        project=project,
        title=title.strip()[:200],
        planned_on=planned_on,
        done_on=done_on,
        output=(output or "").strip(),
        added_by=actor,
    )
    record(actor=actor, action="community_activity.added", target=activity)
    return activity


@transaction.atomic
def activity_complete(
    *, actor: Any, activity: ProjectActivity, done_on: date, output: str = ""
) -> ProjectActivity:
    """Record that an activity was done, and its output. Audits `community_activity.done`."""
    _progress_allowed(actor, activity.project)
    if done_on is None:
        raise ValidationFailed(_("Give the date it was done."), field="done_on")
    if done_on > timezone.localdate():
        raise ValidationFailed(_("An activity cannot be done in the future."), field="done_on")
    before = activity.done_on
    activity.done_on = done_on
    if (output or "").strip():
        activity.output = output.strip()
    activity.version += 1
    activity.save()
    record(
        actor=actor,
        action="community_activity.done",
        target=activity,
        changes={"done_on": [_json(before), str(done_on)]},
    )
    return activity


@transaction.atomic
def report_add(
    *,
    actor: Any,
    project: CommunityProject,
    period_start: date,
    period_end: date,
    summary: str,
    challenges: str = "",
    next_steps: str = "",
    reported_on: date | None = None,
) -> ProgressReport:
    """File a progress report for a period. Audits `community_report.added`."""
    _progress_allowed(actor, project)
    if period_start is None or period_end is None:
        raise ValidationFailed(_("Give the period of the report."), field="period_start")
    if period_end < period_start:
        raise ValidationFailed(_("The period ends before it starts."), field="period_end")
    if not (summary or "").strip():
        raise ValidationFailed(_("Summarise the period."), field="summary")
    report = ProgressReport.objects.create(
        project=project,
        period_start=period_start,
        period_end=period_end,
        summary=summary.strip(),
        challenges=(challenges or "").strip(),
        next_steps=(next_steps or "").strip(),
        reported_on=reported_on or timezone.localdate(),
        author=actor,
    )
    record(actor=actor, action="community_report.added", target=report)
    return report


@transaction.atomic
def indicator_add(
    *,
    actor: Any,
    project: CommunityProject,
    name: str,
    target: Decimal,
    unit: str = "",
    baseline: Decimal | None = None,
) -> ProjectIndicator:
    """Define an indicator of the project. Audits `community_indicator.added`."""
    if not can_edit_project(actor, project):
        raise NotAllowed(_("Coordinators of the office and the project's lead define indicators."))
    if not (name or "").strip():
        raise ValidationFailed(_("Name the indicator."), field="name")
    baseline = baseline if baseline is not None else Decimal(0)
    for field, value in (("target", target), ("baseline", baseline)):
        if value is None or abs(value) > MAX_AMOUNT:
            raise ValidationFailed(_("Give a number."), field=field)
    indicator = ProjectIndicator.objects.create(
        project=project,
        name=name.strip()[:200],
        unit=(unit or "").strip()[:50],
        baseline=baseline,
        target=target,
        added_by=actor,
    )
    record(actor=actor, action="community_indicator.added", target=indicator)
    return indicator


@transaction.atomic
def measurement_add(
    *,
    actor: Any,
    indicator: ProjectIndicator,
    measured_on: date,
    value: Decimal,
    notes: str = "",
) -> IndicatorMeasurement:
    """Record a dated value of an indicator. Audits `community_measurement.added`."""
    _progress_allowed(actor, indicator.project)
    if measured_on is None or measured_on > timezone.localdate():
        raise ValidationFailed(
            _("Give a measurement date that is not in the future."), field="measured_on"
        )
    if value is None or abs(value) > MAX_AMOUNT:
        raise ValidationFailed(_("Give a number."), field="value")
    measurement = IndicatorMeasurement.objects.create(
        indicator=indicator,
        measured_on=measured_on,
        value=value,
        notes=(notes or "").strip()[:255],
        recorded_by=actor,
    )
    record(
        actor=actor,
        action="community_measurement.added",
        target=measurement,
        changes={"value": [None, str(value)]},
    )
    return measurement
