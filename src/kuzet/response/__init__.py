"""Alarm handling: alarms from alert-grade events, incidents, time limits and escalation.

An ``alert`` or ``critical`` event opens one alarm (its id is the event's id);
operators move it through ``new -> acknowledged -> dispatched -> on_scene ->
resolved`` (plus ``on_hold`` and ``skipped``); alarms group into incidents by
hand or by correlation rules. Every change is a history row and an audit record.
See ``docs/response.md``.
"""
