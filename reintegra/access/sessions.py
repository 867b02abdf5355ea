"""Which sessions a user holds: keys recorded at sign-in, so ending a user's sessions (on
deactivation or role removal) deletes exactly theirs instead of decoding every session."""

from typing import Any

from django.contrib.sessions.models import Session

from reintegra.access.models import UserSession


def session_recorded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """`user_logged_in`: remember the new session key (Django cycles the key at sign-in)."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) if session is not None else None
    if key and user is not None and user.pk:
        UserSession.objects.update_or_create(session_key=key, defaults={"user_id": user.pk})
        # Forget the user's keys whose sessions expired and were cleared meanwhile.
        UserSession.objects.filter(user_id=user.pk).exclude(
            session_key__in=Session.objects.values("session_key")
        ).delete()


def session_forgotten(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """`user_logged_out`: the key is dead, forget it."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) if session is not None else None
    if key:
        UserSession.objects.filter(session_key=key).delete()


def session_keys_taken(user_id: int) -> list[str]:
    """The user's recorded session keys, forgotten as they are handed out to be deleted."""
    rows = UserSession.objects.filter(user_id=user_id)
    keys = list(rows.values_list("session_key", flat=True))
    rows.delete()
    return keys
