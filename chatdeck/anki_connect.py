"""A small client for AnkiConnect, the add-on that lets programs act on a running Anki desktop
(add-on 2055492159, API version 6): JSON over HTTP on `http://127.0.0.1:8765`.

Every failure becomes an `AnkiConnectError` whose message is one line saying which of these it
is: Anki not running (or the add-on missing), the add-on too old, the API key refused, an action
refused, or Anki gone in the middle. The standard library's urllib does the HTTP: one request at
a time, which is also all the add-on serves (it runs every action on Anki's main thread).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8765"
API_VERSION = 6
#: Where the API key comes from when --anki-connect-key is not given.
KEY_VARIABLE = "ANKI_CONNECT_KEY"
#: Seconds to wait for an answer: most actions, and an import or a sync (a large deck takes a
#: while, and Anki answers only when it is done).
TIMEOUT = 60.0
LONG_TIMEOUT = 1800.0
#: The add-on's answer to a missing or wrong key (plugin/__init__.py, `handler`).
KEY_REFUSED = "valid api key must be provided"
UNSUPPORTED = "unsupported action"
ADDON = "AnkiConnect (add-on 2055492159)"


class Failure(StrEnum):
    NOT_RUNNING = "not running"
    TOO_OLD = "too old"
    KEY = "key refused"
    REFUSED = "refused"
    DROPPED = "dropped"
    NOT_ANKICONNECT = "not AnkiConnect"


class AnkiConnectError(Exception):
    """One line for the user; `failure` says which kind of failure it is."""

    def __init__(self, message: str, failure: Failure, action: str = "") -> None:
        super().__init__(message)
        self.failure = failure
        self.action = action


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    params: dict[str, Any]


class AnkiConnect:
    """`invoke("findNotes", query=...)` returns the action's result or raises
    `AnkiConnectError`. `check()` first: it says whether Anki answers and is new enough."""

    def __init__(self, url: str = DEFAULT_URL, key: str | None = None) -> None:
        self.url = url
        self.key = key or None
        #: Requests made and bytes sent, for reports and benchmarks.
        self.requests = 0
        self.sent_bytes = 0

    def check(self) -> int:
        """The add-on's API version; raises unless Anki answers with version 6 or later."""
        version = self.invoke("version")
        if not isinstance(version, int) or version < API_VERSION:
            raise AnkiConnectError(
                f"{ADDON} at {self.url} is too old (API version {version}, chatdeck needs "
                f"{API_VERSION}): update it in Anki with Tools > Add-ons > Check for Updates",
                Failure.TOO_OLD,
                "version",
            )
        return version

    def invoke(self, action: str, timeout: float = TIMEOUT, **params: Any) -> Any:
        reply = self._post(self._request(action, params), action, timeout)
        return self._result(reply, action)

    def multi(self, actions: Sequence[Action], timeout: float = TIMEOUT) -> list[Any]:
        """Several actions in one request (the add-on runs them one after another); each
        result, in order. The first action that fails raises."""
        if not actions:
            return []
        inner = [self._request(action.name, action.params) for action in actions]
        replies = self.invoke("multi", timeout=timeout, actions=inner)
        if not isinstance(replies, list) or len(replies) != len(actions):
            raise self._not_ankiconnect("multi")
        return [
            self._result(reply, action.name) for reply, action in zip(replies, actions, strict=True)
        ]

    def _request(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = {"action": action, "version": API_VERSION, "params": params}
        if self.key is not None:
            request["key"] = self.key
        return request

    def _post(self, request: dict[str, Any], action: str, timeout: float) -> Any:
        # The HTTP modules are imported when a request is made: every build imports this
        # module (for --push's options), and http.client is a large part of start-up.
        import http.client
        import urllib.error
        import urllib.request

        data = json.dumps(request, ensure_ascii=False).encode("utf-8")
        self.requests += 1
        self.sent_bytes += len(data)
        http_request = urllib.request.Request(
            self.url, data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(http_request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise AnkiConnectError(
                f"{self.url} answered HTTP {error.code} {error.reason} to {action}: is that "
                f"{ADDON}? (it answers 403 to a web page it does not trust)",
                Failure.NOT_ANKICONNECT,
                action,
            ) from None
        except urllib.error.URLError as error:
            raise self._unreachable(error.reason, action) from None
        except TimeoutError:
            raise AnkiConnectError(
                f"Anki did not answer {action} within {timeout:.0f} s at {self.url} (is a "
                "dialog open in Anki, or is it busy?)",
                Failure.DROPPED,
                action,
            ) from None
        except (http.client.HTTPException, ConnectionError, OSError) as error:
            raise self._unreachable(error, action) from None
        try:
            return json.loads(body)
        except ValueError:
            raise self._not_ankiconnect(action) from None

    def _unreachable(self, reason: object, action: str) -> AnkiConnectError:
        import http.client  # as in `_post`
        import socket

        if isinstance(reason, ConnectionRefusedError):
            return AnkiConnectError(
                f"Anki is not running, or {ADDON} is not installed in it: nothing answers at "
                f"{self.url}",
                Failure.NOT_RUNNING,
                action,
            )
        if isinstance(reason, TimeoutError):
            return AnkiConnectError(
                f"Anki did not answer {action} in time at {self.url} (is a dialog open in Anki?)",
                Failure.DROPPED,
                action,
            )
        if isinstance(reason, socket.gaierror):
            return AnkiConnectError(
                f"cannot find the host of {self.url}: {reason.strerror}",
                Failure.NOT_RUNNING,
                action,
            )
        if isinstance(reason, (http.client.HTTPException, ConnectionError)):
            return AnkiConnectError(
                f"Anki stopped answering during {action} (was it closed?) at {self.url}",
                Failure.DROPPED,
                action,
            )
        detail = getattr(reason, "strerror", None) or str(reason)
        return AnkiConnectError(
            f"cannot reach Anki at {self.url}: {detail}", Failure.NOT_RUNNING, action
        )

    def _not_ankiconnect(self, action: str) -> AnkiConnectError:
        return AnkiConnectError(
            f"{self.url} does not answer like {ADDON} (its reply to {action} is not AnkiConnect's)",
            Failure.NOT_ANKICONNECT,
            action,
        )

    def _result(self, reply: Any, action: str) -> Any:
        if not isinstance(reply, dict) or set(reply) != {"result", "error"}:
            if action == "version" and isinstance(reply, int):
                return reply  # an add-on older than API version 5 answers with the bare value
            raise self._not_ankiconnect(action)
        error = reply["error"]
        if error is None:
            return reply["result"]
        message = str(error)
        if message == KEY_REFUSED:
            if self.key is None:
                text = (
                    f"{ADDON} needs an API key: pass --anki-connect-key KEY or set "
                    f"{KEY_VARIABLE} (the apiKey in Anki's Tools > Add-ons > AnkiConnect > Config)"
                )
            else:
                text = (
                    f"{ADDON} refused the API key: give the apiKey set in Anki's Tools > "
                    f"Add-ons > AnkiConnect > Config (--anki-connect-key or {KEY_VARIABLE}), or "
                    "none if it sets none"
                )
            raise AnkiConnectError(text, Failure.KEY, action)
        if message == UNSUPPORTED:
            raise AnkiConnectError(
                f"{ADDON} does not know the action {action}: update it in Anki with Tools > "
                "Add-ons > Check for Updates",
                Failure.TOO_OLD,
                action,
            )
        raise AnkiConnectError(
            f"Anki refused {action}: {' '.join(message.split())}", Failure.REFUSED, action
        )


def search_text(text: str) -> str:
    """`text` inside a quoted Anki search term, matched literally: `\\`, `"`, `*` and `_` are
    escaped as Anki's own search builder does; a line break, which Anki's search cannot hold,
    becomes `_` (any one character)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*").replace("_", "\\_")
    for control in "\r\n\t\v\f":
        text = text.replace(control, "_")
    return text


def deck_search(deck: str) -> str:
    """The cards of exactly this deck (not its sub-decks), as an Anki search."""
    name = search_text(deck)
    return f'"deck:{name}" -"deck:{name}::*"'


def ids_search(kind: str, ids: Sequence[int]) -> str:
    """`nid:1,2,3` or `cid:...`."""
    return f"{kind}:{','.join(str(int(i)) for i in ids)}"
