"""`/api/dids`: the numbers carriers deliver to the tenant (DIDs, T1).

A DID belongs to one tenant: a number another tenant holds is a 409 (DIDs are unique across
tenants). It maps a dialled number to its tenant only; where the call goes in the tenant is
the business of the tenant's DNIS routes (`/api/dnis_routes`): the route of that number, or
the tenant's default IVR flow and default queue when it has none.

Supervisors and admins read; admins change. Refused changes change nothing: a bad value or an
unknown trunk is a 422 naming the field. Every change is in the audit log, and the running SIP
switch takes it at once (`telephony_changes`).
"""

from hotline.api.auth import Admin, Staff
from hotline.api.resources import NumberKey, not_found
from hotline.api.telephony_router import TelephonyDocs, delete_row, telephony_router
from hotline.store import telephony
from hotline.store.telephony_schemas import DidCreate, DidRead, DidReplace

router = telephony_router(
    tag="dids",
    singular="did",
    key_name="number",
    key_type=NumberKey,
    readers=Staff,
    writers=Admin,
    read_schema=DidRead,
    create_schema=DidCreate,
    replace_schema=DidReplace,
    rows=telephony.dids,
    row=telephony.did,
    read=telephony.did_read,
    create=telephony.create_did,
    replace=telephony.replace_did,
    delete=delete_row,
    missing=lambda number: not_found("DID", number),
    docs=TelephonyDocs(
        list_all="Every DID of the tenant, by number.",
        create="Take a number for the tenant.",
        get="One DID.",
        replace="Replace the DID's settings (`number` left out keeps the DID's).",
        delete="Give the number up.",
    ),
)
