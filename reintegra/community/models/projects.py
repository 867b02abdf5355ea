"""Models of community profiles and community-based projects."""

__all__: list[str] = []
