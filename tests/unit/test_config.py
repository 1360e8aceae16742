import os
import re
from datetime import date
from pathlib import Path

import pytest

from orchestration.config import ConfigError, load_settings
from orchestration.transform.dbt_project import dbt_build_args
from sources.pseudonymisation import PseudonymKeyError, check_key, load_key


def test_defaults_then_file_then_environment(tmp_path):
    config = tmp_path / "followup.toml"
    config.write_text('warehouse_path = "/srv/wh.duckdb"\nsuppression_threshold = 10\n', encoding="utf-8")
    settings = load_settings({"FOLLOWUP_SUPPRESSION_THRESHOLD": "3", "FOLLOWUP_AS_OF_DATE": "2018-01-29"}, config)
    assert settings.warehouse_path == Path("/srv/wh.duckdb")  # from the file
    assert settings.suppression_threshold == 3  # the environment wins
    assert settings.as_of_date == date(2018, 1, 29)
    assert settings.landing_dir == tmp_path / "data" / "landing"  # a default, beside the config file
    env = settings.dbt_env()
    assert env["FOLLOWUP_WAREHOUSE_PATH"] == "/srv/wh.duckdb" and env["FOLLOWUP_AS_OF_DATE"] == "2018-01-29"


def test_relative_paths_in_the_file_are_resolved_against_its_folder(tmp_path, monkeypatch):
    monkeypatch.chdir("/")
    config = tmp_path / "site" / "followup.toml"
    config.parent.mkdir()
    config.write_text('landing_dir = "landing"\nwarehouse_path = "../wh/followup.duckdb"\n', encoding="utf-8")
    settings = load_settings({"FOLLOWUP_PUBLISHED_DIR": "pub"}, config)
    assert settings.landing_dir == tmp_path / "site" / "landing"
    assert settings.warehouse_path == tmp_path / "wh" / "followup.duckdb"
    assert settings.published_dir == Path("/pub")  # from the environment: against the working directory
    assert settings.dagster_home == tmp_path / "site" / "data" / "dagster"  # a default, beside the config file
    assert load_settings({"DAGSTER_HOME": str(tmp_path / "home")}, config).dagster_home == tmp_path / "home"


def test_config_file_from_environment_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"FOLLOWUP_CONFIG": str(tmp_path / "missing.toml")})


def test_secret_never_in_the_config_file(tmp_path):
    config = tmp_path / "followup.toml"
    config.write_text('pseudonym_key = "abc"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must not be written in the config file"):
        load_settings({}, config)


def test_unknown_keys_are_refused(tmp_path):
    config = tmp_path / "followup.toml"
    config.write_text('warehouse = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown keys"):
        load_settings({}, config)


def test_production_without_a_key_refuses_to_run(tmp_path):
    with pytest.raises(PseudonymKeyError, match="refuses to run"):
        load_key(None, tmp_path / "missing.key", "production")


def test_demo_creates_a_private_key_file_once(tmp_path):
    key_file = tmp_path / "secrets" / "pseudonym.key"
    first = load_key(None, key_file, "demo")
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    assert load_key(None, key_file, "demo") == first and len(first) == 64
    assert load_key("from-env-" + "x" * 23, key_file, "production") == b"from-env-" + b"x" * 23


@pytest.mark.parametrize("environment", ["demo", "production"])
def test_keys_shorter_than_32_bytes_are_refused_everywhere(tmp_path, environment):
    with pytest.raises(PseudonymKeyError, match="is 31 bytes long; a pseudonymisation key needs at least 32"):
        load_key("k" * 31, None, environment)
    assert load_key("k" * 32, None, environment) == b"k" * 32
    key_file = tmp_path / "short.key"
    key_file.write_text("test-secret-not-for-production\n", encoding="utf-8")  # 30 bytes: the old test key
    key_file.chmod(0o600)
    with pytest.raises(PseudonymKeyError, match=f"pseudonym key file {key_file} is 30 bytes long"):
        load_key(None, key_file, environment)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_key_files_open_to_group_or_others_are_refused(tmp_path, mode):
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("a" * 64, encoding="utf-8")
    key_file.chmod(mode)
    message = f"pseudonym key file {key_file} is accessible to group or others (mode {mode:04o}); run `chmod 600"
    with pytest.raises(PseudonymKeyError, match=re.escape(message)):
        load_key(None, key_file, "production")
    with pytest.raises(PseudonymKeyError, match=re.escape(message)):
        load_key(None, key_file, "demo")  # the demo never replaces or ignores a key file it cannot trust
    key_file.chmod(0o400)
    assert load_key(None, key_file, "production") == b"a" * 64


def test_the_check_used_by_sensors_and_schedules_creates_nothing(tmp_path):
    key_file = tmp_path / "secrets" / "pseudonym.key"
    check_key(None, key_file, "demo")  # the demo key file is created by the run, not by the check
    assert not key_file.exists()
    with pytest.raises(PseudonymKeyError, match="refuses to run without one"):
        check_key(None, key_file, "production")


def test_dbt_is_always_built_with_its_data_tests_and_without_unit_tests():
    assert dbt_build_args(2) == [
        "build",
        "--no-version-check",
        "--threads",
        "2",
        "--exclude-resource-type",
        "unit_test",
    ]
    assert dbt_build_args(1, "intake")[-2:] == ["--select", "intake"]
