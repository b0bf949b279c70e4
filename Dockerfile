FROM python:3.10-slim
WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps -e .
# Runs as an unprivileged user; the model and state folders are its own (named volumes take this ownership).
RUN useradd --system --home-dir /app bot \
    && mkdir -p /models /var/lib/bot \
    && chown -R bot /app /models /var/lib/bot
USER bot
ENV TF_CPP_MIN_LOG_LEVEL=2 PYTHONUNBUFFERED=1
# The single-machine default; docker-compose.yml runs one role per service (python -m bot.deploy ROLE).
CMD ["bot", "run"]
