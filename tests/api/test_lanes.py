"""Request lanes: short handlers share the default lane, slow ones run beside it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from privault.app.bootstrap import Platform
from privault.core.errors import InvalidInput
from privault.interfaces.api import ApiConfig, create_app
from privault.interfaces.api.lanes import lanes, slow


class Echo(BaseModel):
    value: int


def _lane_app(threads: int, release: threading.Event, started: threading.Event) -> FastAPI:
    app = FastAPI(lifespan=lanes(threads))

    @app.post("/slow", response_model=Echo)
    @slow
    def slow_route(body: Echo) -> Echo:
        started.set()
        assert release.wait(10), "the test never released the slow handler"
        return body

    @app.get("/fast/{value}", response_model=Echo)
    def fast_route(value: int) -> Echo:
        return Echo(value=value)

    return app


@pytest.fixture
def gates() -> Iterator[tuple[threading.Event, threading.Event]]:
    release, started = threading.Event(), threading.Event()
    yield release, started
    release.set()  # never leave a handler blocked


def test_a_slow_handler_does_not_hold_up_the_default_lane(
    gates: tuple[threading.Event, threading.Event],
) -> None:
    release, started = gates
    with TestClient(_lane_app(1, release, started)) as client:
        answers: list[int] = []
        waiting = threading.Thread(
            target=lambda: answers.append(client.post("/slow", json={"value": 7}).json()["value"])
        )
        waiting.start()
        assert started.wait(10)
        # The one default-lane thread is free: the short request is answered
        # while the slow one still holds its own lane.
        assert client.get("/fast/3").json() == {"value": 3}
        assert answers == []
        release.set()
        waiting.join(10)
        assert answers == [7]


def test_a_slow_handler_keeps_its_validation(
    gates: tuple[threading.Event, threading.Event],
) -> None:
    release, started = gates
    release.set()
    with TestClient(_lane_app(1, release, started)) as client:
        assert client.post("/slow", json={"value": "seven"}).status_code == 422
        assert not started.is_set()
        schema = client.get("/openapi.json").json()
        body = schema["paths"]["/slow"]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": "#/components/schemas/Echo"}


@pytest.mark.parametrize("threads", [1, 3])
def test_the_default_lane_has_the_configured_threads(platform: Platform, threads: int) -> None:
    app = create_app(platform, ApiConfig(threads=threads), web=False)
    with TestClient(app) as client:
        tokens = client.portal.call(
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
        )
    assert tokens == threads


def test_fewer_than_one_thread_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 1 request thread"):
        lanes(0)
