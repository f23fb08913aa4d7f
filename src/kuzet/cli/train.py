"""``kuzet train fights``: train the fight model on a labelled clip folder.

Prints progress per clip, a summary, and with ``--json`` the training report as
the last line of stdout. Errors go to stderr with exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuzet.cli.output import JsonOpt, emit, fail
from kuzet.core.errors import KuzetError

train_app = typer.Typer(
    name="train", help="Train the small CPU models (fights).", no_args_is_help=True
)


@train_app.command("fights")
def fights_cmd(  # noqa: PLR0913  (the command's flags; each is one plain option)
    data_dir: Annotated[Path, typer.Argument(help="Folder with fight/ and noFight/ clips.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Model JSON to write (default: ./fight_model.json)."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Training report JSON (default: next to --out)."),
    ] = None,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.", min=2)] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (CV split, model).")] = 0,
    cache: Annotated[
        Path | None,
        typer.Option("--cache", help="Per-clip feature cache (default: user cache dir)."),
    ] = None,
    negatives: Annotated[
        Path | None,
        typer.Option("--negatives", help="Folder of extra no-fight videos (training only)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract features from DATA_DIR, cross-validate (group-aware) and write the model."""
    from kuzet.fights.trainer import TrainRequest, default_cache_dir, train_fights

    model_path = out if out is not None else Path("fight_model.json")
    report_path = report if report is not None else model_path.with_name(
        model_path.stem + "_report.json")
    req = TrainRequest(data_dir, model_path, report_path, folds, seed,
                       cache if cache is not None else default_cache_dir(),
                       negatives=negatives)
    count = [0]

    def progress(clip: object, status: str) -> None:
        count[0] += 1
        name = getattr(clip, "path", Path("?"))
        typer.echo(f"[{count[0]}] {name.parent.name}/{name.name}: {status}", err=True)

    try:
        result = train_fights(req, progress)
    except KuzetError as error:
        fail(error)
    cv = result["cv"]
    c = cv["confusion"]
    lines = [
        f"{result['clips']['fight']} fight + {result['clips']['noFight']} noFight clips "
        f"({len(result['clips']['skipped'])} skipped), {result['source_groups']} sources",
        f"CV ({folds}-fold, group-aware): accuracy {cv['accuracy_mean']} "
        f"+- {cv['accuracy_sd']} per fold, pooled {cv['accuracy']}; precision "
        f"{cv['precision']}, recall {cv['recall']}, F1 {cv['f1']}, ROC AUC {cv['roc_auc']}",
        f"confusion: tp {c['tp']} fn {c['fn']} / fp {c['fp']} tn {c['tn']}",
        *[f"skipped {item['clip']}: {item['reason']}" for item in result["clips"]["skipped"]],
        f"model -> {model_path}, report -> {report_path}",
    ]
    emit(result, lines, as_json)


def register(app: typer.Typer) -> None:
    """Add the ``train`` command group."""
    app.add_typer(train_app, name="train")
