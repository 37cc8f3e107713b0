"""A prompt changed through `/api/prompts` is what the SIP switch plays on the next call, on
both databases: the API tells `app.state.prompt_listeners` the tenant after each committed
change, and the switch drops that tenant's renderers (and only that tenant's)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hotline.prompts.renderer import PromptNotFound
from hotline.runtime import Runtime
from hotline.telephony import Switch, SwitchOptions
from tests.unit.prompts.wavs import tone_wav

WAV = {"Content-Type": "audio/wav"}
WELCOME = (("prompt", "welcome"),)


@pytest.fixture
def switch(app: FastAPI, engine: Engine) -> Switch:
    """A switch on the API's database, not started (no SIP or RTP port is bound), listening
    to prompt changes as `hotline serve` wires it."""
    switch = Switch(engine, Runtime(), SwitchOptions(sip_port=0, recordings_root=None))
    app.state.prompt_listeners.append(switch.prompts_changed)
    return switch


def seconds(switch: Switch, tenant: str = "acme") -> float:
    """How long the switch's next call to `tenant` plays the prompt `welcome` in zh."""
    return switch.renderer(tenant, "zh").render(WELCOME, "zh").duration


def test_a_replaced_prompt_is_heard_on_the_next_call(admin: TestClient, switch: Switch) -> None:
    assert admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=1.0),
                     headers=WAV).status_code == 201
    assert seconds(switch) == pytest.approx(1.0, abs=0.01)
    assert switch.renderer("acme", "zh") is switch.renderer("acme", "zh")  # kept between calls

    assert admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=2.0),
                     headers=WAV).status_code == 200
    assert seconds(switch) == pytest.approx(2.0, abs=0.01)


def test_a_new_and_a_deleted_prompt_are_heard_on_the_next_call(
        admin: TestClient, switch: Switch) -> None:
    with pytest.raises(PromptNotFound):
        seconds(switch)
    assert admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=1.5),
                     headers=WAV).status_code == 201
    assert seconds(switch) == pytest.approx(1.5, abs=0.01)

    assert admin.delete("/api/prompts/zh/welcome").status_code == 204
    with pytest.raises(PromptNotFound):
        seconds(switch)


def test_a_change_drops_only_its_tenants_renderers(
        admin: TestClient, other_admin: TestClient, switch: Switch) -> None:
    other_admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=1.0), headers=WAV)
    globex = switch.renderer("globex", "zh")
    acme = switch.renderer("acme", "zh")

    admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=2.0), headers=WAV)
    assert switch.renderer("globex", "zh") is globex
    assert switch.renderer("acme", "zh") is not acme
    assert seconds(switch, "globex") == pytest.approx(1.0, abs=0.01)
    assert seconds(switch) == pytest.approx(2.0, abs=0.01)


def test_a_failing_listener_leaves_the_change_committed(
        app: FastAPI, admin: TestClient, switch: Switch) -> None:
    def broken(tenant: str) -> None:
        raise RuntimeError("switch is down")

    app.state.prompt_listeners.insert(0, broken)
    assert admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=1.0),
                     headers=WAV).status_code == 201
    assert admin.get("/api/prompts/zh/welcome").status_code == 200
    assert seconds(switch) == pytest.approx(1.0, abs=0.01)  # the listeners after it still ran
