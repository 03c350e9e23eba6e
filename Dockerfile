# hiyoko in HTTP mode (set SLACK_SIGNING_SECRET, leave SLACK_APP_TOKEN unset) or Socket Mode.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=3000
# A Japanese font, so the digest's chart is labelled in Japanese.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY app.py settings.py manifest.yml ./
COPY bot bot
COPY cli cli
COPY i18n i18n
COPY importing importing
COPY jobs jobs
COPY models models
COPY ops ops
COPY sheets sheets
COPY store store
RUN pip install --no-cache-dir . \
 && useradd --system --uid 10001 hiyoko
USER hiyoko

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"
CMD ["hiyoko", "run"]
