"""Event delivery: snapshots and optional MQTT."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class MqttConfig(KuzetModel):
    """Publish events to an MQTT broker on topic `kuzet/<camera>/events`."""

    host: str = Field(description="Broker host name.")
    port: int = Field(default=1883, ge=1, le=65535, description="Broker port.")
    username: str | None = Field(default=None, description="User name; `${ENV}` allowed.")
    password: str | None = Field(default=None, description="Password; use `${ENV}`.")
    topic_prefix: str = Field(default="kuzet", description="First topic level.")
    tls: bool = Field(default=False, description="Connect with TLS.")


class EventsConfig(KuzetModel):
    """How events are recorded and delivered."""

    snapshot_quality: int = Field(default=85, ge=10, le=100, description="JPEG quality.")
    snapshot_max_width: int = Field(
        default=1280, ge=160, description="Snapshots wider than this are scaled down."
    )
    mqtt: MqttConfig | None = Field(default=None, description="MQTT sink; null = off.")
