"""`/api/not_ready_reasons`: the reasons an agent may give for not being ready.

Every logged-in user reads them (the agent desktop offers them); admins change them.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from hotline.api.auth import AnyUser
from hotline.api.config_resources import config_router
from hotline.api.resources import NameKey
from hotline.store import config_repo

router = config_router(
    tag="not_ready_reasons",
    singular="not_ready_reason",
    repo=config_repo.not_ready_reasons,
    key_name="code",
    key_type=NameKey,
    readers=AnyUser,
)
