"""Django settings. Every deployment choice comes from the environment; the defaults are the
embedded demo: SQLite in ./var, the task queue in SQLite, e-mail to the console."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SHARINGCITY_VAR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("SHARINGCITY_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("SHARINGCITY_SECRET_KEY", "insecure-demo-key-change-me-in-production")
ALLOWED_HOSTS = os.environ.get("SHARINGCITY_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "sharingcity.core",
    "sharingcity.voice",
    "sharingcity.plans",
    "sharingcity.budgeting",
    "sharingcity.sharing",
    "sharingcity.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sharingcity.core.http.ApiErrorShapeMiddleware",
]

ROOT_URLCONF = "sharingcity.urls"
WSGI_APPLICATION = "sharingcity.wsgi.application"

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
                "sharingcity.core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sharingcity.sqlite3'}"),
        conn_max_age=int(os.environ.get("SHARINGCITY_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file; IMMEDIATE
    # transactions serialise writers up front instead of failing at commit (no lost writes).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("SHARINGCITY_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = os.environ.get(
    "SHARINGCITY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SHARINGCITY_FROM_EMAIL", "noreply@sharing.city")

# The task queue: SQLite needs no extra server; Redis in production when REDIS_URL is set.
_redis_url = os.environ.get("REDIS_URL")
HUEY = {
    "name": "sharingcity",
    # Tests run tasks inline (pytest sets PYTEST_VERSION); so can a deployment that wants to.
    "immediate": os.environ.get("SHARINGCITY_TASKS_IMMEDIATE", "0") == "1" or "PYTEST_VERSION" in os.environ,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if _redis_url:
    HUEY |= {"huey_class": "huey.RedisHuey", "url": _redis_url}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")}

# The cache is shared by the web processes and the task consumer, so work a periodic task does
# (the pre-rendered dashboard) is seen by every visitor: Redis when REDIS_URL is set, otherwise
# files under VAR_DIR (no extra server). Tests keep a per-process memory cache.
if "PYTEST_VERSION" in os.environ:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif _redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Verification methods a deployment offers (dotted paths of VerificationMethod classes).
SHARINGCITY_VERIFICATION_METHODS = [
    "sharingcity.core.verification.CensusRecordVerification",
    "sharingcity.core.verification.InPersonVerification",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHARINGCITY_LOG_LEVEL", "WARNING")},
}
