"""Liveness probe; never behind authentication."""

from __future__ import annotations

from fastapi import APIRouter

from kuzet.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    """The process is up and serving requests."""
    return HealthOut()
