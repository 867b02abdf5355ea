"""Models of communication strategy, activities and campaigns, messages to consenting returnees."""

__all__: list[str] = []
