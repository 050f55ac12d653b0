"""Which pipeline functions are timed, and as which stage: parse, validate, load, build steps, publish.

Labels starting with `/` are relative to the file or task being run (`esr/parse`, `totara/validate.gx`,
`build.compliance/read`). The lists name the functions as the flows call them (module globals looked up at
call time), so the product code runs unchanged apart from the timing wrapper around each. A name the product
no longer has is skipped and reported (`missing_hooks` in the stage's result), never an error.
"""

from __future__ import annotations

from benchmarks.instrument import Hook


def ingest_hooks() -> list[Hook]:
    """Per-step timing inside ESR, Totara and trust-rule ingestion (`flows.ingest.ingest_landing`)."""
    import flows.esr_ingest as esr_ingest
    import flows.ingest as ingest
    import flows.totara_ingest as totara_ingest
    import flows.trust_rules_ingest as rules_ingest
    import warehouse.esr as esr_tables
    import warehouse.learning_records as learning_records
    from transforms.validation.gx_runner import GxValidator

    return [
        Hook(ingest, "shared_validator", "ingest.setup"),
        Hook(ingest, "load_heading_map", "ingest.setup"),
        Hook(ingest, "prune_staging", "ingest.prune"),
        Hook(GxValidator, "validate", "/validate.gx"),
        Hook(GxValidator, "write_data_docs", "ingest.gx_docs"),
        # ESR extracts
        Hook(esr_ingest, "fingerprint_file", "/parse"),
        Hook(esr_ingest, "read_esr_file", "/parse", iterates=True),
        Hook(esr_ingest, "row_failures", "/validate.rows"),
        Hook(esr_ingest, "conflicting_duplicates", "/validate.rows"),
        Hook(esr_ingest, "combine_failures", "/validate.rows"),
        Hook(esr_ingest, "_check_batch", "/validate.batch"),
        Hook(esr_tables, "stage_rows", "/load.stage"),
        Hook(esr_ingest, "_quarantine_rows", "/load.stage"),
        Hook(esr_ingest, "write_rejected_rows", "/load.stage"),
        Hook(esr_ingest, "_later_full_file_date", "/validate.batch"),
        Hook(esr_ingest, "_apply", "/load.merge"),
        Hook(esr_ingest, "start_load", "/load.log"),
        Hook(esr_ingest, "finish_load", "/load.log"),
        Hook(esr_ingest, "already_loaded", "/load.log"),
        # Totara report exports
        Hook(totara_ingest, "fingerprint_file", "/parse"),
        Hook(totara_ingest, "read_totara_export_chunks", "/parse", iterates=True),
        Hook(totara_ingest, "write_rejected_rows", "/load.stage"),
        Hook(totara_ingest, "learning_rows", "/parse"),
        Hook(totara_ingest, "row_failures", "/validate.rows"),
        Hook(totara_ingest, "combine_failures", "/validate.rows"),
        Hook(learning_records, "stage_records", "/load.stage"),
        Hook(learning_records, "count_open", "/validate.batch"),
        Hook(learning_records, "count_would_end", "/validate.batch"),
        Hook(learning_records, "apply_export", "/load.merge"),
        Hook(totara_ingest, "start_load", "/load.log"),
        Hook(totara_ingest, "finish_load", "/load.log"),
        Hook(totara_ingest, "already_loaded", "/load.log"),
        # Trust rule files
        Hook(rules_ingest, "read_rule_file", "/parse"),
        Hook(rules_ingest, "row_failures", "/validate.rows"),
        Hook(rules_ingest, "combine_failures", "/validate.rows"),
        Hook(rules_ingest, "replace_rule_version", "/load.merge"),
        Hook(rules_ingest, "add_to_catalogue", "/load.merge"),
    ]


def build_hooks() -> list[Hook]:
    """Read (warehouse → frames), transform (pure pandas) and write (marts) inside each build task."""
    import flows.build as build
    import flows.learners as learners_flow
    import warehouse.learners as learners
    import warehouse.totara_api as totara_api
    from warehouse.marts import MartsWriter

    hooks = [
        Hook(build, name, "/read")
        for name in ("compliance_inputs", "esr_keys_on", "learning_user_keys", "skills_inputs")
    ]
    hooks += [Hook(totara_api, "live_records", "/read")]
    hooks += [
        Hook(build, name, "/transform")
        for name in (
            "build_compliance_part",
            "summary_from_counts",
            "unmatched_learners",
            "org_unit_dimension",
            "build_skills_part",
            "gap_summary_from_counts",
            "forecast_from_counts",
            "learning_engagement",
            "course_evaluation",
            "date_dimension",
        )
    ]
    hooks += [Hook(MartsWriter, "write", "/write"), Hook(build, "replace_whole_marts", "/write")]
    hooks += [
        Hook(learners, "candidates", "/read"),
        Hook(learners, "stored", "/read"),
        Hook(learners, "store", "/write"),
        Hook(learners_flow, "match_learners", "/transform"),
        Hook(learners_flow, "student_pipeline", "/transform"),
        Hook(learners_flow, "read_all", "/read"),
        Hook(learners_flow, "linked_students", "/read"),
        Hook(learners_flow, "first_hire_dates_on", "/read"),
        Hook(learners_flow, "replace_marts_for_date", "/write"),
    ]
    return hooks


def publish_hooks() -> list[Hook]:
    """Reading the marts for the feed, and writing the feed files: the marts are streamed into the files chunk
    by chunk, so reading and writing are one step (`/write`)."""
    import flows.publish as publish

    return [
        Hook(publish, "_source_loads", "/read"),
        Hook(publish, "publish_feed", "/write"),
    ]
