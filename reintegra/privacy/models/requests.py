"""Models of subject-access requests and exports, password-protected exports."""

__all__: list[str] = []
