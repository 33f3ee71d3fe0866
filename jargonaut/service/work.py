"""The worker side of the executor seam: runs a claimed job or training on one process's
services (the node's own, or those a Ray worker built from Settings)."""
from __future__ import annotations

from dataclasses import dataclass

from jargonaut.executor.base import WorkItem
from jargonaut.service.language_models import LanguageModels
from jargonaut.service.transcription_jobs import TranscriptionJobs


@dataclass
class Work:
    jobs: TranscriptionJobs
    language_models: LanguageModels

    def transcribe(self, item: WorkItem) -> None:
        self.jobs.run_claimed(item.account_id, item.region, item.name, item.fence)

    def train(self, item: WorkItem) -> None:
        self.language_models.train_claimed(item.account_id, item.region, item.name, item.fence)
