"""`/api/caller_lists`: callers' numbers on the blacklist or the VIP list.

A blacklisted caller is refused (busy); a VIP goes ahead in the queue by the tenant's
`vip_priority`. A number is on one list at most. Supervisors and admins read; admins change.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from hotline.api.auth import Staff
from hotline.api.config_resources import config_router
from hotline.api.resources import NumberKey
from hotline.store import config_repo

router = config_router(
    tag="caller_lists",
    singular="caller_list_entry",
    repo=config_repo.caller_lists,
    key_name="number",
    key_type=NumberKey,
    readers=Staff,
)
