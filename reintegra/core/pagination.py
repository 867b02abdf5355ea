"""Pagination shared by pages and the API: a fixed page size, no COUNT over huge joins twice."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

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
    number = parse_page(page)
    count = queryset.order_by().count()
    start = (number - 1) * size
    return Page(items=list(queryset[start : start + size]), count=count, number=number, size=size)
