"""What a referral shares about the returnee: the sender picks the fields; their values are
frozen when the referral is sent, and that is all the recipient ever sees of the person."""

from collections.abc import Callable
from typing import Any

from reintegra.referrals.choices import Field


def _place(person: Any) -> str:
    return ", ".join(p for p in (person.commune, person.department, person.region) if p)


VALUES: dict[str, Callable[[Any], str]] = {
    Field.NAME: lambda p: p.full_name,
    Field.SEX: lambda p: str(p.get_sex_display()),
    Field.AGE: lambda p: "" if p.age is None else str(p.age),
    Field.DATE_OF_BIRTH: lambda p: p.date_of_birth.isoformat() if p.date_of_birth else "",
    Field.PHONE: lambda p: p.phone,
    Field.LANGUAGES: lambda p: p.languages,
    Field.PLACE: _place,
    Field.ADDRESS: lambda p: p.address,
}


def clean_fields(fields: list[str] | tuple[str, ...]) -> list[str]:
    """The known fields among `fields`, in the canonical order, without repeats."""
    wanted = set(fields)
    return [f for f in Field.values if f in wanted]


def preview(person: Any, fields: list[str] | tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Every shareable field with its current value (for the form: what would be shared)."""
    chosen = set(fields or ())
    return [
        {
            "field": f,
            "label": str(Field(f).label),
            "value": VALUES[f](person),
            "chosen": f in chosen,
        }
        for f in Field.values
    ]


def snapshot(person: Any, fields: list[str]) -> dict[str, str]:
    """The values that travel with the referral, frozen at sending."""
    return {f: VALUES[f](person) for f in clean_fields(fields)}


def labelled(shared: dict[str, str]) -> list[tuple[str, str]]:
    """A frozen snapshot as (label, value) rows, in the canonical order."""
    return [(str(Field(f).label), shared[f]) for f in Field.values if f in shared]
