"""Composition root: builds each camera's pipeline from config and runs it.

- ``pipeline``: one camera's stages (motion -> regions -> detect -> track -> rules).
- ``detector_service``: detector processes shared by all cameras.
- ``camera_worker``: one process per camera (ingest + pipeline).
- ``supervisor``: starts, watches and restarts the processes; collects events.
"""
