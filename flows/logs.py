"""One logger for pipeline steps: Prefect's run logger inside a flow or task run, the standard one outside."""

from __future__ import annotations

import logging


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.logging import get_run_logger

        if TaskRunContext.get() or FlowRunContext.get():
            return get_run_logger()
    except ImportError:
        pass
    return logging.getLogger("learnscape")
