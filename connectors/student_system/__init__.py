"""Connector for the student management system's REST API: the HTTP client, incremental paging with
watermarks, and typed records for students, enrolments, module results, placements and practice assessments.
"""
