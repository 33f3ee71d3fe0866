"""Wiring: the services one server process runs, built from settings."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from jargonaut.asr.base_models import BaseModel, configured_base_models
from jargonaut.executor.pool import WorkerPool
from jargonaut.service.accounts import Accounts
from jargonaut.service.transcription_jobs import TranscriptionJobs
from jargonaut.settings import Settings
from jargonaut.storage import open_object_store
from jargonaut.storage.objects import ObjectStore
from jargonaut.store.database import open_engine


@dataclass
class Services:
    settings: Settings
    engine: Engine
    accounts: Accounts
    store: ObjectStore
    base_models: dict[str, BaseModel]
    pool: WorkerPool
    jobs: TranscriptionJobs

    def close(self) -> None:
        self.pool.shutdown(wait=False)
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(settings.database)
    store = open_object_store(settings)
    base_models = configured_base_models()
    pool = WorkerPool(settings.workers)
    jobs = TranscriptionJobs(engine, store, settings.data_dir, base_models, pool.submit)
    return Services(settings, engine, Accounts(engine), store, base_models, pool, jobs)
