FROM python:3.10-slim
WORKDIR /app
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps -e .
ENV TF_CPP_MIN_LOG_LEVEL=2
CMD ["bot", "run"]
