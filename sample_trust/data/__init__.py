"""Reference data for the sample trust as CSV files an education lead can read and change.

Stations, org units, job roles and their shares, the competence catalogue, the default training needs analysis,
skills, Totara learning items and names. `sample_trust.reference` reads them into typed records.
"""
