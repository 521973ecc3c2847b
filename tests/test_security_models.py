"""Stored model artifacts are signed; an unsigned or altered one is refused before it is
unpickled, so writing the table is not a way to run code in the worker."""

import os
import pickle

import pytest
from django.test import override_settings

from retention.models import RiskModel
from retention.risk import artifacts, services
from retention.scoring import model as scoring_model

pytestmark = pytest.mark.django_db


class _RunsCodeWhenUnpickled:
    """What an attacker would store: unpickling it creates a file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _stored_model(version: str, artifact: bytes) -> RiskModel:
    return RiskModel.objects.create(
        version=version, kind=RiskModel.Kind.TRAINED, features=["x"], artifact=artifact
    )


def test_a_signed_artifact_round_trips():
    payload = scoring_model.dumps({"estimator": None, "features": ["x"], "reference": {}})
    stored = artifacts.sign(payload)
    assert stored != payload
    assert artifacts.verify(memoryview(stored)) == payload


def test_an_altered_artifact_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    genuine = artifacts.sign(scoring_model.dumps({"features": ["x"]}))
    header = len(artifacts.MAGIC) + 32
    tampered = genuine[:header] + pickle.dumps(_RunsCodeWhenUnpickled(str(marker)))
    model = _stored_model("tampered", tampered)

    with pytest.raises(artifacts.ArtifactRefused, match="altered"):
        services.scorer_for(model)
    assert not marker.exists()


def test_an_unsigned_artifact_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    model = _stored_model("unsigned", pickle.dumps(_RunsCodeWhenUnpickled(str(marker))))

    with pytest.raises(artifacts.ArtifactRefused, match="not signed"):
        services.scorer_for(model)
    assert not marker.exists()


def test_an_artifact_signed_with_another_key_is_refused():
    with override_settings(RELAY_MODEL_SIGNING_KEY="the-old-key"):
        stored = artifacts.sign(b"payload")
    with (
        override_settings(RELAY_MODEL_SIGNING_KEY="the-new-key"),
        pytest.raises(artifacts.ArtifactRefused),
    ):
        artifacts.verify(stored)


def test_without_a_signing_key_one_derived_from_the_secret_key_is_used(settings):
    settings.RELAY_MODEL_SIGNING_KEY = ""
    stored = artifacts.sign(b"payload")
    assert artifacts.verify(stored) == b"payload"
    settings.SECRET_KEY = "another-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    with pytest.raises(artifacts.ArtifactRefused):
        artifacts.verify(stored)
