from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "reintegra.access"
    label = "access"

    def ready(self) -> None:
        from allauth.account.signals import password_changed, password_set
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from reintegra.access import sessions
        from reintegra.accounts import services as accounts

        user_logged_in.connect(sessions.session_recorded, dispatch_uid="access.session_recorded")
        user_logged_out.connect(sessions.session_forgotten, dispatch_uid="access.session_forgotten")
        # A password change keeps the user signed in under a new session key: record it too.
        password_changed.connect(sessions.session_recorded, dispatch_uid="access.pw_changed")
        password_set.connect(sessions.session_recorded, dispatch_uid="access.pw_set")
        if sessions.session_keys_taken not in accounts.SESSION_KEYS:
            accounts.SESSION_KEYS.append(sessions.session_keys_taken)
