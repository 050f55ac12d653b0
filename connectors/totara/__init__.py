"""Totara LMS: the external GraphQL API client (users and job assignments) and the Report Builder CSV exports
(course, certification and competency completions), with every Totara quirk kept here."""
