"""Data that describes data: Great Expectations suites, heading maps, status-code maps and default trust rules.

Kept as files a data engineer can read and change without touching Python; `schemas.path(name)` finds them.
"""

from pathlib import Path

SCHEMAS_DIR = Path(__file__).parent


def path(*parts: str) -> Path:
    """The path of a schema file shipped with the product, e.g. path("expectations", "esr_competences.json")."""
    return SCHEMAS_DIR.joinpath(*parts)
