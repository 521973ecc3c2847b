from celery import shared_task

from accounts.models import User
from accounts.services import role_groups_sync


@shared_task(
    bind=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def role_groups_sync_task(self) -> dict[str, int]:
    """Bring the role groups' permissions up to date (idempotent: a second run changes nothing)."""
    role_groups_sync()
    return {role: User.objects.filter(role=role).count() for role in User.Role.values}
