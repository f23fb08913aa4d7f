"""Licence plates: localisation, recognition, plate formats, voting over tracks."""
