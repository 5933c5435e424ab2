# One image for every app; the command chooses which (`asn serve kinerja`, `asn migrate gateway`, ...).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md alembic.ini constraints.txt ./
COPY services ./services
COPY gateway ./gateway
COPY asn_cli ./asn_cli
COPY migrations ./migrations
# Editable, so the code runs from /app: Alembic finds alembic.ini and migrations/ beside the packages
# (services.common.db.REPO_ROOT), which a plain site-packages install would not ship.
# -c constraints.txt: the versions the tests and benchmarks ran with.
RUN pip install -e . -c constraints.txt \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin asn \
    && mkdir -p /data \
    && chown asn /data

USER asn
EXPOSE 8000 8001 8002 8003
CMD ["asn", "--help"]
