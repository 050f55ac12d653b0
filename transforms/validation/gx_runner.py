"""Great Expectations as the batch verdict: the accepted rows of each batch are validated against the suite, the
results are kept, and Data Docs (HTML) are written for the run.

Data Docs are written once a run's files are in (`write_data_docs`), not after every validation: rendering them
rebuilds the index over every result the process holds, so per validation its cost grew with each chunk and
file of a run (half of Great Expectations' time in a nightly, and more in a backfill).

GX is imported lazily (it costs seconds) and one ephemeral context serves a whole process. Validation uses the
SUMMARY result format: failing rows are found by `row_checks`, not by asking GX for every unexpected index.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from transforms.validation.suites import Suite

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass(frozen=True)
class GxVerdict:
    """What Great Expectations said of one batch."""

    success: bool
    evaluated: int
    failed: tuple[str, ...]

    def describe(self) -> str:
        if self.success:
            return f"all {self.evaluated} expectations met"
        return f"{len(self.failed)} of {self.evaluated} expectations failed: " + "; ".join(self.failed)


class GxValidator:
    """Runs suites through one Great Expectations context and writes Data Docs to `docs_dir`."""

    def __init__(self, docs_dir: Path | None = None) -> None:
        import great_expectations as gx

        for name in ("great_expectations", "great_expectations.data_context.types.base"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._gx = gx
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = {"globally": False}
        self._docs_dir = docs_dir
        if docs_dir is not None:
            docs_dir.mkdir(parents=True, exist_ok=True)
            self._context.add_data_docs_site(
                site_name="learnscape",
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs_dir),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        self._source = self._context.data_sources.add_pandas("learnscape_batches")
        self._checkpoints: dict[str, object] = {}
        self._lock = threading.RLock()
        self._unwritten = False

    def _checkpoint(self, suite: Suite):
        if suite.name in self._checkpoints:
            return self._checkpoints[suite.name]
        gx = self._gx
        from great_expectations.core import ExpectationSuite

        gx_suite = ExpectationSuite(
            name=suite.name,
            expectations=[
                {"type": e.type, "kwargs": e.kwargs, "meta": {"reason": e.reason}} for e in suite.expectations
            ],
        )
        if len(gx_suite.expectations) != len(suite.expectations):
            raise ValueError(f"suite {suite.name}: Great Expectations dropped some expectations on load")
        gx_suite = self._context.suites.add(gx_suite)
        asset = self._source.add_dataframe_asset(suite.name)
        batch = asset.add_batch_definition_whole_dataframe(f"{suite.name}_batch")
        definition = self._context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite.name}_validation", data=batch, suite=gx_suite)
        )
        checkpoint = self._context.checkpoints.add(
            gx.Checkpoint(
                name=f"{suite.name}_checkpoint",
                validation_definitions=[definition],
                actions=[],
                result_format="SUMMARY",
            )
        )
        self._checkpoints[suite.name] = checkpoint
        return checkpoint

    def validate(self, suite: Suite, frame: pd.DataFrame, batch_label: str) -> GxVerdict:
        """Validate one batch (the accepted rows of a file, or a chunk of them).

        A Great Expectations context is not safe to use from two threads at once (tasks submitted to a thread
        pool or a threaded Dask cluster), so validations through one validator take turns.
        """
        with self._lock:
            self._unwritten = True
            return self._validate(suite, frame, batch_label)

    def write_data_docs(self) -> None:
        """Render Data Docs for every validation since the last call (none when nothing was validated)."""
        with self._lock:
            if self._docs_dir is None or not self._unwritten:
                return
            self._context.build_data_docs(site_names=["learnscape"])
            self._unwritten = False

    def _validate(self, suite: Suite, frame: pd.DataFrame, batch_label: str) -> GxVerdict:
        present = [e for e in suite.expectations if all(c in frame.columns for c in e.columns)]
        result = self._checkpoint(suite).run(batch_parameters={"dataframe": frame}, run_id=self._run_id(batch_label))
        failed: list[str] = []
        evaluated = 0
        for validation in result.run_results.values():
            for item in validation.results:
                evaluated += 1
                if not item.success:
                    config = item.expectation_config
                    column = config.kwargs.get("column") or config.kwargs.get("column_A")
                    count = (item.result or {}).get("unexpected_count")
                    failed.append(f"{config.type} on {column} ({count} unexpected)")
        assert evaluated >= len(present) or not present
        return GxVerdict(success=not failed, evaluated=evaluated, failed=tuple(failed))

    def _run_id(self, label: str):
        from great_expectations.core.run_identifier import RunIdentifier

        return RunIdentifier(run_name=label)


_shared: dict[str | None, GxValidator] = {}
_shared_lock = threading.Lock()


def shared_validator(docs_dir: str | None) -> GxValidator:
    """One validator per Data Docs folder per process (creating a GX context costs about a second)."""
    with _shared_lock:
        if docs_dir not in _shared:
            _shared[docs_dir] = GxValidator(Path(docs_dir) if docs_dir else None)
        return _shared[docs_dir]


def write_shared_data_docs(docs_dir: str | None) -> None:
    """Write Data Docs for this process's validator of `docs_dir`, if one was made (never creates a context)."""
    with _shared_lock:
        validator = _shared.get(docs_dir)
    if validator is not None:
        validator.write_data_docs()
