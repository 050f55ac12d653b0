"""The trust configuration: defaults from the policy, YAML round trip, overrides and secrets from the environment."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from learnscape.cli import app
from learnscape.config import LearnscapeConfig, dump_config, load_config, write_default_config


def test_written_default_config_reads_back_identically(tmp_path):
    written = write_default_config(tmp_path / "learnscape.yaml")
    assert load_config(tmp_path / "learnscape.yaml") == written


def test_defaults_follow_the_trust_counting_policy():
    rules = LearnscapeConfig().compliance
    assert rules.in_scope_statuses == ("Active Assignment", "Internal Secondment", "Acting Up")
    assert (rules.new_starter_grace_weeks, rules.expiring_window_days) == (12, 90)
    assert (rules.target_pct, rules.amber_floor_pct, rules.max_full_file_end_share) == (90.0, 80.0, 0.2)


def test_without_a_config_file_the_defaults_use_a_sqlite_warehouse_in_the_current_folder(tmp_path):
    config = load_config(cwd=tmp_path)
    assert config.warehouse_url({}) == f"sqlite:///{tmp_path / 'learnscape.db'}"


def test_learnscape_yaml_in_the_current_folder_is_used_when_present(tmp_path):
    (tmp_path / "learnscape.yaml").write_text("compliance:\n  target_pct: 95\n", encoding="utf-8")
    assert load_config(cwd=tmp_path).compliance.target_pct == 95


def test_warehouse_url_comes_from_the_environment_when_set(tmp_path):
    config = LearnscapeConfig(base_dir=str(tmp_path))
    url = "postgresql://learnscape@127.0.0.1/learnscape"
    assert config.warehouse_url({"LEARNSCAPE_WAREHOUSE_URL": url}) == url


def test_unknown_settings_are_refused_rather_than_ignored(tmp_path):
    (tmp_path / "learnscape.yaml").write_text("compliance:\n  target_percent: 95\n", encoding="utf-8")
    with pytest.raises(ValueError, match="target_percent"):
        load_config(cwd=tmp_path)


def test_the_config_file_names_secret_variables_but_holds_no_secret():
    text = dump_config(LearnscapeConfig())
    assert "LEARNSCAPE_TOTARA_CLIENT_SECRET" in text
    assert "secret:" not in text.replace("client_secret_env", "")


def test_cli_init_writes_a_config_and_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    target = tmp_path / "learnscape.yaml"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    assert load_config(Path(target)).trust.vpd == "457"
    assert runner.invoke(app, ["init", str(target)]).exit_code != 0
