"""`{% case_sections access as sections %}`: the restricted sections a viewer knows of on a case
page, with whether they read them (the case page includes `safeguarding/_case_sections.html`)."""

from typing import Any

from django import template

from reintegra.safeguarding.choices import SLUGS, Section
from reintegra.safeguarding.selectors import sections_present
from reintegra.safeguarding.text import restricted_message

register = template.Library()


@register.simple_tag
def case_sections(access: Any) -> list[dict[str, Any]]:
    if access is None:
        return []
    rows: list[dict[str, Any]] = []
    if not any(access.knows_tier(section) for section in Section.values):
        return rows
    present = sections_present(access.case)
    for section in Section.values:
        if not access.knows_tier(section):
            continue
        readable = access.can_read_tier(section)
        exists = section in present
        rows.append(
            {
                "section": section,
                "slug": SLUGS[section],
                "label": Section(section).label,
                "readable": readable,
                "writable": access.can_write_tier(section),
                "exists": exists,
                "message": "" if readable else restricted_message(section, exists),
            }
        )
    return rows
