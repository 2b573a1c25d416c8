"""Settings of the coalition portal: one module, every deploy-time value from the environment."""

import os
from email.headerregistry import Address
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# The key a development machine uses; the portal refuses it (and an empty one) with DEBUG off.
INSECURE_SECRET_KEY = "django-insecure-development-key-never-use-in-production"  # noqa: S105


# --- Small typed readers: a malformed value stops start-up and names its variable. ---------


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no, on/off), got {raw!r}.")


def env_int(name, default, *, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name, default=""):
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name, default="", *, schemes):
    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in sorted(schemes))}, got {raw!r}."
        )
    return raw


def database_from_url(name, url):
    """Turn DATABASE_URL into a DATABASES entry (postgres:// or sqlite:///path)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative to the project, sqlite:////tmp/db.sqlite3 absolute.
        path = unquote(parsed.path)[1:]
        if not path:
            raise ImproperlyConfigured(f"{name} must name a file, e.g. sqlite:///var/db.sqlite3, got {url!r}.")
        file = Path(path)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": file if file.is_absolute() else BASE_DIR / file}
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        if not parsed.path.strip("/"):
            raise ImproperlyConfigured(
                f"{name} must name a database, e.g. postgres://user@host:5432/portal, got {url!r}."
            )
        try:
            port = parsed.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has a port that is not a number: {url!r}.") from None
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"{name} must start with postgres:// or sqlite:///, got {url!r}.")


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in {"", INSECURE_SECRET_KEY}:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        "(for development, set DEBUG=true to use the built-in key)."
    )
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long when DEBUG is off.")

SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes={"http", "https"}).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Kansrijke Start Coalitie")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = [urlparse(SITE_URL).hostname]
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "coalition",
    "members",
    "network",
    "signals",
    "groups",
    "surveys",
    "journal",
    "events",
    "announcements",
    "cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "coalition.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "signals.middleware.ClearSignalCacheOnLogout",
]

ROOT_URLCONF = "coalition.urls"
WSGI_APPLICATION = "coalition.wsgi.application"
ASGI_APPLICATION = "coalition.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "coalition.context_processors.portal",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "")
if not DATABASE_URL:
    # The embedded default: a SQLite file under var/, so the portal runs with nothing installed.
    VAR_DIR.mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Every permission is a rule in <app>/rules.py (django-rules), asked with user.has_perm(name, obj).
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Language and time ----------------------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
# The portal's own catalogue first; then its Dutch for Django's, the admin's and allauth's own strings where their
# catalogues lack a msgid (new in Django 6.1) or word it otherwise (locale_overrides/, which makemessages leaves alone).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
# One date style per language (DESIGN.md §4), named in templates: DATETIME_FORMAT, SHORT_DATE_FORMAT, ...
FORMAT_MODULE_PATH = ["coalition.formats"]
# Flash messages say "Het verhaal … is toegevoegd" where the admin's Dutch would say "De verhaal".
MESSAGE_STORAGE = "coalition.messages.PortalMessageStorage"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by npm from package.json (make assets); served by the portal, never a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Files for some eyes only (event materials, unpublished magazines): outside MEDIA_ROOT, served by
# views that check permission (coalition.storage.PrivateStorage).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Mail -----------------------------------------------------------------------------------

EMAIL_URL = env_url("EMAIL_URL", "", schemes={"smtp", "smtps", "console"})
if not EMAIL_URL or EMAIL_URL.startswith("console"):
    # Each mail readable on the console: text decoded, attachments as name and size (coalition/mail_console.py).
    MAILERS = {"default": {"BACKEND": "coalition.mail_console.EmailBackend"}}
else:
    _mail = urlparse(EMAIL_URL)
    try:
        _mail_port = _mail.port
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL has a port that is not a number: {EMAIL_URL!r}.") from None
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _mail.hostname or "localhost",
                "port": _mail_port or (465 if _mail.scheme == "smtps" else 25),
                "username": unquote(_mail.username or ""),
                "password": unquote(_mail.password or ""),
                "use_ssl": _mail.scheme == "smtps",
                "use_tls": parse_qs(_mail.query).get("tls", ["false"])[-1].lower() in {"1", "true", "yes"},
                "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
            },
        }
    }
# Built by the standard library, so a SITE_NAME with a comma or a period still makes one valid address.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", str(Address(SITE_NAME, addr_spec="noreply@kansrijkestart.example")))
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How many deliveries one task sends over one SMTP connection.
MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 100, minimum=1)
# A mailing with due deliveries and no attempt for this long is enqueued again (the sweep runs every
# minute): a lost enqueue or a batch stranded by a killed worker is on its way within 3 minutes.
MAIL_SWEEP_GRACE_MINUTES = env_int("MAIL_SWEEP_GRACE_MINUTES", 2, minimum=1)
# A delivery hit by transient SMTP errors (4xx, lost connection) is tried this often, waiting
# MAIL_RETRY_BACKOFF_SECONDS, then twice as long each time (at most 30 minutes), before it fails.
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 5, minimum=1)
MAIL_RETRY_BACKOFF_SECONDS = env_int("MAIL_RETRY_BACKOFF_SECONDS", 60, minimum=1)

# Bounces (coalition.bounces). A 5xx for an address at send time suppresses it at once; the delivery status
# notifications that arrive later come in two ways, each optional.
# 1. The bounce mailbox, read over IMAP every 10 minutes by the beat (and by `manage.py process_bounces`): unseen
#    messages are processed and marked read, nothing is moved or deleted. Off while BOUNCE_IMAP_HOST is empty.
BOUNCE_IMAP_HOST = env_str("BOUNCE_IMAP_HOST", "").strip()
BOUNCE_IMAP_PORT = env_int("BOUNCE_IMAP_PORT", 993, minimum=1)
BOUNCE_IMAP_USER = env_str("BOUNCE_IMAP_USER", "")
BOUNCE_IMAP_PASSWORD = env_str("BOUNCE_IMAP_PASSWORD", "")
BOUNCE_IMAP_FOLDER = env_str("BOUNCE_IMAP_FOLDER", "INBOX").strip() or "INBOX"
# IMAP over TLS (port 993); false only for a server on the same machine.
BOUNCE_IMAP_SSL = env_bool("BOUNCE_IMAP_SSL", True)
BOUNCE_IMAP_TIMEOUT = env_int("BOUNCE_IMAP_TIMEOUT", 30, minimum=1)
# 2. The webhook POST /mail/bounces/ with `Authorization: Bearer <token>`: a DSN as message/rfc822 or JSON
#    {"address", "reason", "permanent": true} (or a list of them) from the mail provider. Not found while empty.
BOUNCE_WEBHOOK_TOKEN = env_str("BOUNCE_WEBHOOK_TOKEN", "").strip()

# --- Offerings (the parents' route) ---------------------------------------------------------

# An offering unconfirmed this many months: its organisation's contacts are asked "is this still right?" ...
OFFERING_CONFIRM_MONTHS = env_int("OFFERING_CONFIRM_MONTHS", 6, minimum=1)
# ... and unconfirmed this many months, the route and the admin mark it possibly outdated.
OFFERING_OUTDATED_MONTHS = env_int("OFFERING_OUTDATED_MONTHS", 9, minimum=1)

# --- Groups ---------------------------------------------------------------------------------

# The owners of an unfinished action get a reminder this many days before its due date (once per due date).
ACTION_REMINDER_DAYS = env_int("ACTION_REMINDER_DAYS", 3, minimum=0)

# --- Events ---------------------------------------------------------------------------------

# Confirmed participants get a reminder this many days before an event.
EVENT_REMINDER_DAYS = env_int("EVENT_REMINDER_DAYS", 2, minimum=0)
# After this many months the answers and feedback of an event are detached from the person.
EVENT_RETENTION_MONTHS = env_int("EVENT_RETENTION_MONTHS", 12, minimum=1)
# After this many months from its meeting, a case of a case consultation (MDO) no longer says who submitted it.
CASE_RETENTION_MONTHS = env_int("CASE_RETENTION_MONTHS", 6, minimum=1)

# --- Celery ---------------------------------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", "", schemes={"redis", "rediss", "unix"})
# In-process mode never reaches a broker, but Celery 5.5+ opens a producer for every eager task: a
# memory URL without a host name made kombu warn "No hostname was supplied" on every mail.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
# Without a broker the portal runs every task in-process, right away.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# With acks_late, a task whose worker was killed must come back instead of being acknowledged.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis hands an unacknowledged task to another worker after this long. It must stay above the
    # longest retry countdown (30 minutes: a worker holds a waiting task unacknowledged) and the
    # longest batch, or tasks run twice. Recovery from a killed worker does not wait for it: the
    # next worker to start re-enqueues unfinished mailings, and the sweep runs every minute.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
    # A broker that is down or silent fails a publish within seconds instead of hanging the request
    # that enqueues (redis-py waits forever by default); the enqueue is then logged and left to the
    # sweep. socket_timeout stays above kombu's one-second BRPOP poll, which it also bounds.
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
# One quick retry (a pooled connection may be stale after a Redis restart), then give up.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- Cache ----------------------------------------------------------------------------------

# Rate limits (allauth's login limits, the journal's forms) and single-use form stamps must count
# the same in every process and survive a restart: never a per-process memory cache. With Redis the
# cache shares the broker's database under its own key prefix (every key has a timeout; Redis must not
# evict keys); without Redis it is a table in the database, created by coalition's migration 0006.
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "portal")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "coalition.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        },
        # Rendered rows of long lists (coalition/fragments.py), shared by every process.
        "fragments": {
            "BACKEND": "coalition.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-fragments",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",  # the table coalition/migrations/0006_cache_table.py creates
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # Past MAX_ENTRIES the table drops a third of its rows, live rate limits included: set it far away.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
        # A row's key is a digest of its content, so a per-process copy is never wrong; in the database each
        # cached row would cost a query.
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
    }

# Every signed-in request reads its session: from Redis when there is one (the database stays the record, so a
# restart of Redis logs nobody out, and logging out deletes both), from the database otherwise.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"

# --- Accounts (django-allauth) --------------------------------------------------------------

ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlparse(SITE_URL).scheme
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Behind a reverse proxy every visitor arrives from the proxy's address: the number of proxies that append to
# X-Forwarded-For, so the login limits and the journal's per-client limits count visitors, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_TOTP_ISSUER = SITE_NAME
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------------------

# Films load only after the visitor asks for them, and only from these privacy-friendly hosts.
FILM_HOSTS = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": FILM_HOSTS,
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# The browser features a page may use (coalition.middleware.PermissionsPolicyMiddleware; Django has no
# setting for this header). The portal uses none but what the film player asks for (static/js/journal.js).
# Only names Chromium (156, Linux) knows: an unknown one is a console warning on every page.
_DENIED_FEATURES = (
    "accelerometer", "camera", "clipboard-read", "display-capture", "encrypted-media", "gamepad", "geolocation",
    "gyroscope", "hid", "idle-detection", "local-fonts", "magnetometer", "microphone", "midi", "otp-credentials",
    "payment", "publickey-credentials-create", "publickey-credentials-get", "screen-wake-lock", "serial",
    "storage-access", "usb", "window-management", "xr-spatial-tracking",
)  # fmt: skip
PERMISSIONS_POLICY = {
    **{feature: [] for feature in _DENIED_FEATURES},
    **{feature: ["self", *FILM_HOSTS] for feature in ("autoplay", "fullscreen", "picture-in-picture")},
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
