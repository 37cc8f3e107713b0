"""`/api/trunks`: the tenant's SIP trunks to carriers (T1).

Supervisors and admins read; admins change. The carrier password is stored (outbound digest
authentication needs it every time) but never returned: reads say `has_password`. A trunk's
`sources` are trusted as the carrier: calls from them need no digest, so no address may be
trusted by two trunks (409).

Refused changes change nothing: a bad value is a 422 naming the field, a name or source already
taken or a trunk still used by DIDs a 409. Every change is in the audit log (never the
password), and the running SIP switch takes it at once (`telephony_changes`).
"""

from hotline.api.auth import Admin, Staff
from hotline.api.resources import NameKey, not_found
from hotline.api.telephony_router import TelephonyDocs, telephony_router
from hotline.store import telephony
from hotline.store.telephony_schemas import TrunkCreate, TrunkRead, TrunkReplace

router = telephony_router(
    tag="trunks",
    singular="trunk",
    key_name="name",
    key_type=NameKey,
    readers=Staff,
    writers=Admin,
    read_schema=TrunkRead,  # `has_password`, never the password
    create_schema=TrunkCreate,
    replace_schema=TrunkReplace,
    rows=telephony.trunks,
    row=telephony.trunk,
    read=telephony.trunk_read,
    create=telephony.create_trunk,
    replace=telephony.replace_trunk,
    delete=telephony.delete_trunk,  # refused while DIDs name the trunk
    missing=lambda name: not_found("trunk", repr(name)),
    docs=TelephonyDocs(
        list_all="Every trunk of the tenant, by name.",
        create="Add a trunk.",
        get="One trunk.",
        replace="Replace the trunk's settings (those left out take their defaults; `name` left "
                "out\nkeeps the trunk's, `password` left out keeps the stored one and null "
                "removes it).",
        delete="Remove a trunk that no DID names any more.",
    ),
)
