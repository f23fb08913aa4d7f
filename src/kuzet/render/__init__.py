"""Image rendering and coding: JPEG encode/decode, box drawing, blurring.

One home for turning arrays into pictures and pictures into arrays, so perception,
privacy, events and the live view share the same code (and the same limits on what
a decoder accepts). Imports only ``kuzet.core``.
"""
