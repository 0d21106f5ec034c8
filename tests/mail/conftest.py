"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, and an app that sends to it."""

import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.jobs import WatchedSender
from tests.ports import free_port


class Inbox:
    """What the SMTP server received; `refuse` makes it answer the next DATA with an error."""

    def __init__(self):
        self.messages = []
        self.refuse: list[str] = []  # replies for the next messages, e.g. "451 try later"
        self.refused = 0
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refused += 1
            return self.refuse.pop(0)
        with self._arrived:
            self.messages.append(
                (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
            )
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20):
        """Wait until `count` messages have arrived; return them."""
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.messages) >= count, timeout), (
                f"{len(self.messages)} of {count} messages arrived"
            )
        return self.messages


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def inbox(app, smtp_server):
    """Send the app's mail to the test SMTP server, retrying quickly."""
    controller, inbox = smtp_server
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_DEFAULT_SENDER="Cezanne HR <hr@example.com>",
        MAIL_RETRY_INTERVALS=[0.05, 0.05, 0.05],
        PUBLIC_BASE_URL="https://hr.example.com",
    )
    sender = app.extensions["lever_mail"] = WatchedSender(app)
    yield inbox
    sender.wait_idle()


def parts(message) -> tuple[str, str]:
    """Return the plain text and the HTML of a received message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html
