"""Models of stakeholders, agreements, capacity building, coordination mechanisms and SOPs."""

__all__: list[str] = []
