"""`/api/agents`: agents, their id (what they log in as on the CTI API), team and skills.

Supervisors and admins read; admins change. A new id follows into the team they supervise.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from hotline.api.auth import Staff
from hotline.api.config_resources import config_router
from hotline.api.resources import NameKey
from hotline.store import config_repo

router = config_router(
    tag="agents",
    singular="agent",
    repo=config_repo.agents,
    key_name="agent_id",
    key_type=NameKey,
    readers=Staff,
)
