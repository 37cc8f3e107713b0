"""What a transfer from an agent's phone means to the core (RFC 3515 REFER, a blind transfer).

The user part of the Refer-To URI is what the agent keyed; it names, in this order: an
extension of the tenant (the transfer goes to its agent), a queue by name, a DID with a DNIS
route (its flow, else its queue), and otherwise an outside number, which the agent's own
extension's dial class must allow (T10). The answer is the core event the desktop's transfer
would send, or why there is none.
"""

from __future__ import annotations

from hotline.core.events import AgentTransferred, AgentTransferredOut
from hotline.core.model import Tenant
from hotline.switch.b2bua.directory import Directory
from hotline.switch.sip.address import NameAddress
from hotline.switch.sip.uri import SipUri


def phone_transfer_event(tenant: Tenant, directory: Directory, interaction_id: str,
                         agent_id: str, target: NameAddress
                         ) -> AgentTransferred | AgentTransferredOut | str:
    """The event for agent `agent_id` transferring `interaction_id` to `target`, or a
    sentence saying why it cannot be done."""
    uri = target.uri
    if not isinstance(uri, SipUri) or not uri.user:
        return f"cannot transfer to {str(uri)[:60]!r}: a sip: URI with a user part is needed"
    if any(name.lower() == "replaces" for name, _ in uri.headers):
        return "attended transfer from the phone is not supported: use the desktop's consult"
    number = uri.user
    extension = directory.extension_by_number(tenant.name, number)
    if extension is not None and extension.agent_id is not None:
        return AgentTransferred(interaction_id, agent_id, to_agent=extension.agent_id)
    if any(queue.name == number for queue in tenant.queues):
        return AgentTransferred(interaction_id, agent_id, queue=number)
    if number in tenant.dnis_flows:
        return AgentTransferred(interaction_id, agent_id, flow=tenant.dnis_flows[number])
    if number in tenant.dnis_routes:
        return AgentTransferred(interaction_id, agent_id, queue=tenant.dnis_routes[number])
    mine = directory.extension_of_agent(tenant.name, agent_id)
    if mine is None:
        return "the agent has no extension"
    refusal = directory.may_dial(mine, number)
    if refusal is not None:
        return refusal
    return AgentTransferredOut(interaction_id, agent_id, number)
