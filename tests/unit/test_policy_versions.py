"""Policy versions and the deadlines a changed policy moves (shared/policy.py): the same
computation `kotopolku policy diff` shows and `policy apply` sends to the running paths."""

from datetime import date

from shared.contracts import DeadlineKind
from shared.policy import OpenDeadline, deadline_moves, due_under, load_policy, read_policy


def deadline(case: str, municipality: str, kind: DeadlineKind, due_on: date, basis_on: date, **fields) -> OpenDeadline:
    return OpenDeadline(case_id=case, municipality_code=municipality, kind=kind, due_on=due_on, basis_on=basis_on, **fields)


def test_the_version_is_the_numbers_not_the_comments(tmp_path):
    commented = tmp_path / "a.toml"
    commented.write_text("# a comment\nplan_start_days = 10\n")
    bare = tmp_path / "b.toml"
    bare.write_text("plan_start_days    =    10\n")
    other = tmp_path / "c.toml"
    other.write_text("plan_start_days = 11\n")
    assert read_policy(commented).version == read_policy(bare).version
    assert read_policy(commented).version != read_policy(other).version != load_policy().version
    assert len(load_policy().version) == 12


def test_the_default_names_the_act_and_the_day_it_takes_effect(tmp_path):
    book = load_policy()
    assert (book.label, book.effective_from) == ("681/2023", date(2025, 1, 1))
    assert book.default.version == book.version == book.for_municipality("109").version
    amended = tmp_path / "amended.toml"
    amended.write_text('label = "681/2023 amended"\neffective_from = 2027-03-01\nassessment_start_months = 3\n')
    new = read_policy(amended)
    assert (new.label, new.effective_from, new.default.assessment_start_months) == ("681/2023 amended", date(2027, 3, 1), 3)
    assert new.content["defaults"]["assessment_start_months"] == 3 and new.content["label"] == "681/2023 amended"
    # The version is not one of the numbers a Policy is compared or dumped by.
    assert "version" not in new.default.model_dump()


def test_each_kind_counts_from_its_own_basis():
    policy = load_policy().default
    assert due_under(DeadlineKind.assessment_start, date(2026, 12, 31), policy) == date(2027, 2, 28)  # two calendar months
    assert due_under(DeadlineKind.plan_start, date(2027, 1, 1), policy) == date(2027, 1, 15)
    assert due_under(DeadlineKind.triage_decision, date(2027, 1, 1), policy) == date(2027, 1, 15)
    assert due_under(DeadlineKind.plan_review, date(2027, 1, 1), policy) is None  # follows the plan's own dates


def test_moves_only_what_the_new_numbers_change_by_each_municipality(tmp_path):
    new_file = tmp_path / "policy.toml"
    new_file.write_text('assessment_start_months = 3\n[municipalities."905"]\nassessment_start_months = 2\nplan_start_days = 7\n')
    book = read_policy(new_file)
    old = load_policy().version
    open_ = [
        deadline("a", "109", DeadlineKind.assessment_start, date(2027, 3, 15), date(2027, 1, 15), policy_version=old),
        deadline("b", "905", DeadlineKind.assessment_start, date(2027, 3, 15), date(2027, 1, 15), policy_version=old),  # 905 keeps 2
        deadline("c", "905", DeadlineKind.plan_start, date(2027, 2, 15), date(2027, 2, 1)),
        deadline("d", "109", DeadlineKind.assessment_start, date(2027, 1, 31), date(2026, 11, 30), passed=True),
        deadline("e", "109", DeadlineKind.plan_review, date(2027, 6, 1), date(2026, 12, 1)),
    ]
    moves = deadline_moves(open_, book)
    assert [(m.case_id, m.kind, m.due_on, m.moves_to, m.passed, m.from_version) for m in moves] == [
        ("d", DeadlineKind.assessment_start, date(2027, 1, 31), date(2027, 2, 28), True, None),  # nearest first; it had passed
        ("c", DeadlineKind.plan_start, date(2027, 2, 15), date(2027, 2, 8), False, None),
        ("a", DeadlineKind.assessment_start, date(2027, 3, 15), date(2027, 4, 15), False, old),
    ]


def test_the_same_policy_moves_nothing():
    book = load_policy()
    open_ = [deadline("a", "109", DeadlineKind.assessment_start, date(2027, 3, 15), date(2027, 1, 15))]
    assert deadline_moves(open_, book) == []
