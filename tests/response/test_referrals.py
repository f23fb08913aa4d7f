"""Referrals: a `referred` verdict is verified (or rejected) by a second person, a supervisor."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from response_factories import ANA, BOB, SUE, FakeClock, make_event, open_service

from kuzet.privacy.audit import AuditQuery
from kuzet.response.actor import Actor
from kuzet.response.errors import ConflictError, ForbiddenError, ResponseError
from kuzet.response.planning import ActionRequest
from kuzet.response.referrals import ReferralQuery
from kuzet.response.service import ResponseService
from kuzet.response.states import Action, Verdict

MAX = Actor("max", "u-max", supervisor=True)


def _resolved(service: ResponseService, clock: FakeClock, alarm_id: str, verdict: Verdict,
              by: Actor = ANA, camera: str = "gate") -> str:
    clock.advance(1)
    service.open_alarm(make_event(alarm_id, camera_id=camera))
    service.act(alarm_id, ActionRequest(Action.ACKNOWLEDGE), by)
    service.act(alarm_id, ActionRequest(Action.RESOLVE, reason="offence record",
                                        verdict=verdict), by)
    return alarm_id


def test_second_person_verifies(service: ResponseService, clock: FakeClock) -> None:
    alarm = _resolved(service, clock, "ev-1", Verdict.REFERRED)
    (pending,) = service.referrals.of([alarm])
    assert (pending["state"], pending["referred_by"], pending["reason"]) == (
        "pending", "ana", "offence record")
    clock.advance(60)
    verified = service.referrals.decide(alarm, True, "plate and place match", SUE)
    assert (verified["state"], verified["checked_by"], verified["note"]) == (
        "verified", "sue", "plate and place match")
    history = service.alarms.history([alarm])
    assert history[-1].action == "verify_referral" and history[-1].to_state == "resolved"
    audited = service.audit.list(AuditQuery(action="alarm.verify_referral")).items
    assert [(r.actor, r.details["decision"], r.details["referred_by"]) for r in audited] == [
        ("sue", "verified", "ana")]


DENIED = [
    (SUE, SUE, ForbiddenError, "you referred alarm ev-1 yourself"),  # a supervisor who referred
    (ANA, ANA, ForbiddenError, "only a supervisor"),
    (ANA, BOB, ForbiddenError, "only a supervisor"),  # another operator: no permission
    # same user id under another name (a renamed account) is still the same person
    (ANA, Actor("ana-renamed", "u-ana", supervisor=True), ForbiddenError, "yourself"),
]  # fmt: skip


@pytest.mark.parametrize(("referrer", "checker", "error", "fragment"), DENIED)
def test_who_may_not_verify(service: ResponseService, clock: FakeClock, referrer: Actor,
                            checker: Actor, error: type[Exception], fragment: str) -> None:
    alarm = _resolved(service, clock, "ev-1", Verdict.REFERRED, referrer)
    with pytest.raises(error, match=fragment):
        service.referrals.decide(alarm, True, None, checker)
    assert service.referrals.of([alarm])[0]["state"] == "pending"


def test_not_a_referral_and_decided_once(service: ResponseService, clock: FakeClock) -> None:
    confirmed = _resolved(service, clock, "ev-1", Verdict.CONFIRMED)
    with pytest.raises(ConflictError, match="not a referral: it is resolved with the verdict "
                                            "confirmed"):
        service.referrals.decide(confirmed, True, None, SUE)
    clock.advance(1)
    service.open_alarm(make_event("ev-open"))
    with pytest.raises(ConflictError, match="not a referral: it is new"):
        service.referrals.decide("ev-open", True, None, SUE)
    alarm = _resolved(service, clock, "ev-2", Verdict.REFERRED)
    service.referrals.decide(alarm, False, "the face is not legible", SUE)
    with pytest.raises(ConflictError, match="already rejected by sue"):
        service.referrals.decide(alarm, True, None, MAX)


def test_two_supervisors_at_once_one_decides(tmp_path: Path) -> None:
    clock = FakeClock()
    store, service = open_service(tmp_path, clock=clock)
    _, other = open_service(tmp_path, clock=clock)  # a second engine on the same file
    alarm = _resolved(service, clock, "ev-1", Verdict.REFERRED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(svc: ResponseService, who: Actor, verified: bool) -> None:
        barrier.wait()
        try:
            outcomes.append(svc.referrals.decide(alarm, verified, "checked", who)["state"])
        except ResponseError as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=decide, args=(service, SUE, True)),
               threading.Thread(target=decide, args=(other, MAX, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "ConflictError" and len(outcomes) == 2
    decisions = [h for h in service.alarms.history([alarm]) if "referral" in h.action]
    assert len(decisions) == 1
    store.close()


def test_pages_by_state_and_scope(service: ResponseService, clock: FakeClock) -> None:
    pending = _resolved(service, clock, "ev-p", Verdict.REFERRED)
    verified = _resolved(service, clock, "ev-v", Verdict.REFERRED, camera="hall")
    rejected = _resolved(service, clock, "ev-r", Verdict.REFERRED)
    _resolved(service, clock, "ev-c", Verdict.CONFIRMED)
    service.referrals.decide(verified, True, None, SUE)
    service.referrals.decide(rejected, False, "not an offence", SUE)

    def ids(**query: object) -> list[str]:
        return [r["alarm_id"] for r in service.referrals.page(ReferralQuery(**query)).items]

    assert ids() == [rejected, verified, pending]
    assert ids(state="pending") == [pending]
    assert ids(state="verified") == [verified]
    assert ids(state="rejected") == [rejected]
    assert ids(cameras=["hall"]) == [verified]
    first = service.referrals.page(ReferralQuery(limit=2))
    assert first.next_cursor is not None
    rest = service.referrals.page(ReferralQuery(limit=2, cursor=first.next_cursor))
    assert [r["alarm_id"] for r in rest.items] == [pending] and rest.next_cursor is None
