"""Which message bus carries camera output (issue 21)."""

from typing import Literal

from pydantic import Field

from kuzet.config.base import KuzetModel


class BusConfig(KuzetModel):
    """The message plane: in-process (default) or NATS JetStream between machines."""

    kind: Literal["embedded", "nats"] = Field(
        default="embedded",
        description="`embedded`: an in-process bus, one machine. `nats`: NATS JetStream; "
        "events, health, counts and plate reads go to subjects "
        "`kuzet.<site>.<camera>.<kind>` and a durable consumer writes them to the store.",
    )
    url: str = Field(
        default="nats://127.0.0.1:4222",
        description="NATS server URL(s), comma-separated (`nats://host:4222`); "
        "used when `kind: nats`.",
    )
    stream: str = Field(
        default="KUZET", pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="JetStream stream holding the `kuzet.>` subjects (created if missing).",
    )
    max_age: float = Field(
        default=86400.0, gt=0,
        description="Seconds JetStream keeps a message (the replay window of a consumer "
        "that was down).",
    )
    ack_wait: float = Field(
        default=30.0, gt=0, le=3600,
        description="Seconds before an unacknowledged message is delivered again.",
    )
