"""Writes of access operations: time-bound grants, break-glass openings and their review.

A case is passed in as an object and read by field names (`pk`, `office_id`, `person_id`):
access imports no domain app.
"""

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.models import AccessGrant, GrantKind, GrantLevel, GrantTier
from reintegra.access.permissions import (
    can_break_glass,
    can_grant,
    can_review_break_glass,
    can_revoke_grant,
)
from reintegra.access.policy import Level
from reintegra.access.principal import Principal
from reintegra.accounts.choices import Role
from reintegra.audit.services import record
from reintegra.core.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed

GRANT_MAX_DAYS = 90
REASON_MIN_LENGTH = 10
JUSTIFICATION_MIN_LENGTH = 20
TEXT_MAX_LENGTH = 2000


def _text(value: str, field: str, minimum: int, message: str) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ValidationFailed(message, field=field)
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationFailed(_("This text is too long."), field=field)
    return text


def _tier(tier: str) -> str:
    if tier not in GrantTier.values:
        raise ValidationFailed(_("Choose a restricted section."), field="tier")
    return tier


def grant_end(ends_on: Any) -> datetime:
    """A grant given "until" a date holds through that whole day (local time)."""
    return timezone.make_aware(datetime.combine(ends_on + timedelta(days=1), time.min))


@transaction.atomic
def grant_create(
    *,
    actor: Any,
    case: Any,
    user: Any,
    tier: str,
    level: int,
    reason: str,
    ends_on: Any,
) -> AccessGrant:
    """Grant a named user access to one restricted section of a case until a date (inclusive).

    READ for anyone working on cases; WRITE only to a user whose role writes that section
    somewhere (a focal point standing in from another office). Audits `access.granted`.
    Raises NotAllowed, ValidationFailed, Conflict.
    """
    if not can_grant(actor, case):
        raise NotAllowed(_("Only a coordinator of this case's office may grant access."))
    tier = _tier(tier)
    try:
        level = GrantLevel(int(level))
    except (TypeError, ValueError):
        raise ValidationFailed(_("Choose read or read and write."), field="level") from None
    reason = _text(
        reason,
        "reason",
        REASON_MIN_LENGTH,
        _("Give the reason for this access (at least %(n)s characters).")
        % {"n": REASON_MIN_LENGTH},
    )
    today = timezone.localdate()
    if ends_on is None or ends_on < today:
        raise ValidationFailed(_("The end date must be today or later."), field="ends_on")
    if ends_on > today + timedelta(days=GRANT_MAX_DAYS):
        raise ValidationFailed(
            _("A grant lasts at most %(days)s days.") % {"days": GRANT_MAX_DAYS},
            field="ends_on",
        )
    if user is None or not user.is_active:
        raise ValidationFailed(_("Choose an active staff member."), field="user")
    if user.pk == actor.pk:
        raise ValidationFailed(
            _("You cannot grant access to yourself: use break-glass in an emergency."),
            field="user",
        )
    grantee = Principal(user)
    if not (grantee.roles - {Role.SYSADMIN, Role.COMMS_FP}):
        raise ValidationFailed(_("This person has no role that works on cases."), field="user")
    if level == GrantLevel.WRITE and grantee.max_level(tier) < Level.WRITE:
        raise ValidationFailed(
            _("This person's role never writes this section: grant read access."),
            field="level",
        )
    now = timezone.now()
    if (
        AccessGrant.objects.current(now)
        .filter(kind=GrantKind.GRANT, user=user, case_id=case.pk, tier=tier)
        .exists()
    ):
        raise Conflict(_("This person already has a current grant on this section."))
    grant = AccessGrant.objects.create(
        kind=GrantKind.GRANT,
        user=user,
        case_id=case.pk,
        office_id=case.office_id,
        tier=tier,
        level=int(level),
        reason=reason,
        starts_at=now,
        ends_at=grant_end(ends_on),
        granted_by=actor,
    )
    record(
        actor=actor,
        action="access.granted",
        target=grant,
        case_id=case.pk,
        person_id=getattr(case, "person_id", None),
        changes={
            "user": [None, user.username],
            "tier": [None, tier],
            "level": [None, int(level)],
            "ends_at": [None, grant.ends_at.isoformat()],
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: AccessGrant) -> AccessGrant:
    """End a grant (or a break-glass opening) now. Audits `access.revoked`."""
    locked = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.revoked_at is not None or locked.ends_at <= timezone.now():
        raise Conflict(_("This access has already ended."))
    if not can_revoke_grant(actor, locked):
        raise NotAllowed(_("Only a coordinator of this case's office may revoke access."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.version += 1
    locked.save(update_fields=["revoked_at", "revoked_by", "version", "updated_at"])
    record(
        actor=actor,
        action="access.revoked",
        target=locked,
        case_id=locked.case_id,
        changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
    )
    return locked


@transaction.atomic
def break_glass_open(*, actor: Any, case: Any, tier: str, justification: str) -> AccessGrant:
    """Open a restricted section of a case in an emergency: READ for
    REINTEGRA_BREAK_GLASS_MINUTES, flagged and listed for review. Audits
    `access.break_glass`. Raises NotAllowed, ValidationFailed."""
    if not can_break_glass(actor, case):
        raise NotAllowed(_("Only a coordinator of this case's office may break the glass."))
    tier = _tier(tier)
    justification = _text(
        justification,
        "justification",
        JUSTIFICATION_MIN_LENGTH,
        _("Explain the emergency (at least %(n)s characters).") % {"n": JUSTIFICATION_MIN_LENGTH},
    )
    now = timezone.now()
    grant = AccessGrant.objects.create(
        kind=GrantKind.BREAK_GLASS,
        user=actor,
        case_id=case.pk,
        office_id=case.office_id,
        tier=tier,
        level=int(GrantLevel.READ),
        reason=justification,
        starts_at=now,
        ends_at=now + timedelta(minutes=settings.REINTEGRA_BREAK_GLASS_MINUTES),
        granted_by=actor,
    )
    record(
        actor=actor,
        action="access.break_glass",
        target=grant,
        case_id=case.pk,
        person_id=getattr(case, "person_id", None),
        changes={"tier": [None, tier], "ends_at": [None, grant.ends_at.isoformat()]},
    )
    return grant


@transaction.atomic
def break_glass_review(
    *, actor: Any, grant: AccessGrant, version: int, comment: str
) -> AccessGrant:
    """Mark a break-glass opening reviewed with a comment. Audits `access.reviewed`.
    Raises NotAllowed, ValidationFailed, StaleVersion, Conflict."""
    locked = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.kind != GrantKind.BREAK_GLASS:
        raise ValidationFailed(_("Only break-glass accesses are reviewed."))
    if locked.reviewed_at is not None:
        raise Conflict(_("This access has already been reviewed."))
    if not can_review_break_glass(actor, locked):
        raise NotAllowed(
            _("Another coordinator of this office reviews a break-glass access, not its user.")
        )
    if locked.version != version:
        raise StaleVersion(_("This access was changed by someone else. Reload and try again."))
    comment = _text(comment, "comment", 1, _("Write a review comment."))
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.review_comment = comment
    locked.version += 1
    locked.save(
        update_fields=["reviewed_at", "reviewed_by", "review_comment", "version", "updated_at"]
    )
    record(
        actor=actor,
        action="access.reviewed",
        target=locked,
        case_id=locked.case_id,
        changes={"reviewed_at": [None, locked.reviewed_at.isoformat()]},
    )
    return locked
