"""Procedures on incidents: branches, required steps blocking close, skips that notify the
supervisors, notes, version pinning, and every step in the audit hash chain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from response_factories import ANA, BOB, SUE, FakeClock, make_event, open_service

from kuzet.config.load import load_config_text
from kuzet.config.response import CorrelationRule, Priority, ResponseConfig
from kuzet.privacy.audit import AuditQuery
from kuzet.privacy.audit_verify import verify_audit
from kuzet.response.errors import ConflictError, InvalidError, NotFoundError
from kuzet.response.incidents import NewIncident
from kuzet.response.notices import NoticeQuery
from kuzet.response.service import ResponseService
from kuzet.response.sop import StepRequest
from kuzet.response.views import ResponseUpdate

# confirm? --no--> not_a_fight
#   | yes
# send_patrol -> injured? --no--> keep_watch -> end
#                  | yes
#                call_ambulance -> keep_watch
FIGHT = """
      version: {version}
      title: {{ru: Драка, en: Fight}}
      steps:
        - {{id: confirm, kind: question, text: {{en: Fight on camera?}}, no: not_a_fight}}
        - {{id: send_patrol, note_required: true, text: {{en: Send a patrol}},
            legal: {{code: {{ru: КоАП РК}}, article: "434", text: {{ru: Мелкое хулиганство}}}}}}
        - {{id: injured, kind: question, text: {{en: Anyone hurt?}}, no: keep_watch}}
        - {{id: call_ambulance, text: {{en: Call an ambulance}}}}
        - {{id: keep_watch, text: {{en: Watch until the patrol arrives}}, next: end}}
        - {{id: not_a_fight, required: {optional}, text: {{kk: Не болды?}}}}
"""


def response_config(version: int = 1, optional: bool = False) -> ResponseConfig:
    """A response config with the fight procedure above."""
    text = ("cameras:\n  gate: {source: {url: a.mp4}}\nresponse:\n  procedures:\n    fight:"
            + FIGHT.format(version=version, optional=str(not optional).lower()))
    return load_config_text(text, "t.yml", env={}).response


@pytest.fixture
def sop(tmp_path: Path, clock: FakeClock) -> Iterator[ResponseService]:
    """A service whose `fight` incidents follow the procedure above."""
    store, service = open_service(tmp_path, response_config(), clock)
    yield service
    store.close()


def _fight(service: ResponseService) -> str:
    return service.desk.create(NewIncident("fight", Priority.HIGH), ANA).id


def _states(service: ResponseService, incident_id: str) -> dict[str, tuple[str, str]]:
    checklist = service.sop.checklist(incident_id)
    assert checklist is not None
    return {s["id"]: (s["applies"], s["status"]) for s in checklist["steps"]}


DONE = StepRequest("done")
PATROL = StepRequest("done", text="patrol 7")
YES, NO = StepRequest("done", "yes"), StepRequest("done", "no")
# (steps taken, expected applicability per step, expected open required steps)
WALKS = [
    ([], "yes pending pending pending pending pending", ["confirm"]),
    ([("confirm", NO)], "yes no no no no yes", ["not_a_fight"]),
    ([("confirm", YES)], "yes yes yes pending pending no", ["send_patrol", "injured"]),
    ([("confirm", YES), ("send_patrol", PATROL), ("injured", NO)],
     "yes yes yes no yes no", ["keep_watch"]),
    ([("confirm", YES), ("send_patrol", PATROL), ("injured", YES)],
     "yes yes yes yes yes no", ["call_ambulance", "keep_watch"]),
    ([("confirm", YES), ("send_patrol", PATROL), ("injured", YES), ("call_ambulance", DONE),
      ("keep_watch", DONE)], "yes yes yes yes yes no", []),
    # answering again re-routes: the ambulance step no longer applies
    ([("confirm", YES), ("send_patrol", PATROL), ("injured", YES), ("injured", NO),
      ("keep_watch", DONE)], "yes yes yes no yes no", []),
]  # fmt: skip


@pytest.mark.parametrize(("steps", "applies", "blocking"), WALKS)
def test_branches_select_the_steps_that_apply(
    sop: ResponseService, steps: list[tuple[str, StepRequest]], applies: str,
    blocking: list[str],
) -> None:
    incident = _fight(sop)
    for step, request in steps:
        sop.sop.act(incident, step, request, ANA)
    checklist = sop.sop.checklist(incident)
    assert checklist is not None
    assert [s["applies"] for s in checklist["steps"]] == applies.split()
    assert checklist["open_required"] == blocking
    assert checklist["complete"] is (not blocking)


def test_required_open_steps_block_close_and_are_named(sop: ResponseService) -> None:
    incident = _fight(sop)
    sop.sop.act(incident, "confirm", YES, ANA)
    with pytest.raises(ConflictError) as caught:
        sop.desk.close(incident, "done", ANA)
    message = str(caught.value)
    assert "send_patrol (Send a patrol)" in message and "injured (Anyone hurt?)" in message
    assert "keep_watch" not in message  # pending behind the unanswered question
    assert sop.incidents.get(incident).state == "open"
    for step, request in [("send_patrol", PATROL), ("injured", NO), ("keep_watch", DONE)]:
        sop.sop.act(incident, step, request, BOB)
    assert sop.desk.close(incident, "patrol handled it", ANA).state == "closed"
    with pytest.raises(ConflictError, match="is closed"):
        sop.sop.act(incident, "keep_watch", DONE, ANA)


def test_optional_steps_do_not_block(tmp_path: Path, clock: FakeClock) -> None:
    store, service = open_service(tmp_path, response_config(optional=True), clock)
    incident = _fight(service)
    service.sop.act(incident, "confirm", NO, ANA)
    assert service.desk.close(incident, "not a fight", ANA).state == "closed"
    store.close()


BAD_REQUESTS = [
    ("confirm", StepRequest("done"), InvalidError, "answer it yes or no"),
    ("confirm", StepRequest("skip", text="busy"), InvalidError, "cannot be skipped"),
    ("send_patrol", StepRequest("done", text="p7"), ConflictError, "waits for an earlier"),
    ("nowhere", StepRequest("done"), NotFoundError, "has no step 'nowhere'"),
]  # fmt: skip


@pytest.mark.parametrize(("step", "request_", "error", "fragment"), BAD_REQUESTS)
def test_bad_step_requests(sop: ResponseService, step: str, request_: StepRequest,
                           error: type[Exception], fragment: str) -> None:
    incident = _fight(sop)
    with pytest.raises(error, match=fragment):
        sop.sop.act(incident, step, request_, ANA)


def test_notes_reasons_and_steps_off_the_path(sop: ResponseService) -> None:
    incident = _fight(sop)
    sop.sop.act(incident, "confirm", YES, ANA)
    with pytest.raises(InvalidError, match="send_patrol needs a note"):
        sop.sop.act(incident, "send_patrol", StepRequest("done", text="  "), ANA)
    with pytest.raises(InvalidError, match="takes no answer"):
        sop.sop.act(incident, "send_patrol", StepRequest("done", "yes", "p7"), ANA)
    with pytest.raises(InvalidError, match="needs a reason"):
        sop.sop.act(incident, "send_patrol", StepRequest("skip", text=" "), ANA)
    with pytest.raises(ConflictError, match="does not apply"):
        sop.sop.act(incident, "not_a_fight", DONE, ANA)
    checklist = sop.sop.act(incident, "send_patrol", PATROL, ANA)
    patrol = checklist["steps"][1]
    assert (patrol["status"], patrol["note"], patrol["by"]) == ("done", "patrol 7", "ana")
    assert patrol["legal"]["article"] == "434"
    assert patrol["legal"]["text"]["ru"] == "Мелкое хулиганство"


def test_skip_needs_a_reason_and_notifies_the_supervisors(sop: ResponseService,
                                                          clock: FakeClock) -> None:
    updates: list[ResponseUpdate] = []
    sop.updates.subscribe(updates.append)
    incident = _fight(sop)
    sop.sop.act(incident, "confirm", YES, ANA)
    clock.advance(30)
    checklist = sop.sop.act(incident, "send_patrol",
                            StepRequest("skip", text="no patrol free in the sector"), ANA)
    assert checklist["steps"][1]["status"] == "skipped"
    assert checklist["open_required"] == ["injured"]
    (notice,) = sop.sop.notices.page(NoticeQuery()).items
    assert (notice.kind, notice.incident_id, notice.text, notice.actor) == (
        "step_skipped", incident, "no patrol free in the sector", "ana")
    assert notice.details["step"] == "send_patrol" and notice.details["required"] is True
    skip = [e for e in sop.desk.timeline(incident) if e["action"] == "step_skip"]
    assert [(e["actor"], e["text"], e["details"]["step"]) for e in skip] == [
        ("ana", "no patrol free in the sector", "send_patrol")]
    assert ("incident", incident, "step_skip") in [(u.topic, u.id, u.action) for u in updates]
    seen = sop.sop.acknowledge_notice(notice.id, SUE)
    assert seen.acknowledged_by == "sue"
    with pytest.raises(ConflictError, match="already acknowledged by sue"):
        sop.sop.acknowledge_notice(notice.id, SUE)
    assert sop.sop.notices.page(NoticeQuery()).items == []
    assert len(sop.sop.notices.page(NoticeQuery(open_only=False)).items) == 1
    assert sop.sop.notices.page(NoticeQuery(open_only=False, cameras=["hall"])).items != []
    # (an incident without alarms is visible to every scope, as in incidents.in_scope)


def test_version_pinning(tmp_path: Path, clock: FakeClock) -> None:
    store, service = open_service(tmp_path, response_config(version=1), clock)
    old = _fight(service)
    service.sop.act(old, "confirm", YES, ANA)
    # The config changes: version 2 makes the patrol note optional and drops a step.
    service.config = load_config_text(
        "cameras:\n  gate: {source: {url: a.mp4}}\nresponse:\n  procedures:\n    fight:\n"
        "      version: 2\n      title: {en: Fight v2}\n      steps:\n"
        "        - {id: confirm, kind: question, text: {en: Fight?}, no: end}\n"
        "        - {id: send_patrol, text: {en: Send a patrol}}\n",
        "t.yml", env={}).response
    new = _fight(service)
    old_list, new_list = service.sop.checklist(old), service.sop.checklist(new)
    assert old_list is not None and new_list is not None
    assert (old_list["version"], len(old_list["steps"])) == (1, 6)
    assert (new_list["version"], len(new_list["steps"])) == (2, 2)
    assert old_list["digest"] != new_list["digest"]
    with pytest.raises(InvalidError, match="needs a note"):  # still v1's rule
        service.sop.act(old, "send_patrol", StepRequest("done"), ANA)
    service.sop.act(new, "confirm", YES, ANA)
    service.sop.act(new, "send_patrol", StepRequest("done"), ANA)
    assert service.desk.close(new, "ok", ANA).state == "closed"
    pinned = [e["details"] for e in service.desk.timeline(old) if e["action"] == "procedure"]
    assert pinned == [{"type": "fight", "version": 1, "digest": old_list["digest"]}]
    store.close()


def test_type_change_repins_only_before_any_step(sop: ResponseService) -> None:
    call = sop.desk.create(NewIncident("phone_call", Priority.HIGH), ANA).id
    assert sop.sop.checklist(call) is None
    sop.desk.close(call, "no procedure, nothing blocks", ANA)
    call = sop.desk.create(NewIncident("phone_call", Priority.HIGH), ANA).id
    sop.desk.edit(call, {"type": "fight"}, ANA)
    assert sop.sop.checklist(call) is not None
    sop.sop.act(call, "confirm", NO, ANA)
    sop.desk.edit(call, {"type": "phone_call"}, ANA)
    checklist = sop.sop.checklist(call)
    assert checklist is not None and checklist["type"] == "fight"  # steps were taken


def test_correlation_incidents_get_the_procedure(tmp_path: Path, clock: FakeClock) -> None:
    config = response_config().model_copy(update={"correlation": [
        CorrelationRule(name="venue", cameras=["gate", "hall"], incident_type="fight")]})
    store, service = open_service(tmp_path, config, clock)
    for n, camera in enumerate(("gate", "hall")):
        clock.advance(1)
        service.open_alarm(make_event(f"ev-{n}", camera_id=camera))
    incident_id = service.alarms.get("ev-1").incident_id
    assert incident_id is not None
    checklist = service.sop.checklist(incident_id)
    assert checklist is not None and checklist["pinned_by"] is None  # the server
    store.close()


def test_every_step_is_in_the_hash_chain(tmp_path: Path, clock: FakeClock) -> None:
    store, sop = open_service(tmp_path, response_config(), clock)
    incident = _fight(sop)
    sop.sop.act(incident, "confirm", YES, ANA)
    sop.sop.act(incident, "send_patrol", StepRequest("skip", text="none free"), BOB)
    notice = sop.sop.notices.page(NoticeQuery()).items[0]
    sop.sop.acknowledge_notice(notice.id, SUE)
    records = sop.audit.list(AuditQuery(action="incident.")).items[::-1]
    steps = [(r.action, r.actor, r.details.get("step")) for r in records
             if r.action.startswith("incident.step") or r.action == "incident.procedure"]
    assert steps == [("incident.procedure", "ana", None),
                     ("incident.step_done", "ana", "confirm"),
                     ("incident.step_skip", "bob", "send_patrol")]
    assert [r.actor for r in sop.audit.list(AuditQuery(action="notice.")).items] == ["sue"]
    assert verify_audit(store.engine, None).ok
    store.close()
