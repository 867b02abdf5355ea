"""Reintegra settings: one file, driven by environment variables (see README, "Configuration")."""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("REINTEGRA_DEBUG", False)
# Demo mode: personas without MFA, said on the login page. `make run` turns it on.
DEMO_MODE = env_bool("REINTEGRA_DEMO", False)
SECRET_KEY = os.environ.get("REINTEGRA_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE or os.environ.get("REINTEGRA_ALLOW_INSECURE_KEY") == "1"):
        raise ImproperlyConfigured("Set REINTEGRA_SECRET_KEY (or REINTEGRA_DEMO=1 for a trial).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

# Field-level encryption of the restricted tiers: Fernet keys separated by commas, the first
# encrypts and all decrypt (rotate with `reintegra keys rotate`). Empty: a key derived from the
# secret key, which `check --deploy` warns about (set real keys in production).
REINTEGRA_FIELD_KEYS = env_list("REINTEGRA_FIELD_KEYS")

# Pseudonyms in exports (a keyed hash of the person): keep it secret and stable, or every
# pseudonym changes. Derived from the secret key unless set.
PSEUDONYM_SECRET = os.environ.get("REINTEGRA_PSEUDONYM_SECRET", "") or ("pseudonym:" + SECRET_KEY)

# Days after which a provider not verified again is shown as stale.
REINTEGRA_PROVIDER_STALE_DAYS = int(os.environ.get("REINTEGRA_PROVIDER_STALE_DAYS", "180"))

# The service map's background: a tile URL template and its attribution (none by default: the
# markers show on a blank background, and no request leaves for a tile server).
REINTEGRA_MAP_TILES = os.environ.get("REINTEGRA_MAP_TILES", "")
REINTEGRA_MAP_ATTRIBUTION = os.environ.get("REINTEGRA_MAP_ATTRIBUTION", "")

# Referrals: days a provider link stays valid; days past the acknowledgement date after which
# an unanswered referral escalates to the regional coordinator; days an internal recipient has
# to acknowledge (providers have their own expected response time).
REINTEGRA_REFERRAL_LINK_DAYS = int(os.environ.get("REINTEGRA_REFERRAL_LINK_DAYS", "30"))
REINTEGRA_REFERRAL_ESCALATION_DAYS = int(os.environ.get("REINTEGRA_REFERRAL_ESCALATION_DAYS", "3"))
REINTEGRA_INTERNAL_REFERRAL_DAYS = int(os.environ.get("REINTEGRA_INTERNAL_REFERRAL_DAYS", "2"))

# Plans: the currency of amounts (ISO 4217), and the plan total above which a national
# coordinator must approve (regional coordinators approve up to it). Programmes set their own:
# no figure is published.
REINTEGRA_CURRENCY = os.environ.get("REINTEGRA_CURRENCY", "XOF")
REINTEGRA_PLAN_NATIONAL_ABOVE = Decimal(os.environ.get("REINTEGRA_PLAN_NATIONAL_ABOVE", "1000000"))

# In-kind purchases: above this estimated total, at least REINTEGRA_MIN_QUOTATIONS quotations
# are needed before a supplier is chosen (the programme's own procurement rules).
REINTEGRA_QUOTATIONS_ABOVE = Decimal(os.environ.get("REINTEGRA_QUOTATIONS_ABOVE", "250000"))
REINTEGRA_MIN_QUOTATIONS = int(os.environ.get("REINTEGRA_MIN_QUOTATIONS", "3"))


def env_mapping(name: str, default: str = "") -> dict[str, str]:
    """`KEY=value,KEY=value` from the environment (e.g. per channel or per category)."""
    pairs = [item.split("=", 1) for item in env_list(name, default)]
    if any(len(pair) != 2 or not pair[0].strip() for pair in pairs):
        raise ImproperlyConfigured(f"{name}: KEY=value pairs separated by commas")
    return {key.strip().upper(): value.strip() for key, value in pairs}


# Community and structural work: days before an agreement ends from which it shows as expiring.
REINTEGRA_AGREEMENT_ALERT_DAYS = int(os.environ.get("REINTEGRA_AGREEMENT_ALERT_DAYS", "60"))

# Messages to returnees: the sending backend per channel (SMS, WHATSAPP, EMAIL) as dotted paths;
# any channel not named uses the file backend, which appends to REINTEGRA_MESSAGE_FILE.
REINTEGRA_MESSAGE_BACKENDS = env_mapping("REINTEGRA_MESSAGE_BACKENDS")
if os.environ.get("REINTEGRA_MESSAGE_FILE"):
    REINTEGRA_MESSAGE_FILE = os.environ["REINTEGRA_MESSAGE_FILE"]
REINTEGRA_SMS_GATEWAY_URL = os.environ.get("REINTEGRA_SMS_GATEWAY_URL", "")
REINTEGRA_SMS_GATEWAY_TOKEN = os.environ.get("REINTEGRA_SMS_GATEWAY_TOKEN", "")
REINTEGRA_SMS_GATEWAY_TIMEOUT = float(os.environ.get("REINTEGRA_SMS_GATEWAY_TIMEOUT", "10"))

# Feedback and complaints: days to acknowledge, and days to resolve per category (the
# programme's own service standards; the defaults are not official figures).
REINTEGRA_FEEDBACK_ACK_DAYS = int(os.environ.get("REINTEGRA_FEEDBACK_ACK_DAYS", "3"))
try:
    REINTEGRA_FEEDBACK_DUE_DAYS = {
        key: int(value)
        for key, value in env_mapping(
            "REINTEGRA_FEEDBACK_DUE_DAYS", "INFORMATION=7,SUGGESTION=30,COMPLAINT=14,SENSITIVE=7"
        ).items()
    }
except ValueError as exc:
    raise ImproperlyConfigured(
        "REINTEGRA_FEEDBACK_DUE_DAYS: CATEGORY=days, e.g. COMPLAINT=14"
    ) from exc


# Months after a case reaches monitoring at which visits are due.
try:
    REINTEGRA_MONITORING_MONTHS = tuple(
        sorted({int(m) for m in env_list("REINTEGRA_MONITORING_MONTHS", "3,6,12")})
    )
except ValueError as exc:
    raise ImproperlyConfigured("REINTEGRA_MONITORING_MONTHS: whole numbers, e.g. 3,6,12") from exc

ALLOWED_HOSTS = env_list("REINTEGRA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("REINTEGRA_CSRF_TRUSTED_ORIGINS")
DATA_DIR = Path(os.environ.get("REINTEGRA_DATA_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "reintegra.core",
    "reintegra.accounts",
    "reintegra.access",
    "reintegra.audit",
    "reintegra.people",
    "reintegra.providers",
    "reintegra.cases",
    "reintegra.instruments",
    "reintegra.monitoring",
    "reintegra.referrals",
    "reintegra.plans",
    "reintegra.finance",
    "reintegra.community",
    "reintegra.outreach",
    "reintegra.safeguarding",
    "reintegra.privacy",
    "reintegra.reports",
    "reintegra.demo",
]

MIDDLEWARE = [
    "reintegra.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "reintegra.access.middleware.RequireMfaMiddleware",
    "reintegra.core.middleware.ServiceErrorMiddleware",
    "reintegra.core.middleware.PrivatePagesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Common widgets rendered in Python (same markup as Django's templates, a fraction of the time).
FORM_RENDERER = "reintegra.core.widgets.FastRenderer"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "reintegra.core.context_processors.reintegra",
                "reintegra.reports.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'reintegra.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no data directory yet: the embedded database needs one.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = os.environ.get("REINTEGRA_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_ADAPTER = "reintegra.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key", "login": "30/m/ip"}
# Behind a reverse proxy, how many proxies (X-Forwarded-For hops) to trust for client addresses.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("REINTEGRA_TRUSTED_PROXY_COUNT", 0))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Reintegra"
# Roles whose users must set up MFA before working (outside demo mode).
MFA_REQUIRED_ROLES = ["COORDINATOR", "SYSADMIN"]

# Idle sessions expire after 30 minutes: every request pushes the expiry forward.
SESSION_COOKIE_AGE = int(os.environ.get("REINTEGRA_SESSION_IDLE_SECONDS", 1800))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False

SECURE = env_bool("REINTEGRA_SECURE", not (DEBUG or DEMO_MODE))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("REINTEGRA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day-month-year dates and 24-hour times in English too (config/formats/en).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("REINTEGRA_TIME_ZONE", "Africa/Dakar")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 31536000
# Case documents live outside the web root and are served only by a permission-checked view.
PRIVATE_FILES_DIR = Path(os.environ.get("REINTEGRA_FILES_DIR", DATA_DIR / "files"))
MEDIA_ROOT = PRIVATE_FILES_DIR
DOCUMENT_MAX_BYTES = int(os.environ.get("REINTEGRA_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))
DOCUMENT_ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Programme settings.
PLAN_DUE_DAYS = int(os.environ.get("REINTEGRA_PLAN_DUE_DAYS", 30))
API_TOKEN_TTL_HOURS = int(os.environ.get("REINTEGRA_API_TOKEN_TTL_HOURS", 12))

CELERY_BROKER_URL = os.environ.get("REINTEGRA_CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not bool(REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "reintegra.core.middleware.RequestIdLogFilter"},
        "secret_paths": {"()": "reintegra.core.middleware.SecretPathLogFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "secret_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("REINTEGRA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The development server's request lines go through the same filters.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


# Security hardening (issue #7): a Content-Security-Policy with a nonce per response. No inline
# script or style anywhere (JS in static/js); signatures are data: images; the service map's
# tile server (REINTEGRA_MAP_TILES) is allowed as an image source when configured.
def _tile_origin(template: str) -> str:
    import re
    from urllib.parse import urlsplit

    parts = urlsplit(template)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    # "{s}.tile.example.org" (a subdomain placeholder) becomes "*.tile.example.org".
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}"


from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *filter(None, [_tile_origin(REINTEGRA_MAP_TILES)])],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")  # type: ignore[index]
# The API's token endpoint: requests allowed per client address and per username in the window.
REINTEGRA_TOKEN_RATE = os.environ.get("REINTEGRA_TOKEN_RATE", "10/300")

# Subject-access requests (privacy): days allowed to answer a person's request for their data,
# counted from the day it is received. A programme default, not an official figure.
REINTEGRA_SUBJECT_ACCESS_DAYS = int(os.environ.get("REINTEGRA_SUBJECT_ACCESS_DAYS", "30"))

# Access operations: how long a break-glass opening of a restricted section lasts (minutes).
REINTEGRA_BREAK_GLASS_MINUTES = int(os.environ.get("REINTEGRA_BREAK_GLASS_MINUTES", "60"))
