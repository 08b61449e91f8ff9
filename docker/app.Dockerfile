# The bot and the admin panel: Python 3.11 and pyproject.toml's base dependencies only, no
# torch, diffusers or CUDA. docker-compose.yml picks the part with the command and gives each
# its own health check, so the image declares none.

FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=wheel /wheels /tmp/wheels
RUN pip install /tmp/wheels/vitrina-*.whl && rm -rf /tmp/wheels
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/vitrina vitrina
USER vitrina
WORKDIR /home/vitrina
ENTRYPOINT ["vitrina"]
