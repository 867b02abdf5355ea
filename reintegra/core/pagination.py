"""Pagination shared by pages and the API: a fixed page size, no COUNT over huge joins twice."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value

PAGE_SIZE = 50


@dataclass
class Page:
    items: list[Any]
    count: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def parse_page(value: object) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 100_000))


def paginate(queryset: QuerySet[Any], page: object = 1, size: int = PAGE_SIZE) -> Page:
    """One statement: the page's rows, each carrying the total as an uncorrelated scalar
    subquery (computed once; a window count would stop an index-ordered LIMIT scan). Only a
    page past the end costs a second query for the total."""
    number = parse_page(page)
    start = (number - 1) * size
    # A DISTINCT queryset (a filter across a to-many join) counts its distinct rows, not the
    # joined ones.
    counted = Count("pk", distinct=True) if queryset.query.distinct else Count("*")
    total = Subquery(
        queryset.order_by().values(_all=Value(1)).annotate(n=counted).values("n"),
        output_field=IntegerField(),
    )
    items = list(queryset.annotate(_page_total=total)[start : start + size])
    count = items[0]._page_total if items else 0
    if not items and number > 1:
        count = queryset.order_by().count()
    return Page(items=items, count=count, number=number, size=size)
