"""Role predicates shared by every app's rules.py.

Each app declares its object permissions in its own rules.py with these predicates, and every view asks
`user.has_perm("<app>.<action>_<model>", obj)`: that is the one place answering "may this user do X".
"""

import rules

from accounts.enums import Role
from accounts.roles import has_role, user_roles

is_coordinator = rules.predicate(lambda user: has_role(user, Role.COORDINATOR), name="is_coordinator")
is_facilitator = rules.predicate(lambda user: has_role(user, Role.FACILITATOR), name="is_facilitator")
is_counselor = rules.predicate(lambda user: has_role(user, Role.COUNSELOR), name="is_counselor")
is_trainer = rules.predicate(lambda user: has_role(user, Role.TRAINER), name="is_trainer")
is_project_manager = rules.predicate(lambda user: has_role(user, Role.PROJECT_MANAGER), name="is_project_manager")
is_trainee = rules.predicate(lambda user: has_role(user, Role.TRAINEE), name="is_trainee")

rules.add_perm("accounts.view_own_home", rules.is_authenticated)
rules.add_perm("accounts.edit_own_profile", rules.is_authenticated)
# The Wagtail admin (accounts.middleware.AdminAccessMiddleware): coordinators only, whatever Django
# permissions a group might carry.
rules.add_perm("accounts.use_admin", is_coordinator)


@rules.predicate
def holds_only_the_trainee_role(user):
    roles = user_roles(user)
    return bool(roles) and roles <= {Role.TRAINEE}


# Only trainees delete themselves: staff accounts are closed by a coordinator, who hands over their work.
rules.add_perm("accounts.delete_own_account", holds_only_the_trainee_role)
