"""Progress of `followup run` on the terminal: each file loaded (rows loaded/quarantined), each asset built
(dbt models one by one, the published copy), each failed step; Dagster's own chatter stays out."""

from __future__ import annotations

import logging
import sys

import dagster as dg


class ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None)
        if not meta:
            return
        event = meta.get("dagster_event")
        step = (meta.get("step_key") or "").replace("__", "/")
        if event is None:
            # What asset code logs: a landing file's rows, the published copy's progress.
            if record.levelno >= logging.INFO and (step.startswith("raw/") or step == "published_copy"):
                self._print(f"  {meta['orig_message']}")
            return
        if event.event_type_value == "ASSET_MATERIALIZATION":
            self._print(f"  built {event.asset_key.to_user_string()}")
        elif event.event_type_value == "STEP_FAILURE":
            self._print(f"  FAILED {step}")

    @staticmethod
    def _print(line: str) -> None:
        print(line, file=sys.stdout, flush=True)


@dg.logger(description="One line per landing file, built asset and failed step (what `followup run` prints).")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("followup.progress", level=logging.DEBUG)  # events are DEBUG records
    logger.addHandler(ProgressHandler())
    return logger
