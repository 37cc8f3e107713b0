"""`/api/queues`: required skills, selection strategy, service-level goal, overflow.

Every logged-in user reads them (the agent desktop lists them); admins change them. Renaming
a queue renames it in overflows, DNIS routes and the tenant's routing.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from hotline.api.auth import AnyUser
from hotline.api.config_resources import config_router
from hotline.api.resources import NameKey
from hotline.store import config_repo

router = config_router(
    tag="queues",
    singular="queue",
    repo=config_repo.queues,
    key_name="name",
    key_type=NameKey,
    readers=AnyUser,
)
