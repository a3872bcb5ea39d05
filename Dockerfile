# mockery as a sidecar: mount your specs read-only at /specs; state and recordings go to the /data volume;
# configure with MOCKERY_* variables (docs/sidecar.md).
# The redis extra is installed, so that --state redis://host:6379/0 works as is (docs/deploy.md); the fast
# extra (numpy) filters and sorts big collections on arrays; the otel extra sends spans when OTEL_EXPORTER_OTLP_*
# is set (docs/sidecar.md, Traces).
# BASE: any image with Python 3.11+ at /usr/local/bin (pip, useradd); the tests build a stand-in where no
# registry can be reached (tests/container/).
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/mockery
COPY pyproject.toml README.md ./
COPY mockery ./mockery
RUN pip install '.[redis,fast,otel]' \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin mockery \
    && mkdir /specs /data \
    && chown mockery:mockery /specs /data

# MOCKERY_URL_FILE: the server writes the URL it answers on there, and the health check reads it, so that
# the check follows the port whatever set it (--port, MOCKERY_PORT, 0 for any).
ENV MOCKERY_SPECS=/specs \
    MOCKERY_HOST=0.0.0.0 \
    MOCKERY_PORT=8000 \
    MOCKERY_LOG_FORMAT=json \
    MOCKERY_URL_FILE=/tmp/mockery.url

USER mockery
# Relative paths (--state sqlite:///state.db, mockery record --out spec.yaml) land on the writable volume.
WORKDIR /data
VOLUME ["/specs", "/data"]
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["mockery", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["mockery", "serve"]
