"""`/api/teams`: teams of agents and their supervisors.

Renaming a team moves its agents along. Supervisors and admins read; admins change.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from hotline.api.auth import Staff
from hotline.api.config_resources import config_router
from hotline.api.resources import NameKey
from hotline.store import config_repo

router = config_router(
    tag="teams",
    singular="team",
    repo=config_repo.teams,
    key_name="name",
    key_type=NameKey,
    readers=Staff,
)
