"""Writes on referrals: create, send, every transition of the loop, the consent-override
review, and the provider links. Each write audits and adds a timeline event (in the
referral's tier) in one transaction. Views, the provider page and the API call these."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access.policy import Tier
from reintegra.audit.services import record, record_access
from reintegra.cases.choices import AssignmentRole, EventKind, Flag
from reintegra.cases.models import Case
from reintegra.cases.permissions import CaseAccess
from reintegra.cases.services import case_assign_recipient, case_event_record, case_flag_set
from reintegra.core.errors import NotAllowed, StaleVersion, ValidationFailed
from reintegra.people.choices import ConsentPurpose
from reintegra.people.selectors import consent_valid_for
from reintegra.providers.choices import HEALTH_CATEGORIES
from reintegra.providers.models import Service
from reintegra.referrals import permissions, sharing
from reintegra.referrals.choices import (
    DEFAULT_FIELDS,
    TRANSITIONS,
    Kind,
    OverrideGround,
    Recipient,
    State,
)
from reintegra.referrals.models import Referral, ReferralLink

# The flag a referral raises when sent, so the focal point of its tier reaches the case.
FLAG_OF_TIER: dict[str, str] = {Tier.MEDICAL: Flag.MEDICAL, Tier.PROTECTION: Flag.PROTECTION}
RECIPIENT_TIER: dict[str, str] = {
    Recipient.PROTECTION_FP: Tier.PROTECTION,
    Recipient.MEDICAL_FP: Tier.MEDICAL,
    Recipient.PSYCHOSOCIAL: Tier.CASE,
}
RECIPIENT_ASSIGNMENT: dict[str, str] = {
    Recipient.PROTECTION_FP: AssignmentRole.FOCAL_POINT,
    Recipient.MEDICAL_FP: AssignmentRole.FOCAL_POINT,
    Recipient.PSYCHOSOCIAL: AssignmentRole.SPECIALIST,
}
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def tier_for(*, kind: str, service: Service | None = None, recipient: str = "") -> str:
    """A referral's tier: medical for health services and the medical focal point; protection
    for the protection focal point; the case tier otherwise."""
    if kind == Kind.INTERNAL:
        return RECIPIENT_TIER.get(recipient, Tier.CASE)
    if service is not None and service.category in HEALTH_CATEGORIES:
        return Tier.MEDICAL
    return Tier.CASE


def _reference() -> str:
    while True:
        ref = "RF-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _i in range(8))
        if not Referral.objects.filter(reference=ref).exists():
            return ref


def _lock(referral: Referral, version: int | None = None) -> Referral:
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "case__person", "provider", "service")
        .get(pk=referral.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(_("This referral was changed by someone else. Reload and try again."))
    return locked


def _write(
    actor: Any,
    referral: Referral,
    action: str,
    summary: str,
    changes: dict[str, Any] | None = None,
    *,
    fields: tuple[str, ...] = (),
    via_link: ReferralLink | None = None,
) -> None:
    """Save the changed fields, bump the version, audit, and add the timeline event."""
    referral.version += 1
    referral.save(update_fields=[*fields, "version", "updated_at"])
    changes = dict(changes or {})
    if via_link is not None:
        changes["via_link"] = [None, via_link.pk]
    case = referral.case
    record(
        actor=actor,
        action=action,
        target=referral,
        case_id=case.pk,
        person_id=case.person_id,
        changes=changes,
    )
    if via_link is not None:
        summary = _("%(summary)s (by the provider, through its link)") % {"summary": summary}
    case_event_record(
        actor=actor,
        case=case,
        kind=EventKind.REFERRAL,
        summary=summary,
        tier=referral.tier,
        data={"referral_id": referral.pk, "state": referral.state},
    )


def _consent_gate(
    referral: Referral, case: Case, override_ground: str, override_reason: str
) -> None:
    """No referral to a provider without a valid consent for referral, unless the sender
    records a ground the handbook allows and a reason (a coordinator reviews it)."""
    if referral.kind != Kind.EXTERNAL:
        return
    consent = consent_valid_for(case.person, ConsentPurpose.REFERRAL)
    if consent is not None:
        referral.consent = consent
        referral.override_ground = ""
        referral.override_reason = ""
        return
    if not override_ground:
        raise ValidationFailed(
            _(
                "This returnee has not given a valid consent for referral. Record the consent "
                "first, or refer without consent only if their life is at risk or they cannot "
                "consent, and say why."
            ),
            code="no_consent",
            field="override_ground",
        )
    if override_ground not in OverrideGround.values:
        raise ValidationFailed(
            _("Choose a ground for referring without consent."), field="override_ground"
        )
    if len(override_reason.strip()) < 10:
        raise ValidationFailed(
            _("Explain why consent could not be obtained (a coordinator reviews it)."),
            field="override_reason",
        )
    referral.consent = None
    referral.override_ground = override_ground
    referral.override_reason = override_reason.strip()


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    case: Case,
    reason: str,
    service: Service | None = None,
    recipient: str = "",
    recipient_user: Any = None,
    shared_fields: list[str] | tuple[str, ...] = DEFAULT_FIELDS,
    urgent: bool = False,
    override_ground: str = "",
    override_reason: str = "",
    send: bool = True,
) -> Referral:
    """A referral of the case's returnee to a provider's service or within the programme,
    sent at once unless `send` is false (a draft). Audits `referral.created` (and
    `referral.sent`). Refuses a closed case, a withdrawn service, a service whose catchment
    or eligibility does not fit, and (for providers) a returnee without referral consent
    when no override ground is given."""
    if case.is_closed:
        raise ValidationFailed(_("A closed case cannot be referred."), code="case_closed")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say what the referral asks for."), field="reason")
    if service is not None and (recipient or recipient_user is not None):
        raise ValidationFailed(_("Refer either to a service or within the programme."))
    if service is None and not recipient:
        raise ValidationFailed(_("Choose a service or a person to refer to."), field="service")
    if service is not None:
        kind = Kind.EXTERNAL
        if not service.is_active or not service.provider.is_active:
            raise ValidationFailed(_("This service is no longer offered."), field="service")
        problems = fit_problems(service, case.person)
        if problems:
            raise ValidationFailed(" ".join(problems), field="service", code="does_not_fit")
        category = service.category
    else:
        kind = Kind.INTERNAL
        if recipient not in Recipient.values:
            raise ValidationFailed(_("Choose whom to refer to."), field="recipient")
        if recipient_user is not None and not any(
            case.office_id in g.office_ids
            for g in permissions.recipient_grants(recipient_user, recipient)
        ):
            raise ValidationFailed(
                _("%(user)s does not receive these referrals for this office.")
                % {"user": recipient_user},
                field="recipient_user",
            )
        category = recipient
    referral = Referral(
        reference=_reference(),
        case=case,
        kind=kind,
        service=service,
        provider=service.provider if service else None,
        recipient=recipient,
        recipient_user=recipient_user,
        category=category,
        tier=tier_for(kind=kind, service=service, recipient=recipient),
        reason=reason,
        urgent=urgent,
        shared_fields=sharing.clean_fields(list(shared_fields)),
        created_by=actor,
    )
    _consent_gate(referral, case, override_ground, override_reason)
    referral.save()
    record(
        actor=actor,
        action="referral.created",
        target=referral,
        case_id=case.pk,
        person_id=case.person_id,
        changes={
            "kind": [None, kind],
            "category": [None, category],
            "shared_fields": [None, referral.shared_fields],
            "override_ground": [None, referral.override_ground or None],
        },
    )
    if send:
        return referral_transition(actor=actor, referral=referral, to=State.SENT)
    case_event_record(
        actor=actor,
        case=case,
        kind=EventKind.REFERRAL,
        summary=_("Referral %(ref)s drafted: %(to)s") % {"ref": referral, "to": referral.to_label},
        tier=referral.tier,
        data={"referral_id": referral.pk, "state": referral.state},
    )
    return referral


def fit_problems(service: Service, person: Any) -> list[str]:
    """Why the service does not fit the returnee: catchment (place of return) and the
    service's eligibility by sex and age. Empty when it fits."""
    problems = []
    if person.region and not service.provider.serves(person.region, person.commune):
        problems.append(_("The provider does not serve the returnee's place of return."))
    if service.for_sex and person.sex and service.for_sex != person.sex:
        problems.append(_("The service is not open to the returnee's sex."))
    age = person.age
    if age is not None and (
        (service.min_age is not None and age < service.min_age)
        or (service.max_age is not None and age > service.max_age)
    ):
        problems.append(_("The returnee's age is outside the service's eligibility."))
    return problems


def _send(referral: Referral, now: Any) -> tuple[str, ...]:
    case = referral.case
    _consent_gate(referral, case, referral.override_ground, referral.override_reason)
    referral.shared = sharing.snapshot(case.person, referral.shared_fields)
    referral.sent_at = now
    days = referral.provider.response_days if referral.provider else _internal_days()
    referral.acknowledge_by = timezone.localdate() + timedelta(days=days)
    return ("shared", "sent_at", "acknowledge_by", "consent", "override_ground", "override_reason")


def _internal_days() -> int:
    return int(getattr(settings, "REINTEGRA_INTERNAL_REFERRAL_DAYS", 2))


def _summary(referral: Referral, to: str) -> str:
    texts: dict[str, str] = {
        State.SENT: _("Referral %(ref)s sent: %(to)s"),
        State.ACCEPTED: _("Referral %(ref)s accepted: %(to)s"),
        State.DECLINED: _("Referral %(ref)s declined: %(to)s"),
        State.DELIVERED: _("Referral %(ref)s: service delivered by %(to)s"),
        State.NOT_DELIVERED: _("Referral %(ref)s: service not delivered by %(to)s"),
        State.CLOSED: _("Referral %(ref)s closed: %(to)s"),
        State.CANCELLED: _("Referral %(ref)s cancelled: %(to)s"),
    }
    return texts[to] % {"ref": referral.reference, "to": referral.to_label}


@transaction.atomic
def referral_transition(
    *,
    actor: Any,
    referral: Referral,
    to: str,
    version: int | None = None,
    note: str = "",
    feedback: str = "",
    satisfaction: str = "",
    via_link: ReferralLink | None = None,
) -> Referral:
    """Move a referral along its loop (choices.TRANSITIONS). Audits `referral.<state>`.

    `note` is the provider's answer (accept; required to decline), the service outcome
    (required when not delivered), the outcome for the returnee (required to close), or the
    reason for cancelling (required). Closing also takes the returnee's feedback."""
    locked = _lock(referral, version)
    if to not in TRANSITIONS.get(locked.state, ()):
        raise ValidationFailed(
            _("A referral that is %(state)s cannot become %(to)s.")
            % {
                "state": State(locked.state).label.lower(),
                "to": State(to).label.lower() if to in State.values else to,
            },
            code="invalid_transition",
            field="to",
        )
    note = (note or "").strip()
    now = timezone.now()
    before = locked.state
    fields: tuple[str, ...] = ("state",)
    if to == State.SENT:
        if locked.case.is_closed:
            raise ValidationFailed(_("A closed case cannot be referred."), code="case_closed")
        fields += _send(locked, now)
    elif to in (State.ACCEPTED, State.DECLINED):
        if to == State.DECLINED and not note:
            raise ValidationFailed(_("Say why the referral is declined."), field="note")
        locked.answered_at = now
        locked.answer = to
        locked.answer_note = note
        locked.acknowledged_at = locked.acknowledged_at or now
        fields += ("answered_at", "answer", "answer_note", "acknowledged_at")
    elif to in (State.DELIVERED, State.NOT_DELIVERED):
        if to == State.NOT_DELIVERED and not note:
            raise ValidationFailed(_("Say why the service was not delivered."), field="note")
        locked.delivered_at = now
        locked.result = to
        locked.outcome = note
        fields += ("delivered_at", "result", "outcome")
    elif to == State.CLOSED:
        if not note:
            raise ValidationFailed(_("Record the outcome for the returnee."), field="note")
        if satisfaction and satisfaction not in dict(
            Referral._meta.get_field("satisfaction").choices or []
        ):
            raise ValidationFailed(
                _("Choose how satisfied the returnee was."), field="satisfaction"
            )
        locked.closed_at = now
        locked.closing_note = note
        locked.feedback = (feedback or "").strip()
        locked.satisfaction = satisfaction
        fields += ("closed_at", "closing_note", "feedback", "satisfaction")
    elif to == State.CANCELLED:
        if not note:
            raise ValidationFailed(_("Say why the referral is cancelled."), field="note")
        locked.cancelled_at = now
        locked.cancel_reason = note
        fields += ("cancelled_at", "cancel_reason")
        _revoke_links(actor, locked, now)
    locked.state = to
    _write(
        actor,
        locked,
        f"referral.{to.lower()}",
        _summary(locked, to),
        {"state": [before, to]},
        fields=fields,
        via_link=via_link,
    )
    if to == State.SENT and locked.tier in FLAG_OF_TIER:
        case_flag_set(actor=actor, case=locked.case, flag=FLAG_OF_TIER[locked.tier], value=True)
    if to == State.ACCEPTED and locked.kind == Kind.INTERNAL and actor is not None:
        case_assign_recipient(
            actor=actor,
            case=locked.case,
            user=actor,
            role=RECIPIENT_ASSIGNMENT[locked.recipient],
        )
        if locked.recipient_user_id is None:
            locked.recipient_user = actor
            locked.save(update_fields=["recipient_user", "updated_at"])
    return locked


FLAG_RECIPIENT: dict[str, str] = {
    Flag.PROTECTION: Recipient.PROTECTION_FP,
    Flag.MEDICAL: Recipient.MEDICAL_FP,
}


def refer_on_flag(*, actor: Any, response: Any, flag: str = "") -> None:
    """A screening whose rule raised the protection (or medical) flag refers the returnee to
    that focal point, unless an internal referral to them is already open. The instruments
    services call this when a response is submitted."""
    recipient = FLAG_RECIPIENT.get(flag)
    case = response.case
    if recipient is None or case.is_closed:
        return
    open_states = (State.DRAFT, State.SENT, State.ACCEPTED)
    if case.referrals.filter(recipient=recipient, state__in=open_states).exists():
        return
    referral_create(
        actor=actor,
        case=case,
        recipient=recipient,
        reason=_("The %(instrument)s of %(date)s raised the %(flag)s flag: please follow up.")
        % {
            "instrument": response.instrument.name,
            "date": (response.collected_on or timezone.localdate()).isoformat(),
            "flag": str(Flag(flag).label).lower(),
        },
    )


ACKNOWLEDGED = "ACKNOWLEDGED"  # not a state: the recipient confirms receipt


def referral_move(
    *, actor: Any, referral: Referral, access: CaseAccess | None, to: str, **fields: Any
) -> Referral:
    """A transition (or an acknowledgement) asked for by a user through a page or the API:
    refused with NotAllowed when the move is valid but not theirs to make."""
    if to == ACKNOWLEDGED:
        if not permissions.can_acknowledge(actor, access, referral):
            raise NotAllowed(_("You may not acknowledge this referral."))
        return referral_acknowledge(actor=actor, referral=referral)
    valid = to in TRANSITIONS.get(referral.state, ())
    if valid and not permissions.can_transition(actor, access, referral, to):
        raise NotAllowed(_("You may not make this change to the referral."))
    return referral_transition(actor=actor, referral=referral, to=to, **fields)


@transaction.atomic
def referral_acknowledge(
    *, actor: Any, referral: Referral, via_link: ReferralLink | None = None
) -> Referral:
    """The recipient confirms receipt (answering later). Audits `referral.acknowledged`."""
    locked = _lock(referral)
    if locked.state != State.SENT:
        raise ValidationFailed(
            _("Only a sent referral is acknowledged."), code="invalid_transition"
        )
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        _write(
            actor,
            locked,
            "referral.acknowledged",
            _("Referral %(ref)s acknowledged: %(to)s") % {"ref": locked, "to": locked.to_label},
            {"acknowledged_at": [None, locked.acknowledged_at.isoformat()]},
            fields=("acknowledged_at",),
            via_link=via_link,
        )
    return locked


@transaction.atomic
def referral_override_review(*, actor: Any, referral: Referral, note: str) -> Referral:
    """A coordinator reviews a referral made without consent.

    Audits `referral.override_reviewed`."""
    locked = _lock(referral)
    if not locked.needs_override_review:
        raise ValidationFailed(_("This referral has no override waiting for review."))
    if not (note or "").strip():
        raise ValidationFailed(_("Write what you concluded."), field="note")
    locked.override_reviewed_by = actor
    locked.override_reviewed_at = timezone.now()
    locked.override_review_note = note.strip()
    _write(
        actor,
        locked,
        "referral.override_reviewed",
        _("Referral %(ref)s: referral without consent reviewed") % {"ref": locked},
        {"override_reviewed_at": [None, locked.override_reviewed_at.isoformat()]},
        fields=("override_reviewed_by", "override_reviewed_at", "override_review_note"),
    )
    return locked


# --- provider links -------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _revoke_links(actor: Any, referral: Referral, now: Any) -> int:
    live = list(referral.links.filter(revoked_at__isnull=True, expires_at__gt=now))
    for link in live:
        link.revoked_at = now
        link.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        link.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        record(
            actor=actor,
            action="referral.link_revoked",
            target=link,
            case_id=referral.case_id,
            person_id=referral.case.person_id,
        )
    return len(live)


@transaction.atomic
def link_issue(*, actor: Any, referral: Referral) -> tuple[ReferralLink, str]:
    """A new provider link (earlier live links are revoked); returns the link and its token,
    which is shown once and never stored. Audits `referral.link_issued`."""
    locked = _lock(referral)
    if locked.kind != Kind.EXTERNAL or locked.state not in (State.SENT, State.ACCEPTED):
        raise ValidationFailed(
            _("A provider link is for a sent or accepted referral to a provider."),
            code="invalid_state",
        )
    now = timezone.now()
    _revoke_links(actor, locked, now)
    token = secrets.token_urlsafe(32)
    days = int(getattr(settings, "REINTEGRA_REFERRAL_LINK_DAYS", 30))
    link = ReferralLink.objects.create(
        referral=locked,
        token_hash=token_hash(token),
        created_by=actor,
        expires_at=now + timedelta(days=days),
    )
    record(
        actor=actor,
        action="referral.link_issued",
        target=link,
        case_id=locked.case_id,
        person_id=locked.case.person_id,
        changes={"expires_at": [None, link.expires_at.isoformat()]},
    )
    return link, token


@transaction.atomic
def link_revoke(*, actor: Any, link: ReferralLink) -> ReferralLink:
    """Revoke a provider link at once. Audits `referral.link_revoked`."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        record(
            actor=actor,
            action="referral.link_revoked",
            target=link,
            case_id=link.referral.case_id,
            person_id=link.referral.case.person_id,
        )
    return link


@transaction.atomic
def link_use(*, link: ReferralLink, action: str = "referral.link_opened") -> ReferralLink:
    """Count and audit one use of a provider link (an access event: the provider read the
    shared fields)."""
    ReferralLink.objects.filter(pk=link.pk).update(uses=F("uses") + 1, last_used_at=timezone.now())
    record_access(
        actor=None,
        action=action,
        target=link.referral,
        case_id=link.referral.case_id,
        person_id=link.referral.case.person_id,
    )
    return link
