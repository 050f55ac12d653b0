"""The deterministic sample-data generator: a realistic ambulance trust's ESR, Totara and trust rules files.

`generate_sample_trust` writes the landing folder, stand-in seed data and a README. Generators of other sources
(student system, surveys) describe the same workforce with `iter_people` and the same catalogue and training
needs analysis with `load_training_needs` and `required_competences`.
"""

from sample_trust.catalogue import Competence, TrainingNeeds, load_training_needs
from sample_trust.competences import required_competences
from sample_trust.generate import SampleTrustSummary, generate_sample_trust
from sample_trust.people import Assignment, Person, iter_people

__all__ = [
    "Assignment",
    "Competence",
    "Person",
    "SampleTrustSummary",
    "TrainingNeeds",
    "generate_sample_trust",
    "iter_people",
    "load_training_needs",
    "required_competences",
]
