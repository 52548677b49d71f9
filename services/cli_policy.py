"""`kotopolku policy …`: a changed policy file reaching the paths already running (docs/policy.md).

`diff FILE` lists the open deadlines the file would move, touching nothing; `apply FILE` records
its version and tells the running workflows, which work their deadlines out again. Each service's
database (brought up to date first) gives its own deadlines and keeps its own signals: the
assessment service the assessments' start deadlines (and the versions applied), planning the
plans' start, referral and review deadlines, intake the triage queue's decision deadlines."""

from __future__ import annotations

import json
from pathlib import Path

import click

from services.cli import fail, get_settings
from services.cli_database import run_in_service


@click.group()
def policy() -> None:
    """The law's numbers (shared/policy.toml): which deadlines a new file moves, and applying it."""


def read_book(file: str):
    import tomllib

    from pydantic import ValidationError

    from shared.policy import read_policy

    try:
        return read_policy(Path(file))
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    except tomllib.TOMLDecodeError as error:
        fail(f"{file} is not TOML: {error}")
    except ValidationError as error:
        wrong = "; ".join(f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors())
        fail(f"{file} is not a policy: {wrong}")


def read_book_defaults():
    from shared.policy import read_policy

    return read_policy()


def echo_moves(moves) -> None:
    if not moves:
        return
    click.echo(f"{'case':36}  {'municipality':12}  {'deadline':16}  {'due':10}  {'moves to':10}  {'passed':6}  from version")
    for move in moves:
        click.echo(
            f"{move.case_id:36}  {move.municipality_code:12}  {move.kind.value:16}  {move.due_on.isoformat():10}  "
            f"{move.moves_to.isoformat():10}  {'yes' if move.passed else 'no':6}  {move.from_version or '-'}"
        )


def nearest_first(moves):
    return sorted(moves, key=lambda move: (move.due_on, move.municipality_code, move.case_id, move.kind.value))


def as_json(value) -> str:
    from pydantic_core import to_jsonable_python

    return json.dumps(to_jsonable_python(value), ensure_ascii=False, separators=(",", ":"))


@policy.command("diff")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--json", "json_out", is_flag=True, help="one JSON object on the last line instead of the table")
def policy_diff(file: str, json_out: bool) -> None:
    """Which open deadlines of which cases FILE would move, and to when; changes nothing."""
    from services.assessment import policy as assessment_policy
    from services.intake.triage import policy as triage_policy
    from services.planning import policy as planning_policy

    book = read_book(file)
    moves = nearest_first(
        run_in_service("assessment", lambda session: assessment_policy.diff(session, book))
        + run_in_service("planning", lambda session: planning_policy.diff(session, book))
        + run_in_service("intake", lambda session: triage_policy.diff(session, book))
    )
    if json_out:
        click.echo(as_json({"version": book.version, "label": book.label, "effective_from": book.effective_from, "moves": moves}))
        return
    echo_moves(moves)
    click.echo(f"{len(moves)} open deadline(s) would move under policy {book.version} ({book.label or 'no label'})")


@policy.command("apply")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--by", "applied_by", default="operator", show_default=True, help="who applies it (kept with the version)")
@click.option("--json", "json_out", is_flag=True, help="one JSON object on the last line instead of the table")
def policy_apply(file: str, applied_by: str, json_out: bool) -> None:
    """Record FILE's version and tell the running assessments, plans and triage clocks to follow
    it; prints the version last. Put the same file in KOTOPOLKU_POLICY_FILE (and restart) so that
    new paths start under it too."""
    from services.assessment import policy as assessment_policy
    from services.intake.triage import policy as triage_policy
    from services.planning import policy as planning_policy

    book = read_book(file)
    configured = get_settings().policy_file
    configured_version = read_book(str(configured)).version if configured else read_book_defaults().version
    if configured_version != book.version:
        # New paths start under the processes' file: say so before the two drift apart.
        click.echo(f"kotopolku: note: KOTOPOLKU_POLICY_FILE here is {configured or 'not set'} (policy {configured_version}): "
                   f"paths that begin start under it, not under {book.version}, until the processes run with {file}", err=True)
    # The version is recorded with the assessments' signals; then each service tells its own. A
    # failure part way is mended by applying again: each tells only what is not yet on the version.
    applied = run_in_service("assessment", lambda session: assessment_policy.apply(session, book, applied_by=applied_by))
    plans = run_in_service("planning", lambda session: planning_policy.apply(session, book))
    triage_told, triage_moves = run_in_service("intake", lambda session: triage_policy.apply(session, book))
    moves = nearest_first(applied.moves + plans.moves + triage_moves)
    if json_out:
        told = {"assessments": applied.signalled, "plans": plans.signalled, "triage": triage_told}
        click.echo(as_json({**applied.model_dump(exclude={"moves"}), "told": told, "moves": moves}))
        return
    echo_moves(moves)
    again = " (applied before: told those not yet on it)" if applied.already_applied else ""
    click.echo(f"{len(moves)} deadline(s) move; {applied.signalled} running assessment(s), {plans.signalled} plan(s) "
               f"and {triage_told} triage decision clock(s) told{again}")
    click.echo(applied.version)


@policy.command("versions")
def policy_versions() -> None:
    """The policy versions applied, latest first."""
    from services.assessment import policy as assessment_policy

    rows = run_in_service("assessment", assessment_policy.versions)
    for row in rows:
        effective = row.effective_from.isoformat() if row.effective_from else "-"
        click.echo(f"{row.version}  {row.label or '-'}  effective {effective}  applied {row.applied_at:%Y-%m-%d %H:%M} by {row.applied_by}")
    if not rows:
        click.echo("no policy has been applied to running paths yet")
