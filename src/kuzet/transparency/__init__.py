"""The public transparency report: aggregate counts per month, small counts suppressed.

See ``docs/transparency.md``. Nothing in it names or describes a person: only
counts grouped by configuration values (site types, event kinds, verdicts,
legal bases), and every count from 1 to ``k - 1`` is published as ``<k``.
"""
