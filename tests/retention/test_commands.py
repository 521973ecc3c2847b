import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("score_reps", "--as-of"),
        ("train_risk_model", "--as-of"),
        ("evaluate_risk_model", "--as-of"),
        ("seed_demo", "--end-date"),
    ],
)
def test_a_bad_date_option_is_refused_naming_the_option(command, option):
    with pytest.raises(CommandError, match=f"argument {option}: '2026-13-01' is not a date"):
        call_command(command, option, "2026-13-01")


@pytest.mark.django_db
@pytest.mark.parametrize("queue", [[], ["--queue"]])
def test_score_reps_refuses_a_date_after_today_as_a_command_error(queue):
    with pytest.raises(CommandError, match="or earlier, not 9999-12-31"):
        call_command("score_reps", "--as-of", "9999-12-31", *queue)
