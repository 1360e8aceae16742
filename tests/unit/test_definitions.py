from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.config import load_settings
from orchestration.definitions import build_definitions
from sources.contracts import source_names


def _defs(tmp_path: Path) -> dg.Definitions:
    settings = load_settings(
        {
            "FOLLOWUP_WAREHOUSE_PATH": str(tmp_path / "wh.duckdb"),
            "FOLLOWUP_PUBLISHED_DIR": str(tmp_path / "published"),
            "FOLLOWUP_AS_OF_DATE": "2018-01-29",
        },
        tmp_path / "none.toml",
    )
    assert settings.resolved_as_of() == date(2018, 1, 29)
    return build_definitions(settings)


def test_assets_are_named_after_their_data(tmp_path):
    graph = _defs(tmp_path).resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {f"raw/{s}" for s in source_names()} <= keys
    assert {
        "intake/cases",
        "intake/period_summary",
        "intake/duration_stats",
        "process/period_summary",
        "outcome/exits",
        "outcome/instrument_change",
        "cost/budget_vs_actual",
        "reports/periods",
        "reports/unit_scorecard",
    } <= keys
    # dbt sources are the ingest assets: staging depends on raw/enrolments.
    stg = dg.AssetKey(["staging", "stg_registry__enrolments"])
    assert dg.AssetKey(["raw", "enrolments"]) in graph.get(stg).parent_keys


def test_jobs_schedule_and_sensors(tmp_path):
    defs = _defs(tmp_path)
    graph = defs.resolve_asset_graph()

    def selected(job: str) -> set[str]:
        return {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}

    raw = {f"raw/{s}" for s in source_names()}
    everything = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    frozen = {"publication/month", "publication/half_year", "publication/year"}
    assert selected("load_landing") == raw  # loading never builds
    assert raw.isdisjoint(selected("build_marts")) and {"published_copy", "reports/unit_scorecard"} <= selected(
        "build_marts"
    )
    assert selected("followup") == everything - frozen  # freezing a period is its own, scheduled, decision
    assert selected("build_marts") | raw == selected("followup")
    schedule = defs.resolve_schedule_def("nightly")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.job_name == "load_landing"
    context = dg.build_schedule_context(
        scheduled_execution_time=None, resources={"pseudonymiser": defs.resources["pseudonymiser"]}
    )
    requests = list(schedule.evaluate_tick(context).run_requests or [])
    assert len(requests) == 1
    sensors = {s.name for s in defs.sensors}
    assert sensors == {"landing_folder", "build_marts_after_load_success", "build_marts_after_load_failure"}


def test_checks_cover_ledger_balance_and_gx_suites(tmp_path):
    graph = _defs(tmp_path).resolve_asset_graph()
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert ("raw/enrolments", "rows_accounted_for") in checks
    assert ("cost/budget_vs_actual", "great_expectations") in checks
    assert ("outcome/exits", "great_expectations") in checks


def test_landing_sensor_loads_only_what_no_run_has_seen(tmp_path):
    """After `followup run` loaded the folder, a daemon started on the same instance starts nothing."""
    from orchestration.automation.freshness import landing_snapshot, snapshot_observation
    from orchestration.automation.sensors import landing_folder_sensor
    from orchestration.resources import LandingResource, PseudonymiserResource

    landing = tmp_path / "landing"
    (landing / "enrolments").mkdir(parents=True)
    (landing / "ledger").mkdir()
    resources = {
        "landing": LandingResource(landing_dir=str(landing)),
        "pseudonymiser": PseudonymiserResource(key="k" * 32, environment="production"),
    }
    with dg.DagsterInstance.ephemeral() as instance:
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            assert landing_folder_sensor(context).skip_message == "no new files in the landing folder"
            (landing / "enrolments" / "e_2018-01-29.csv").write_text("x", encoding="utf-8")
            (landing / "ledger" / "l_2018-01-29.csv").write_text("y", encoding="utf-8")
            request = landing_folder_sensor(context)
        assert isinstance(request, dg.RunRequest) and request.tags["followup/new_files"] == "2"
        assert request.asset_selection == [dg.AssetKey(["raw", "enrolments"]), dg.AssetKey(["raw", "ledger"])]

        # What the ingest steps of any run record (here: the command line's run loaded both folders).
        @dg.asset(key=dg.AssetKey(["raw", "enrolments"]))
        def raw_enrolments(context: dg.AssetExecutionContext):
            context.log_event(snapshot_observation("enrolments", landing_snapshot(landing / "enrolments")))

        @dg.asset(key=dg.AssetKey(["raw", "ledger"]))
        def raw_ledger(context: dg.AssetExecutionContext):
            context.log_event(snapshot_observation("ledger", landing_snapshot(landing / "ledger")))

        dg.materialize([raw_enrolments, raw_ledger], instance=instance)
        with dg.build_sensor_context(instance=instance, resources=resources) as context:
            assert landing_folder_sensor(context).skip_message == "no new files in the landing folder"
            (landing / "ledger" / "l_2018-02-28.csv").write_text("z", encoding="utf-8")
            request = landing_folder_sensor(context)
        assert request.asset_selection == [dg.AssetKey(["raw", "ledger"])]
        assert request.tags["followup/new_files"] == "1"


def test_without_a_usable_key_the_sensor_and_the_schedule_start_no_load(tmp_path):
    """Production without a key: neither the landing sensor nor the nightly schedule starts a load (the load's
    assets would refuse too, tests/integration/test_keys.py). A short key and an open key file count as none."""
    from orchestration.automation.sensors import landing_folder_sensor
    from orchestration.resources import LandingResource, PseudonymiserResource

    landing = tmp_path / "landing"
    (landing / "ledger").mkdir(parents=True)
    (landing / "ledger" / "l_2018-01-29.csv").write_text("y", encoding="utf-8")
    open_file = tmp_path / "open.key"
    open_file.write_text("a" * 64, encoding="utf-8")
    open_file.chmod(0o644)
    nightly = _defs(tmp_path).resolve_schedule_def("nightly")
    expected = {
        "none": "not loading: no pseudonymisation key configured",
        "short": "not loading: FOLLOWUP_PSEUDONYM_KEY is 30 bytes long",
        "open_file": f"not loading: pseudonym key file {open_file} is accessible to group or others (mode 0644)",
    }
    keys = {
        "none": PseudonymiserResource(key_file=str(tmp_path / "missing.key"), environment="production"),
        "short": PseudonymiserResource(key="test-secret-not-for-production", environment="production"),
        "open_file": PseudonymiserResource(key_file=str(open_file), environment="production"),
    }
    with dg.DagsterInstance.ephemeral() as instance:
        for name, pseudonymiser in keys.items():
            resources = {"landing": LandingResource(landing_dir=str(landing)), "pseudonymiser": pseudonymiser}
            with dg.build_sensor_context(instance=instance, resources=resources) as context:
                assert landing_folder_sensor(context).skip_message.startswith(expected[name]), name
            context = dg.build_schedule_context(scheduled_execution_time=None, resources=resources)
            tick = nightly.evaluate_tick(context)
            assert not tick.run_requests and tick.skip_message.startswith(expected[name]), name
