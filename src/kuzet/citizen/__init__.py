"""Citizen reports: the public intake, its abuse limits, and the link into the alarm queue.

A report is checked (rate limits per address and device, a proof of work, upload
limits, duplicates) before anything is stored; an accepted one is a
``citizen_report`` event whose alarm opens in the operators' queue with the
cameras near the reported place. See ``docs/citizen.md``.
"""
