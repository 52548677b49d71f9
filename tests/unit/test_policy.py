from datetime import date

from shared.policy import add_months, load_policy


def test_defaults_follow_the_act():
    policy = load_policy().default
    assert policy.assessment_start_months == 2
    assert policy.eligibility_window_years == 3
    assert policy.plan_review_months == 6
    assert policy.notice_reminder_days == 14


def test_a_municipality_can_override(tmp_path):
    override = tmp_path / "policy.toml"
    override.write_text('plan_start_days = 10\n[municipalities."109"]\nassessment_start_months = 1\n')
    book = load_policy(override)
    assert book.for_municipality("109").assessment_start_months == 1
    assert book.for_municipality("109").plan_start_days == 10
    assert book.for_municipality("905").assessment_start_months == 2
    assert book.for_municipality("905").plan_start_days == 10


def test_calendar_months():
    assert add_months(date(2026, 11, 23), 2) == date(2027, 1, 23)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 12) == date(2027, 1, 31)
