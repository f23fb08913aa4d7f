"""`response.procedures`: valid procedures load; broken ones are errors at their YAML line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzet.config.errors import InvalidConfigError
from kuzet.config.load import load_config, load_config_text

REPO = Path(__file__).resolve().parents[2]
HEAD = ("cameras:\n  gate: {source: {url: a.mp4}}\nresponse:\n  procedures:\n    fight:\n"
        "      version: 1\n      title: {en: Fight}\n      steps:\n")  # steps start on line 9


def _steps(*lines: str) -> str:
    return HEAD + "".join(f"        - {line}\n" for line in lines)


Q = "{id: q, kind: question, text: {en: Fight?}"
CASES = [
    (_steps("{id: a, text: {en: A}}", "{id: a, text: {en: B}}"),
     [("response.procedures.fight.steps[1].id", 10, "duplicate or reserved step id 'a'")]),
    (_steps("{id: end, text: {en: A}}"),
     [("response.procedures.fight.steps[0].id", 9, "reserved step id 'end'")]),
    (_steps(Q + ", no: nowhere}", "{id: a, text: {en: A}}"),
     [("response.procedures.fight.steps[0].no", 9, "unknown step 'nowhere' (steps: q, a;")]),
    (_steps("{id: a, text: {en: A}, next: a}"),
     [("response.procedures.fight.steps[0].next", 9, "leads to itself")]),
    (_steps(Q + "}", "{id: a, text: {en: A}, next: q}"),
     [("response.procedures.fight.steps[1].next", 10, "cycle: q -> a -> q")]),
    (_steps(Q + ", yes: b, no: end}", "{id: a, text: {en: A}}", "{id: b, text: {en: B}}"),
     [("response.procedures.fight.steps[1].id", 10, "step 'a' can never apply")]),
    (_steps("{id: a, text: {en: A}, yes: end}"),
     [("response.procedures.fight.steps[0].yes", 9, "an action step has no `yes`")]),
    (_steps(Q + ", next: end}"),
     [("response.procedures.fight.steps[0].next", 9, "a question step has no `next`")]),
    (_steps(Q + ", required: false}"),
     [("response.procedures.fight.steps[0].required", 9, "always required")]),
    (_steps("{id: a, text: {}}"),
     [("response.procedures.fight.steps[0].text", 9, "at least one of: kk, ru, en")]),
    (_steps("{id: a, text: {kz: Төбелес}}"),
     [("response.procedures.fight.steps[0].text.kz", 9, "unknown key (allowed: en, kk, ru)")]),
    (HEAD.replace("      version: 1\n", "") + "        - {id: a, text: {en: A}}\n",
     [("response.procedures.fight.version", 5, "required key is missing")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_errors_name_file_key_and_line(text: str, expected: list[tuple[str, int, str]]) -> None:
    with pytest.raises(InvalidConfigError) as caught:
        load_config_text(text, "site.yml", env={})
    issues = caught.value.errors
    assert [(i.path, i.line) for i in issues] == [(p, line) for p, line, _ in expected], issues
    for issue, (_, _, fragment) in zip(issues, expected, strict=True):
        assert fragment in issue.message, issue.message
    assert str(caught.value).splitlines()[1].startswith(f"site.yml:{expected[0][1]}: ")


def test_branching_procedure_loads() -> None:
    text = _steps(Q + ", no: b}", "{id: a, text: {ru: А}, next: end}",
                  "{id: b, text: {kk: Б}, required: false, note_required: true}")
    procedure = load_config_text(text, "site.yml", env={}).response.procedures["fight"]
    assert [s.id for s in procedure.steps] == ["q", "a", "b"]
    assert (procedure.steps[0].no, procedure.steps[1].next) == ("b", "end")


def test_demo_has_procedures_in_three_languages() -> None:
    config = load_config(REPO / "examples" / "demo.yml", env={})
    procedures = config.response.procedures
    assert set(procedures) == {"fight", "plate_hit"}
    for procedure in procedures.values():
        for step in procedure.steps:
            assert step.text.kk and step.text.ru and step.text.en, step.id
    legal = [s.legal for s in procedures["fight"].steps if s.legal is not None]
    assert legal and legal[0].text.kk and legal[0].code.ru
