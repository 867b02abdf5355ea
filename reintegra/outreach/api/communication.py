"""API of communication strategy, activities and campaigns, messages to consenting returnees."""

from ninja import Router

router = Router(tags=["communication"])
