# The production image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1

WORKDIR /app
RUN pip install --no-cache-dir "uv>=0.9,<1"
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python python3.11
COPY . .
RUN mkdir -p var && useradd --system --home /app saypro && chown -R saypro /app/var
USER saypro
EXPOSE 8000
CMD ["bash", "scripts/web.sh"]
