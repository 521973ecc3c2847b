"""scripts/backup-verify dumps PostgreSQL and the media folder, restores and compares."""

import subprocess
import tarfile
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_the_same_counts(
    needs_postgres, customer_a, customer_b, tmp_path
):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    media = tmp_path / "media"
    (media / "imports").mkdir(parents=True)
    (media / "imports" / "Account.csv").write_text("Id,Name\n")
    out = tmp_path / "backup"
    result = subprocess.run(
        [str(ROOT / "scripts" / "backup-verify"), url, str(media), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "restored and identical" in result.stdout
    assert (out / "relay.dump").stat().st_size > 0
    with tarfile.open(out / "media.tar.gz") as archive:
        assert "./imports/Account.csv" in archive.getnames()
