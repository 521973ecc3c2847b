"""The service's words for the drivers scoring hands over as message ids and numbers."""

from retention.risk.drivers import driver_text


def test_service_score_reads_in_the_source_units():
    driver = {
        "message": "service",
        "numbers": {"recent": 3.1, "usual": 4.2, "scale": 5.0, "recent_share": 0.62},
    }
    assert driver_text(driver) == (
        "service score 3.1 of 5 in the last 13 weeks, against 4.2 usually"
    )


def test_service_score_without_a_scale_reads_as_a_share():
    driver = {"message": "service", "numbers": {"recent_share": 0.62, "usual_share": 0.84}}
    assert driver_text(driver) == "service score 62% in the last 13 weeks, against 84% usually"


def test_leave_and_unknown_usual_values():
    driver = {"message": "leave_days", "numbers": {"recent": 9.0, "usual": None}}
    assert driver_text(driver) == "9 days off in the last 90 days, against none usually"
