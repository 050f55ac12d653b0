"""Staff surveys and post-course evaluations: readers for the NHS Staff Survey, pulse and evaluation files.

Every reader anonymises as it reads (Sample ID, learner references and free text never enter a frame) and
returns pandas frames plus a problems frame; a file that cannot be read as a whole raises `SurveyFileError`.
"""

from connectors.surveys.definitions import (
    LocalItem,
    Scale,
    SurveyDefinitions,
    load_survey_definitions,
)
from connectors.surveys.errors import SurveyFileError, SurveySchemaError
from connectors.surveys.evaluations import CourseEvaluations, read_evaluations
from connectors.surveys.localities import LocalityLevel, LocalityMap, load_locality_map
from connectors.surveys.published import PublishedResults, read_published_results
from connectors.surveys.responses import SurveyResponses, read_nss_responses, read_pulse_responses

__all__ = [
    "CourseEvaluations",
    "LocalItem",
    "LocalityLevel",
    "LocalityMap",
    "PublishedResults",
    "Scale",
    "SurveyDefinitions",
    "SurveyFileError",
    "SurveyResponses",
    "SurveySchemaError",
    "load_locality_map",
    "load_survey_definitions",
    "read_evaluations",
    "read_nss_responses",
    "read_published_results",
    "read_pulse_responses",
]
