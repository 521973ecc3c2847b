import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] is True
    assert body["broker"] is True
    assert response.status_code == 200
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_says_unavailable_when_the_broker_does_not_answer(client, settings):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "broker": False}
