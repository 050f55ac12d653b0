"""The published tables keep their contract: models, migrations, contract file and changelog agree exactly."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import yaml
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, String, Table, text

from warehouse.bulk import qualified_name
from warehouse.contracts import (
    CONTRACT_PATH,
    ChangelogEntry,
    ContractError,
    changelog_problems,
    load_contract,
    model_differences,
    read_changelog,
    reflected_differences,
    shape_fingerprint,
)
from warehouse.engine import open_warehouse
from warehouse.migrate import MIGRATIONS_DIR, upgrade
from warehouse.models import compliance_summary, metadata


def _revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def _models_with(replacement: Table | None = None, extra: Table | None = None) -> MetaData:
    """A copy of the warehouse models with one marts table replaced or one added, to show what the checks catch."""
    models = MetaData()
    for table in metadata.sorted_tables:
        if replacement is not None and table.schema == replacement.schema and table.name == replacement.name:
            replacement.to_metadata(models)
        else:
            table.to_metadata(models)
    if extra is not None:
        extra.to_metadata(models)
    return models


def _new_model_problems(contract, models: MetaData) -> list[str]:
    """What a changed copy of the models adds to the differences the real models have, so each case below
    shows its own change and nothing else."""
    return sorted(set(model_differences(contract, models)) - set(model_differences(contract)))


def _summary_with_column(old: str, new_name: str, new_type=None) -> Table:
    columns = [
        Column(
            new_name if column.name == old else column.name,
            new_type if column.name == old and new_type is not None else column.type,
            nullable=column.nullable,
        )
        for column in compliance_summary.columns
    ]
    return Table("compliance_summary", MetaData(), *columns, schema="marts")


def test_every_marts_table_in_the_models_matches_the_contract_exactly():
    assert model_differences(load_contract()) == []


def test_every_contract_version_has_a_changelog_entry_naming_its_migration_and_shape():
    contract = load_contract()
    assert changelog_problems(contract, read_changelog(), _revisions()) == []


def test_migrated_database_has_the_contracts_tables_columns_and_types(warehouse_url):
    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    assert reflected_differences(load_contract(), engine) == []
    engine.dispose()


def test_a_column_added_to_a_published_table_outside_the_contract_is_caught_in_the_database(warehouse_url):
    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    before = set(reflected_differences(load_contract(), engine))
    with engine.begin() as connection:
        connection.execute(
            text(f"ALTER TABLE {qualified_name(connection, compliance_summary)} ADD COLUMN rank integer")
        )
    assert sorted(set(reflected_differences(load_contract(), engine)) - before) == [
        "compliance_summary.rank is in the database but not in the contract: add it to marts.yaml and bump the "
        "minor version"
    ]
    engine.dispose()


def test_a_renamed_published_column_is_caught():
    models = _models_with(replacement=_summary_with_column("rag", "rag_rating"))
    assert _new_model_problems(load_contract(), models) == [
        "compliance_summary.rag is in the contract but not in the model",
        "compliance_summary.rag_rating is in the model but not in the contract: add it to marts.yaml and bump the "
        "minor version",
    ]


def test_a_published_column_that_changes_type_is_caught():
    models = _models_with(replacement=_summary_with_column("required", "required", String(10)))
    assert _new_model_problems(load_contract(), models) == [
        "compliance_summary.required is string(10) in the model but integer in the contract"
    ]


def test_a_published_column_that_becomes_nullable_is_caught():
    relaxed = _summary_with_column("rag", "rag")
    relaxed.c.rag.nullable = True
    assert _new_model_problems(load_contract(), _models_with(replacement=relaxed)) == [
        "compliance_summary.rag is NULL in the model but NOT NULL in the contract"
    ]


def test_a_new_marts_table_must_be_added_to_the_contract():
    workforce_plan = Table("workforce_plan", MetaData(), Column("as_of_date", Integer), schema="marts")
    assert _new_model_problems(load_contract(), _models_with(extra=workforce_plan)) == [
        "workforce_plan is a marts table in the models but not in the contract: add it with its grain, keys and "
        "columns and bump the minor version"
    ]


def test_a_unique_key_that_differs_from_the_contracts_keys_is_caught():
    contract = load_contract()
    person = contract.table("compliance_person")
    narrower = dataclasses.replace(person, keys=("as_of_date", "employee_number"))
    changed = dataclasses.replace(
        contract, tables=tuple(narrower if t.name == person.name else t for t in contract.tables)
    )
    assert sorted(set(model_differences(changed)) - set(model_differences(contract))) == [
        "compliance_person: the contract's keys (as_of_date, employee_number) are not a primary key or unique "
        "constraint of the model (it has as_of_date, vpd, employee_number, competency_name)"
    ]


def test_changing_the_contracts_shape_without_a_new_version_is_caught():
    contract = load_contract()
    summary = contract.table("compliance_summary")
    retyped = dataclasses.replace(
        summary, columns=tuple(dataclasses.replace(c, type="text") if c.name == "rag" else c for c in summary.columns)
    )
    changed = dataclasses.replace(
        contract, tables=tuple(retyped if t.name == summary.name else t for t in contract.tables)
    )
    problems = changelog_problems(changed, read_changelog(), _revisions())
    assert len(problems) == 1
    assert problems[0].startswith(f"the contract's shape changed since version {contract.version} was recorded")
    assert shape_fingerprint(changed) in problems[0]


def test_a_version_bump_without_a_changelog_entry_is_caught():
    contract = load_contract()
    next_major = f"{int(contract.version.split('.')[0]) + 1}.0.0"
    bumped = dataclasses.replace(contract, version=next_major)
    assert changelog_problems(bumped, read_changelog(), _revisions()) == [
        f"contract version {next_major} has no entry in CHANGELOG-contracts.md: add '## {next_major} (YYYY-MM-DD)' "
        f"with its migration and '- Shape: `{shape_fingerprint(bumped)}`'"
    ]


def test_a_changelog_entry_must_name_a_real_migration_and_list_versions_newest_first():
    contract = load_contract()
    shape = shape_fingerprint(contract)
    entries = [
        ChangelogEntry("0.9.0", date(2026, 10, 1), "0001", shape, line=10),
        ChangelogEntry(contract.version, date(2026, 11, 23), "0099", shape, line=20),
    ]
    assert changelog_problems(contract, entries, _revisions()) == [
        f"CHANGELOG-contracts.md, line 20, version {contract.version}: migration '0099' is not a revision in "
        "warehouse/migrations",
        "CHANGELOG-contracts.md: entries must be listed newest version first",
        f"CHANGELOG-contracts.md records version 0.9.0, newer than the contract's {contract.version}",
    ]


def test_rewording_a_meaning_or_example_does_not_change_the_shape():
    contract = load_contract()
    summary = contract.table("compliance_summary")
    reworded = dataclasses.replace(
        summary,
        grain="Counts per date, dimension, group and competence.",
        columns=tuple(dataclasses.replace(c, meaning="Reworded.", example="x") for c in summary.columns),
    )
    same = dataclasses.replace(
        contract, tables=tuple(reworded if t.name == summary.name else t for t in contract.tables)
    )
    assert shape_fingerprint(same) == shape_fingerprint(contract)


def _write_contract(tmp_path, mutate) -> object:
    document = yaml.safe_load(CONTRACT_PATH.read_text(encoding="utf-8"))
    mutate(document)
    path = tmp_path / "marts.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_a_contract_column_without_a_meaning_is_refused_naming_file_table_and_column(tmp_path):
    def drop_meaning(document):
        del document["tables"]["compliance_summary"]["columns"][5]["meaning"]

    path = _write_contract(tmp_path, drop_meaning)
    with pytest.raises(ContractError, match=f"{path}, table compliance_summary, column in_date: field 'meaning'"):
        load_contract(path)


def test_a_contract_type_outside_the_vocabulary_is_refused(tmp_path):
    def varchar(document):
        document["tables"]["compliance_person"]["columns"][1]["type"] = "varchar(20)"

    with pytest.raises(ContractError, match="column employee_number: type 'varchar\\(20\\)' is not one of"):
        load_contract(_write_contract(tmp_path, varchar))


def test_a_nullable_key_column_is_refused(tmp_path):
    def nullable_key(document):
        document["tables"]["compliance_reconciliation"]["columns"][1]["nullable"] = True

    with pytest.raises(ContractError, match="key column 'employee_number' is nullable"):
        load_contract(_write_contract(tmp_path, nullable_key))
