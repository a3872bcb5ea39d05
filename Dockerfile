# mockery as a sidecar: mount your specs at /specs; configure with MOCKERY_* variables (docs/sidecar.md).
# The redis extra is installed, so that --state redis://host:6379/0 works as is (docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/mockery
COPY pyproject.toml README.md ./
COPY mockery ./mockery
RUN pip install '.[redis]' \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin mockery \
    && mkdir /specs \
    && chown mockery:mockery /specs

ENV MOCKERY_SPECS=/specs \
    MOCKERY_HOST=0.0.0.0 \
    MOCKERY_PORT=8000 \
    MOCKERY_LOG_FORMAT=json

USER mockery
WORKDIR /specs
VOLUME ["/specs"]
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["mockery", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["mockery", "serve"]
