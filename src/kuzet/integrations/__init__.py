"""Integrations: signed webhooks and MQTT topics of alarm, incident and escalation changes.

:class:`~kuzet.integrations.notifier.Notifier` subscribes to
``ResponseService.updates`` and hands each change to the webhook queue (a table
in the store, delivered by one thread per endpoint with retries and a dead-letter
list) and the MQTT publisher. See ``docs/integrations.md``.
"""
