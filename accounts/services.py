from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.languages import language_codes, language_is_offered
from accounts.models import Team, User
from accounts.roles import ROLE_GROUP_NAMES, ROLE_PERMISSIONS
from config.errors import ApplicationError


def role_groups_sync() -> None:
    """Create or update one group per role with exactly the permissions the role carries."""
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[role])
        query = Q(pk__in=[])
        for pattern in patterns:
            app_label, codename = pattern.split(".", 1)
            if codename == "*":
                query |= Q(content_type__app_label=app_label)
            elif codename.endswith("*"):
                query |= Q(content_type__app_label=app_label, codename__startswith=codename[:-1])
            else:
                query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give a user a role: the role field drives scope, the group carries model permissions."""
    if role not in User.Role.values:
        raise ValueError(f"Unknown role {role!r}; use one of {', '.join(User.Role.values)}.")
    group_names = list(ROLE_GROUP_NAMES.values())
    user.groups.remove(*Group.objects.filter(name__in=group_names))
    group, _ = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[role])
    user.groups.add(group)
    user.role = role
    user.is_staff = role == User.Role.ADMIN
    user.save(update_fields=["role", "is_staff"])
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    managed_teams: list[Team] | None = None,
) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    user_set_role(user=user, role=role)
    if managed_teams:
        user.managed_teams.set(managed_teams)
    return user


def user_language_set(*, user: User, language: str) -> User:
    """Save the language Relay speaks to ``user`` in: a code of ``settings.LANGUAGES``, or ""
    to follow the browser. Saves nothing when it is already the user's."""
    language = language.strip().lower()
    if language and not language_is_offered(language):
        raise ApplicationError(
            _("“%(language)s” is not a language Relay is offered in; use one of: %(codes)s.")
            % {"language": language, "codes": ", ".join(language_codes())},
            field="language",
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
