"""The bad-input corpus: malformed files for every file source, made by code.

Each case says how to make the input and what must become of it (refused, naming the file and where the
spec asks the row and field; or loaded with the bad rows quarantined by file, row, field and reason). The
inputs are written fresh by each test, so the corpus is a table rather than a folder of checked-in files.
Misbehaving API answers (wrong JSON types, HTML error pages, cut-off JSON) come from the stand-ins' fault
switches in `test_bad_inputs.py`.
"""

from tests.reliability.corpus.esr_cases import ESR_CASES
from tests.reliability.corpus.model import BadFile, Expected
from tests.reliability.corpus.rule_cases import RULE_CASES
from tests.reliability.corpus.survey_cases import SURVEY_CASES
from tests.reliability.corpus.totara_cases import TOTARA_CASES

FILE_CASES: tuple[BadFile, ...] = ESR_CASES + TOTARA_CASES + RULE_CASES + SURVEY_CASES

__all__ = ["FILE_CASES", "BadFile", "Expected"]
