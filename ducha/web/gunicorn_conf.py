"""gunicorn's settings under `ducha serve` (web/serve.py passes bind, workers and threads on
the command line). Read by gunicorn's arbiter before Django is set up."""

import os

from ducha.core.logs import logging_config

wsgi_app = "ducha.wsgi:application"
worker_class = "gthread"
# Threads: a long request (an export or the summary report written inline) holds one thread. A
# worker process whose main loop stops answering for this long is restarted.
timeout = 120
graceful_timeout = 30
# No access log of gunicorn's: Ducha writes its own line per request (web/request_log.py).
accesslog = None
# gunicorn's own records (start, workers booted and stopped) in Ducha's format on standard error.
logconfig_dict = logging_config(
    format=os.environ.get("DUCHA_LOG_FORMAT", "json"), level=os.environ.get("DUCHA_LOG_LEVEL", "WARNING")
)
logconfig_dict["loggers"] |= {
    "gunicorn.error": {"level": "INFO", "propagate": True},
    "gunicorn.access": {"level": "INFO", "propagate": False},
}
# gunicorn's control socket (one path per user, ~/.gunicorn) is not used: two servers would share it.
control_socket_disable = True
# Whether a request came over HTTPS is Django's to decide, from X-Forwarded-Proto only when
# DUCHA_BEHIND_PROXY says a proxy sets it (settings.SECURE_PROXY_SSL_HEADER): gunicorn, which
# would believe it from any local process, does not rewrite the scheme.
secure_scheme_headers: dict[str, str] = {}
