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


def comment_above(setting: str) -> str:
    """The comment lines just above a setting in policy.toml, as one text."""
    from shared.policy import DEFAULT_POLICY_FILE

    lines = DEFAULT_POLICY_FILE.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if line.startswith(f"{setting} ="))
    comment = []
    for above in reversed(lines[:number]):
        if not above.startswith("#"):
            break
        comment.insert(0, above.lstrip("# "))
    return " ".join(comment)


def test_the_numbers_follow_their_sources():
    policy = load_policy().default
    # Referral to the plan's services: the new act's guidance, six months (the old act's one month is old guidance).
    assert policy.plan_services_referral_months == 6
    assert "681/2023" in comment_above("plan_services_referral_months") and "old guidance" in comment_above("plan_services_referral_months")
    # Civic orientation: at least 70 hours, Government Decree 576/2024 § 2 under the act's § 25.
    assert policy.civic_orientation_min_hours == 70
    assert "Decree 576/2024 § 2" in comment_above("civic_orientation_min_hours") and "§ 25" in comment_above("civic_orientation_min_hours")
    # What remains of the old rules is named as such.
    assert policy.plan_start_days == 14 and "Old guidance" in comment_above("plan_start_days")
    assert policy.assessment_start_months == 2 and "old act" in comment_above("assessment_start_months")
    # Two years in all; beyond it only a plan's own extension decision, with its own cap.
    assert policy.plans_total_max_months == 24 and "Never raised" in comment_above("plans_total_max_months")
    assert policy.plan_extension_beyond_total_max_months == 12
    assert policy.first_plan_max_months == 12 and policy.plan_review_months == 6


def test_the_plan_runs_by_the_sourced_numbers():
    from shared.policy import plan_timings

    timings = plan_timings(load_policy().default)
    assert (timings.referral_months, timings.civic_orientation_min_hours, timings.plans_total_max_months) == (6, 70, 24)
    assert timings.extension_beyond_total_max_months == 12
