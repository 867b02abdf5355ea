"""THE need-to-know policy: the role × data-tier table of DESIGN.md §4, once.

Everything else — querysets, predicates, templates, the permission-matrix test and the admin
review page — reads this module. Change access here and nowhere else.
"""

from enum import IntEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.choices import Role, Specialisation


class Tier(models.TextChoices):
    IDENTITY = "IDENTITY", _("Identity")
    CASE = "CASE", _("Case")
    PROTECTION = "PROTECTION", _("Protection")
    MEDICAL = "MEDICAL", _("Medical")
    PSYCHOSOCIAL = "PSYCHOSOCIAL", _("Psychosocial")
    FINANCE = "FINANCE", _("Finance")
    AGGREGATE = "AGGREGATE", _("Aggregate")


class Level(IntEnum):
    """Ordered access levels. PARTIAL = a summary or one section only, never narrative."""

    NONE = 0
    FLAG = 1
    PARTIAL = 2
    READ = 3
    WRITE = 4

    @property
    def symbol(self) -> str:
        return {0: "–", 1: "F", 2: "P", 3: "R", 4: "W"}[int(self)]


class Reach(models.TextChoices):
    """Which cases inside a role's office scope the role reaches at all."""

    SCOPE = "SCOPE", _("every case in scope")
    ASSIGNED = "ASSIGNED", _("cases assigned to the user")
    PROTECTION = "PROTECTION", _("cases with a protection flag or assigned")
    MEDICAL = "MEDICAL", _("cases with a medical flag or assigned")
    NONE = "NONE", _("no case")


N, F, P, R, W = Level.NONE, Level.FLAG, Level.PARTIAL, Level.READ, Level.WRITE
T = Tier

# fmt: off
POLICY: dict[str, dict[str, Level]] = {
    #                 IDENTITY  CASE  PROTECTION  MEDICAL  PSYCHOSOCIAL  FINANCE  AGGREGATE
    Role.COORDINATOR:   {T.IDENTITY: R, T.CASE: R, T.PROTECTION: F, T.MEDICAL: F,
                         T.PSYCHOSOCIAL: F, T.FINANCE: R, T.AGGREGATE: R},
    Role.CASE_MANAGER:  {T.IDENTITY: W, T.CASE: W, T.PROTECTION: F, T.MEDICAL: F,
                         T.PSYCHOSOCIAL: F, T.FINANCE: P, T.AGGREGATE: P},
    Role.PROTECTION_FP: {T.IDENTITY: W, T.CASE: R, T.PROTECTION: W, T.MEDICAL: F,
                         T.PSYCHOSOCIAL: R, T.FINANCE: N, T.AGGREGATE: R},
    Role.MEDICAL_FP:    {T.IDENTITY: R, T.CASE: P, T.PROTECTION: N, T.MEDICAL: W,
                         T.PSYCHOSOCIAL: N, T.FINANCE: N, T.AGGREGATE: R},
    Role.COMMS_FP:      {T.IDENTITY: P, T.CASE: N, T.PROTECTION: N, T.MEDICAL: N,
                         T.PSYCHOSOCIAL: N, T.FINANCE: N, T.AGGREGATE: R},
    Role.ME_SPECIALIST: {T.IDENTITY: R, T.CASE: P, T.PROTECTION: N, T.MEDICAL: N,
                         T.PSYCHOSOCIAL: N, T.FINANCE: P, T.AGGREGATE: R},
    Role.FINANCE:       {T.IDENTITY: P, T.CASE: P, T.PROTECTION: N, T.MEDICAL: N,
                         T.PSYCHOSOCIAL: N, T.FINANCE: W, T.AGGREGATE: P},
    Role.SYSADMIN:      {T.IDENTITY: N, T.CASE: N, T.PROTECTION: N, T.MEDICAL: N,
                         T.PSYCHOSOCIAL: N, T.FINANCE: N, T.AGGREGATE: N},
}
# fmt: on

REACH: dict[str, Reach] = {
    Role.COORDINATOR: Reach.SCOPE,
    Role.CASE_MANAGER: Reach.ASSIGNED,
    Role.PROTECTION_FP: Reach.PROTECTION,
    Role.MEDICAL_FP: Reach.MEDICAL,
    Role.COMMS_FP: Reach.NONE,
    Role.ME_SPECIALIST: Reach.SCOPE,
    Role.FINANCE: Reach.SCOPE,
    Role.SYSADMIN: Reach.NONE,
}

# Roles that act on the programme rather than on a file: they may approve, reopen, accept.
SUPERVISING_ROLES = frozenset({Role.COORDINATOR})
# Roles that may register returnees and open cases at their office.
REGISTERING_ROLES = frozenset({Role.CASE_MANAGER, Role.COORDINATOR})
# Roles that may set the protection / medical / psychosocial flags on a case they reach.
FLAGGING_ROLES = frozenset(
    {Role.CASE_MANAGER, Role.COORDINATOR, Role.PROTECTION_FP, Role.MEDICAL_FP}
)
# Roles that may accept a hand-over arriving at their office.
RECEIVING_ROLES = frozenset({Role.COORDINATOR, Role.CASE_MANAGER})
# Roles that manage offices and role assignments (and see no personal data).
ADMIN_ROLES = frozenset({Role.SYSADMIN})


def level_for(role: str, tier: str, specialisation: str = "") -> Level:
    """The level a role has on a tier; a psychosocial case manager writes psychosocial notes."""
    if (
        role == Role.CASE_MANAGER
        and tier == Tier.PSYCHOSOCIAL
        and specialisation == Specialisation.PSYCHOSOCIAL
    ):
        return Level.WRITE
    return POLICY[role][tier]


def matrix_rows() -> list[tuple[str, list[str]]]:
    """The table as rows of symbols, for the admin review page and the docs."""
    return [
        (str(Role(role).label), [POLICY[role][tier].symbol for tier in Tier.values])
        for role in Role.values
    ]
