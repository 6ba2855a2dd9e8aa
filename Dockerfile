# Belsendi: slim Python, pinned dependencies in their own cached layer, catalogs compiled at build,
# a non-root user, the SQLite database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the pins change. The tzdata package among
# them carries Kazakhstan's single UTC+5 zone, whatever the base image's own zone data says.
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

# In webhook mode /healthz must answer (it checks the database); in polling mode there is no port to
# probe and the check passes while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]

# SIGTERM lets updates being handled finish (up to 60 s) before the process exits.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
