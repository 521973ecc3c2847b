from django.contrib.auth.models import Group

from accounts.roles import ROLE_GROUP_NAMES
from accounts.tasks import role_groups_sync_task


def test_task_round_trips_through_a_real_worker(celery_worker_process, manager_a):
    group = Group.objects.get(name=ROLE_GROUP_NAMES["sales_manager"])
    group.permissions.clear()

    result = role_groups_sync_task.delay().get(timeout=60)

    assert result["sales_manager"] == 1
    assert group.permissions.filter(codename="view_salesrep").exists()
