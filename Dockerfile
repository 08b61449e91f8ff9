# One image for every part; docker-compose.yml picks the part with the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY catalog catalog
COPY handlers handlers
COPY keyboards keyboards
COPY inference inference
COPY storage storage
COPY locales locales
COPY jobs jobs
COPY panel panel
COPY scheduler scheduler
COPY suggestions suggestions
COPY cli cli
COPY settings settings
COPY runtime runtime
RUN pip install torch==2.13.0 && pip install .
RUN python -m inference.segmentation.fetch_u2netp /app/var/models
ENV MODELS_DIR=/app/var/models
ENTRYPOINT ["vitrina"]
