"""Models of retention rules, anonymisation, legal holds, consent-withdrawal cascades."""

__all__: list[str] = []
