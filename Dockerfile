# Belsendi: slim Python, pinned dependencies in their own cached layer, catalogs compiled at build,
# a non-root user, the SQLite database on a volume.
# A pinned release of Python and Debian, so that a rebuild gets the same base; move it on to the next
# 3.11.x patch release deliberately.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the pins change. The tzdata package among
# them carries Kazakhstan's single UTC+5 zone, whatever the base image's own zone data says; asyncpg
# (the postgres extra) lets the same image run on PostgreSQL.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY alembic.ini babel.cfg ./
COPY locales ./locales
COPY storage ./storage
COPY handlers ./handlers
COPY bot ./bot
RUN pybabel compile -d locales -D messages \
    && useradd --create-home --uid 10001 belsendi \
    && mkdir -p data \
    && chown belsendi:belsendi data

USER belsendi
VOLUME ["/app/data"]
# Webhook mode listens here (WEBHOOK_PORT); polling mode needs no port.
EXPOSE 8080

# In webhook mode /healthz must answer (it checks the database). In polling mode the poller's
# heartbeat file (HEARTBEAT_FILE, data/heartbeat) must be younger than HEARTBEAT_MAX_AGE (120 s); there
# is none until the first answer from Telegram (a long poll takes up to 25 s), which the start period
# covers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

# SIGTERM lets updates being handled finish (up to 60 s) before the process exits: give it 70 s
# (docker run --stop-timeout 70, compose's stop_grace_period: 70s); Docker's default is 10 s.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
