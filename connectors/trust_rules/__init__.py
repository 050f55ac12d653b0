"""The trust's own rule files (training needs analysis, skills framework, role skill profiles): CSV readers."""
