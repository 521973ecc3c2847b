FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    RELAY_VAR_DIR=/var/lib/relay STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# The translations' .mo files, compiled from the committed .po (pure Python: config/translations.py).
RUN python -m config.translations --all
# collectstatic needs settings but no database or secret of the deployment.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --home /app relay && mkdir -p /var/lib/relay && chown relay /var/lib/relay
USER relay
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
