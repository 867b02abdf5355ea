"""Models of feedback and complaints, the programme adjustment log and its report."""

__all__: list[str] = []
