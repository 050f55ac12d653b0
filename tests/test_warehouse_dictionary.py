"""The data dictionary is generated from the contract and the models, and the checked-in copy is never stale."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, Table

from warehouse.contracts import load_contract
from warehouse.dictionary import DICTIONARY_PATH, main, render_dictionary
from warehouse.models import compliance_summary


def _escaped(text: str) -> str:
    return text.replace("|", "\\|")


def test_checked_in_dictionary_matches_the_contract_and_models():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render_dictionary(load_contract()), (
        "docs/data-dictionary.md is stale: run `python -m warehouse.dictionary`"
    )


def test_every_published_table_and_column_appears_with_grain_keys_meaning_and_example():
    contract = load_contract()
    dictionary = render_dictionary(contract)
    for table in contract.tables:
        section = dictionary.split(f"\n## {table.name}\n", 1)[1].split("\n## ", 1)[0]
        assert f"- **Grain:** {table.grain}" in section
        assert f"- **Keys:** {', '.join(f'`{key}`' for key in table.keys)}" in section
        for column in table.columns:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{column.name}` |"))
            assert _escaped(column.meaning) in row, row
            assert f"`{_escaped(column.example)}`" in row, row


def test_competence_names_with_pipes_do_not_break_the_table():
    dictionary = render_dictionary(load_contract())
    assert "| `NHS\\|CSTF\\|Fire Safety - 2 Years\\|` |" in dictionary


def test_a_model_comment_the_contract_does_not_mention_is_shown_beside_the_meaning():
    models = MetaData()
    columns = [
        Column(c.name, c.type, nullable=c.nullable, comment="Counted after the trust's 12-week grace period.")
        if c.name == "required"
        else Column(c.name, c.type, nullable=c.nullable, comment=c.comment)
        for c in compliance_summary.columns
    ]
    Table("compliance_summary", models, *columns, schema="marts", comment="Counts for dashboards.")
    dictionary = render_dictionary(load_contract(), models)
    row = next(line for line in dictionary.splitlines() if line.startswith("| `required` |"))
    assert row.endswith(
        "(in_date + expired + missing). Warehouse comment: Counted after the trust's 12-week grace period. | `1520` |"
    )
    assert "\n## compliance_summary\n\nCounts for dashboards.\n" in dictionary
    competence_row = next(line for line in dictionary.splitlines() if line.startswith("| `competency_name` |"))
    assert "Warehouse comment" not in competence_row


def test_check_fails_on_a_stale_file_and_passes_once_regenerated(tmp_path, capsys):
    path = tmp_path / "data-dictionary.md"
    path.write_text("# Data dictionary\n\nOld columns.\n", encoding="utf-8")
    assert main(["--check", "--path", str(path)]) == 1
    assert "is stale: run `python -m warehouse.dictionary`" in capsys.readouterr().err
    assert main(["--path", str(path)]) == 0
    assert main(["--check", "--path", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == render_dictionary(load_contract())


def test_personal_data_columns_of_core_never_appear_in_the_dictionary():
    dictionary = render_dictionary(load_contract())
    for column in ("date_of_birth", "first_name", "last_name", "work_email"):
        assert column not in dictionary
