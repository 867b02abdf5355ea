"""The demo programme's offices and the twelve personas of DESIGN.md §9.

The same personas are the fixtures of the test suite. `programme_ensure()` is idempotent.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from reintegra.accounts import services as accounts
from reintegra.accounts.choices import OfficeKind, Role, Specialisation
from reintegra.accounts.models import Office, User

PASSWORD = "reintegra-demo"  # noqa: S105 - the documented demo password

# code, name, kind, parent code, country
OFFICES = [
    ("SN", "Senegal", OfficeKind.COUNTRY, None, "SN"),
    ("DKR", "Dakar", OfficeKind.NATIONAL, "SN", "SN"),
    ("TAM", "Tambacounda", OfficeKind.REGIONAL, "DKR", "SN"),
    ("KLD", "Kolda", OfficeKind.REGIONAL, "DKR", "SN"),
    ("MA", "Morocco", OfficeKind.COUNTRY, None, "MA"),
    ("RBT", "Rabat", OfficeKind.HOST, "MA", "MA"),
]


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    role: str
    office: str | None
    specialisation: str = ""


PERSONAS = [
    Persona("coord.national", "Aminata", "Diop", Role.COORDINATOR, "DKR"),
    Persona("coord.tamba", "Ousmane", "Ba", Role.COORDINATOR, "TAM"),
    Persona("cm.tamba", "Fatou", "Sow", Role.CASE_MANAGER, "TAM", Specialisation.ECONOMIC),
    Persona("cm.kolda", "Mamadou", "Baldé", Role.CASE_MANAGER, "KLD", Specialisation.SOCIAL),
    Persona("cm.psy", "Awa", "Ndiaye", Role.CASE_MANAGER, "TAM", Specialisation.PSYCHOSOCIAL),
    Persona("cm.rabat", "Youssef", "El Amrani", Role.CASE_MANAGER, "RBT", Specialisation.HOST),
    Persona("fp.protection", "Mariama", "Fall", Role.PROTECTION_FP, "DKR"),
    Persona("fp.medical", "Ibrahima", "Sarr", Role.MEDICAL_FP, "DKR"),
    Persona("fp.comms", "Khady", "Faye", Role.COMMS_FP, "DKR"),
    Persona("me.officer", "Cheikh", "Mbaye", Role.ME_SPECIALIST, "DKR"),
    Persona("finance", "Ndeye", "Gueye", Role.FINANCE, "DKR"),
    Persona("sysadmin", "System", "Administrator", Role.SYSADMIN, None),
]


@transaction.atomic
def programme_ensure(password: str = PASSWORD) -> tuple[dict[str, Office], dict[str, User]]:
    """Create the offices and personas that do not exist yet; return both by code / username."""
    offices: dict[str, Office] = {o.code: o for o in Office.objects.all()}
    for code, name, kind, parent, country in OFFICES:
        if code not in offices:
            offices[code] = accounts.office_create(
                actor=None,
                name=name,
                code=code,
                kind=kind,
                country_code=country,
                parent=offices[parent] if parent else None,
            )
    users: dict[str, User] = {u.username: u for u in User.objects.all()}
    # Hashing is slow on purpose: hash the shared demo password once, not twelve times.
    hashed = make_password(password)
    for p in PERSONAS:
        if p.username in users:
            continue
        user = accounts.user_create(
            actor=None,
            username=p.username,
            first_name=p.first_name,
            last_name=p.last_name,
            email=f"{p.username}@demo.reintegra.invalid",
            password_hash=hashed,
        )
        accounts.role_assign(
            actor=None,
            user=user,
            role=p.role,
            office=offices[p.office] if p.office else None,
            specialisation=p.specialisation,
        )
        users[p.username] = user
    return offices, users
