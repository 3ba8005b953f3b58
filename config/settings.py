"""The one settings module. Everything that differs between machines comes from
environment variables; there are no per-environment forks."""

import os
import re
import secrets
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envaddresses(name: str) -> list[tuple[str, str]]:
    """`Name <a@example.org>, b@example.org` as [(name, address)]."""
    pairs = []
    for realname, address in getaddresses([os.environ.get(name, "")]):
        if not realname and not address:
            continue  # an empty item, e.g. after a trailing comma
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", address):
            raise ImproperlyConfigured(
                f"{name} must be e-mail addresses separated by commas, "
                'e.g. "Name <a@example.org>, b@example.org"'
            )
        pairs.append((realname or address, address))
    return pairs


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Serving with DEBUG off and no SECRET_KEY is refused at start-up (config/wsgi.py);
# one-off commands (calculate, import_plan, migrate…) sign nothing that outlives
# them, so they run on a throwaway key of their own.
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
SECRET_KEY_MESSAGE = (
    "SECRET_KEY must be set when DEBUG is off; generate one with "
    ".venv/bin/python -c 'from django.core.management.utils import "
    "get_random_secret_key; print(get_random_secret_key())'"
)
if SECRET_KEY_MISSING:
    SECRET_KEY = secrets.token_urlsafe(50)
elif not SECRET_KEY:
    # Development only (DEBUG on): a fixed key so sessions survive restarts.
    SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "ninja",  # the API docs page's Swagger UI from our own static files, not a CDN
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "methodologies",
    "projects",
    "reports",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside every middleware that can refuse a request: their refusals under /api/
    # are rewritten to the API's JSON error shape too.
    "projects.api.middleware.ApiJsonErrorsMiddleware",
    "config.request_context.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageOnlyMiddleware",
    "config.middleware.SmallFormsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "projects.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, for the test database: the browser tests' live server
    # answers concurrent requests, and only a file database waits for a lock.
    # Overlapping requests (a live preview and a save) wait for the write lock:
    # IMMEDIATE takes it when a transaction starts, so two readers never deadlock
    # upgrading to writers, and the timeout is how long to wait (default 5 s).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "projects:plan_list"
LOGOUT_REDIRECT_URL = "account_login"

# Accounts (django-allauth): sign-up with a confirmed e-mail address, sign-in by
# e-mail (or by the username the older accounts have), password reset by e-mail.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX = "[offset-plans] "
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_SESSION_REMEMBER = None
# Failed sign-ins: 10 per account (whichever name or address it is signed in
# by) within 15 minutes, then the account waits out the 15 minutes even with
# the right password; and 30 per client address within 15 minutes. Counted in
# the cache (CACHE_URL), so across workers only with a shared cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/15m/ip,10/15m/key",
    "login": "30/m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/h/ip,5/h/key",
    "confirm_email": "1/3m/key",
}
# Two-factor sign-in: TOTP with recovery codes, available to everyone.
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "offset-plans"
MFA_RECOVERY_CODE_COUNT = 10
# Required of reviewers, verifiers and site administrators before they can act
# (accounts.middleware.TwoFactorRequiredMiddleware); the demo (scripts/run.sh)
# turns it off so that its users sign in with their password alone.
REQUIRE_TWO_FACTOR_FOR_STAFF = envbool("REQUIRE_TWO_FACTOR_FOR_STAFF", "true")
# Each signed-in session is listed on /accounts/sessions/ and can be ended there
# (recorded at sign-in; not tracked on every request, which would write each time).
USERSESSIONS_TRACK_ACTIVITY = False
# Invitations to join an organisation stay valid this many days.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Sized for section 四 alone (config.middleware.SmallFormsMiddleware keeps Django's defaults
# for every other POST). The largest page is section 四 at the interchange limits (plan-format.md): 2 sides × 200 groups
# × (10 group fields + 120 months × 4 grid cells), 1,000 service-level rows × 6 and 1,000
# parameter notes × 7 fields, and under 100 others (plan form, refrigerants, management forms).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2 * 200 * (10 + 120 * 4) + 1_000 * (6 + 7) + 100  # 209,100
# Each of those fields at 64 bytes of name and value, and ten texts at the 20,000-character
# limit sent as percent-encoded CJK (9 bytes a character): about 15 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_NUMBER_FIELDS * 64 + 10 * 20_000 * 9

# One cache for every process: throttles (the public survey's answers per address)
# count across workers only with a shared cache such as Redis.
CACHE_URL = os.environ.get("CACHE_URL", "")  # e.g. redis://127.0.0.1:6379/1
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Behind a reverse proxy every request comes from the proxy: with this set, the
# client's address is taken from the proxy's X-Forwarded-For instead.
TRUST_X_FORWARDED_FOR = envbool("TRUST_X_FORWARDED_FOR", "false")
RATELIMIT_IP_META_KEY = "config.middleware.client_address"
# Requests per address (django-ratelimit rates) of the two calculators open to anyone:
# the API's POST /api/v1/calculate and the public calculator's live preview.
API_CALCULATE_RATE = "60/m"
CALCULATOR_PREVIEW_RATE = "120/m"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The interchange format's version and the GWP edition used when a plan names none.
DEFAULT_GWP_EDITION = "AR5"

# The credit registry's serial coding (projects/credits/services.py; README, "Credit
# registry"). Blank: the default, TW-{project}-{type}-{period_end:%Y%m%d}-{first:09d}-{last:09d}.
CREDIT_SERIAL_PATTERN = os.environ.get("CREDIT_SERIAL_PATTERN", "")
CREDIT_TYPE_CODE = os.environ.get("CREDIT_TYPE_CODE", "") or "VER"

# E-mail: printed to the console unless SMTP is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "true")
# Seconds to wait for the SMTP server, so a server that is down cannot hold a request.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "offset-plans@localhost")
# Error reports: ADMINS="Name <a@example.org>, b@example.org" get every 500 by
# e-mail (DEBUG off), sent from SERVER_EMAIL.
ADMINS = envaddresses("ADMINS")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Links in e-mails point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background jobs: a Celery worker over this broker (e.g. redis://127.0.0.1:6379/0)
# when set; otherwise exports run in a thread of the web process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Logging: warnings and errors (Django's INFO too with DEBUG on) to stderr, each
# line with the request it belongs to; Django's errors (500s) also to ADMINS.
LOG_LEVEL = "INFO" if DEBUG else "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "config.request_context.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "context": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_context)s] %(message)s",
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",  # stderr
            "level": LOG_LEVEL,
            "filters": ["request_context"],
            "formatter": "context",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "level": "INFO",
            "formatter": "django.server",
        },
        # Records of actions that leave no row behind (a deleted draft), always kept.
        "audit": {
            "class": "logging.StreamHandler",
            "level": "INFO",
            "filters": ["request_context"],
            "formatter": "context",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["mail_admins"] if ADMINS else [], "level": LOG_LEVEL},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "projects.audit": {"handlers": ["audit"], "level": "INFO", "propagate": False},
    },
}

# ---------------------------------------------------------------------------
# Production: static files, HTTPS, content security policy, storage, sessions.
# Kept in one block (the lists above are extended here, not edited) so that other
# changes to INSTALLED_APPS and MIDDLEWARE merge cleanly.
# ---------------------------------------------------------------------------
INSTALLED_APPS += ["csp"]  # django-csp's system checks
# Static files straight from gunicorn: WhiteNoise right after SecurityMiddleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    # Pages of signed-in users (plan data) are never stored by browsers or proxies.
    "config.middleware.NoStoreForSignedInMiddleware",
]

# HTTPS, on by default with DEBUG off. Behind a proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (the proxy must set that header to
# "https" and strip it from clients), or SECURE_SSL_REDIRECT=false if the proxy
# redirects itself. SECURE_COOKIES=false only for plain-HTTP test set-ups.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", str(not DEBUG))
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")

# Static files: hashed and compressed by collectstatic (CompressedManifest), so they
# can be cached for ever. STATIC_MANIFEST=false (pytest sets it) serves them unhashed
# without collectstatic.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "true")
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_MANIFEST

# Uploads (attachments, figures), stored PDFs and export ZIPs: on the local disk
# (MEDIA_ROOT) or, with STORAGE_BACKEND=s3, in an S3-compatible bucket shared by every
# instance. Every file goes through Django's storage API.


def s3_storage(environ) -> dict:
    """The S3-compatible storage named by AWS_* variables in `environ`."""
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": environ.get("AWS_LOCATION", ""),
            # Files are private (downloads go through views that check who may see
            # them): no public ACL, and a name in use is never overwritten.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = s3_storage(os.environ)
elif STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Sessions live in the database (Django's default backend, named here on purpose):
# every instance behind a load balancer reads the same ones. The cache (CACHE_URL)
# and with it django-ratelimit's counts are shared when CACHE_URL names Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
RATELIMIT_USE_CACHE = "default"

# Content security policy (django-csp 4): only the product's own files; no inline
# script or style (a template that needs one uses {{ request.csp_nonce }}).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Bootstrap draws its icons (the menu button, select arrows) as data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
