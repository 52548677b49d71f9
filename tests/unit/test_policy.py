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


def test_every_default_names_its_source():
    """Each setting in policy.toml has a comment just above it naming the act and section, the
    old act, or "project default" (docs/policy.md lists what the new act does not settle)."""
    from shared.policy import DEFAULT_POLICY_FILE

    lines = DEFAULT_POLICY_FILE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith("#") and "=" in line:
            comment = []
            for above in reversed(lines[:number]):
                if not above.startswith("#"):
                    break
                comment.append(above)
            text = " ".join(comment)
            assert any(source in text for source in ("681/2023", "1386/2010", "project default", "Project default", "curriculum")), line


def test_assessment_timings_come_from_policy():
    from shared.policy import assessment_timings

    timings = assessment_timings(load_policy().default)
    assert (timings.reminder_days, timings.escalation_days, timings.interview_reminder_days, timings.plan_start_days) == ([14, 3], 14, 1, 14)
