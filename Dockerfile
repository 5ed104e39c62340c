# syntax=docker/dockerfile:1
# --- the web app ----------------------------------------------------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- the service ----------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 OMP_THREAD_LIMIT=1 \
    DATA_DIR=/app/data MEDIA_ROOT=/app/data/media FRONTEND_DIST=/app/frontend/dist
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-por fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 evodash
WORKDIR /app
COPY pyproject.toml constraints.txt README.md alembic.ini ./
COPY backend/ backend/
RUN pip install --no-cache-dir -c constraints.txt -e .
COPY --from=frontend /src/frontend/dist frontend/dist
RUN mkdir -p /app/data && chown -R evodash /app/data
USER evodash
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["evodash", "run", "--host", "0.0.0.0", "--forwarded-allow-ips", "*"]
