"""Who may do what with a referral. Details follow the referral's tier on its case: a medical
referral's details are for those who read the MEDICAL tier; others who know of the tier see
only that it exists. Internal recipients see what was shared with them, as a provider would."""

from typing import Any

from reintegra.access.policy import SUPERVISING_ROLES, Level, Tier
from reintegra.access.principal import principal
from reintegra.accounts.choices import Role, Specialisation
from reintegra.cases.permissions import CaseAccess
from reintegra.referrals.choices import (
    FINAL_STATES,
    RECIPIENT_STATES,
    TRANSITIONS,
    Kind,
    Recipient,
    State,
)

RESTRICTED = (Tier.PROTECTION, Tier.MEDICAL, Tier.PSYCHOSOCIAL)


def can_read(access: CaseAccess, referral: Any) -> bool:
    """The referral's details: to whom, why, what was shared, its outcome."""
    return access.level(referral.tier) >= Level.READ


def knows_of(access: CaseAccess, referral: Any) -> bool:
    """At least that the referral exists (restricted tiers show as a bare entry)."""
    return can_read(access, referral) or (
        referral.tier in RESTRICTED and access.level(referral.tier) >= Level.FLAG
    )


def creatable_tiers(access: CaseAccess) -> set[str]:
    """The tiers of referral the user may make on this case. Those who write the case file
    refer to anyone (a medical referral then shows to them as a flag only); focal points
    refer within their tier, and the protection focal point to non-medical services too."""
    if access.case.is_closed:
        return set()
    if access.can_edit:
        return {Tier.CASE, *RESTRICTED}
    tiers: set[str] = {t for t in RESTRICTED if access.can_write_tier(t)}
    if tiers and access.level(Tier.CASE) >= Level.READ:
        tiers.add(Tier.CASE)
    return tiers


def can_refer(access: CaseAccess) -> bool:
    return bool(creatable_tiers(access))


def can_manage(access: CaseAccess, referral: Any) -> bool:
    """Send, cancel, close, issue links, and record the provider's answer on its behalf."""
    if access.case.is_closed or referral.state in FINAL_STATES:
        return False
    mine = referral.created_by_id == getattr(access.user, "pk", None)
    if mine and referral.state == State.DRAFT:
        return True
    if not can_read(access, referral):
        return False
    return mine or access.can_edit or access.can_write_tier(referral.tier)


def is_recipient(user: Any, referral: Any) -> bool:
    """The internal recipient: the named person, or anyone holding the recipient role over
    the case's office when nobody was named."""
    if referral.kind != Kind.INTERNAL or referral.state == State.DRAFT:
        return False
    if referral.recipient_user_id is not None:
        return bool(referral.recipient_user_id == getattr(user, "pk", None))
    office_id = referral.case.office_id
    return any(office_id in g.office_ids for g in recipient_grants(user, referral.recipient))


def recipient_grants(user: Any, recipient: str) -> list[Any]:
    """The user's role assignments that receive internal referrals of this kind."""
    grants = principal(user).grants
    if recipient == Recipient.PROTECTION_FP:
        return [g for g in grants if g.role == Role.PROTECTION_FP]
    if recipient == Recipient.MEDICAL_FP:
        return [g for g in grants if g.role == Role.MEDICAL_FP]
    if recipient == Recipient.PSYCHOSOCIAL:
        return [
            g
            for g in grants
            if g.role == Role.CASE_MANAGER and g.specialisation == Specialisation.PSYCHOSOCIAL
        ]
    return []


def can_transition(user: Any, access: CaseAccess | None, referral: Any, to: str) -> bool:
    """Whether the user may move the referral to `to` (the move itself must be allowed)."""
    if to not in TRANSITIONS.get(referral.state, ()):
        return False
    managing = access is not None and can_manage(access, referral)
    if to in RECIPIENT_STATES:
        return managing or is_recipient(user, referral)
    return managing


def can_review_override(access: CaseAccess, referral: Any) -> bool:
    """A coordinator reaching the case reviews a referral made without consent."""
    return referral.needs_override_review and bool(access.roles & SUPERVISING_ROLES)


def can_view_statistics(user: Any) -> bool:
    """Coordinators and social-work case managers (counts and times, no personal data)."""
    return bool(statistics_offices(user))


def statistics_offices(user: Any) -> frozenset[int]:
    ids: set[int] = set()
    for g in principal(user).grants:
        if g.role == Role.COORDINATOR or (
            g.role == Role.CASE_MANAGER and g.specialisation == Specialisation.SOCIAL
        ):
            ids |= g.office_ids
    return frozenset(ids)


def can_acknowledge(user: Any, access: CaseAccess | None, referral: Any) -> bool:
    if referral.state != State.SENT or referral.acknowledged_at is not None:
        return False
    return (access is not None and can_manage(access, referral)) or is_recipient(user, referral)


def can_issue_link(access: CaseAccess | None, referral: Any) -> bool:
    return (
        access is not None
        and referral.kind == Kind.EXTERNAL
        and referral.state in (State.SENT, State.ACCEPTED)
        and can_manage(access, referral)
    )


def can_view_referrals(user: Any) -> bool:
    """Those who read case files or a restricted tier follow referrals (the referrals page)."""
    p = principal(user)
    return p.max_level(Tier.CASE) >= Level.READ or any(
        p.max_level(t) >= Level.WRITE for t in RESTRICTED
    )
