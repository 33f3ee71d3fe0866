"""Wiring: the services one server process runs, built from settings."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from jargonaut.asr.base_models import BaseModel
from jargonaut.asr.engine import SpeechEngine
from jargonaut.executor.pool import WorkerPool
from jargonaut.service.accounts import Accounts
from jargonaut.service.buckets import Buckets, Caller
from jargonaut.service.language_models import LanguageModels
from jargonaut.service.roles import Role, Roles
from jargonaut.service.tags import Tags
from jargonaut.service.transcription_jobs import TranscriptionJobs
from jargonaut.service.vocabularies import Vocabularies
from jargonaut.service.vocabulary_filters import VocabularyFilters
from jargonaut.service.workdirs import remove_work_dirs
from jargonaut.settings import Settings
from jargonaut.storage import open_object_store
from jargonaut.storage.objects import ObjectAccess, ObjectStore
from jargonaut.storage.s3 import S3Objects
from jargonaut.store.database import open_engine
from jargonaut.store.upgrade import upgrade_schema


@dataclass
class Services:
    settings: Settings
    engine: Engine
    accounts: Accounts
    store: ObjectStore
    base_models: dict[str, BaseModel]
    speech: SpeechEngine  # the one recognition engine, handed to job workers and stream decoders
    pool: WorkerPool
    training_pool: WorkerPool
    jobs: TranscriptionJobs
    roles: Roles
    language_models: LanguageModels
    buckets: Buckets
    tags: Tags
    vocabulary_filters: VocabularyFilters
    vocabularies: Vocabularies
    word_pool: WorkerPool

    def recover(self) -> tuple[int, int]:
        """Clean what a crash left behind, then resume it: (transcription jobs, CLM trainings)."""
        remove_work_dirs(self.settings.data_dir)
        self.jobs.remove_unused_pins()
        self.vocabularies.recover()
        return self.jobs.recover(), self.language_models.recover()

    def close(self) -> None:
        self.pool.shutdown(wait=False)
        self.training_pool.shutdown(wait=False)
        self.word_pool.shutdown(wait=False)
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(settings.database)
    upgrade_schema(engine, settings.region)
    store = open_object_store(settings)
    speech = SpeechEngine.from_settings(settings)
    base_models = speech.base_models
    pool = WorkerPool(settings.workers)
    training_pool = WorkerPool(1)  # training never holds up transcription jobs
    roles = Roles(engine)
    buckets = Buckets(engine, store)

    def store_for_role(role: Role) -> ObjectAccess:
        # A role that carries storage keys reads with them (S3 backend); otherwise the service's store.
        # Either way the bucket's owner must be the role's account or grant it in the bucket policy.
        role_store: ObjectStore = store
        if settings.s3_endpoint_url and role.s3_access_key_id:
            role_store = S3Objects(settings.s3_endpoint_url, role.s3_access_key_id, role.s3_secret_access_key or "", settings.s3_region)
        return buckets.view(Caller(role.account_id, role.arn), role_store)

    language_models = LanguageModels(engine, roles, store_for_role, settings.data_dir, base_models,
                                     training_pool.submit)
    languages = lambda: {code for base in base_models.values() for code in base.languages}  # noqa: E731
    vocabulary_filters = VocabularyFilters(engine, buckets, settings.data_dir, languages)
    word_pool = WorkerPool(1)  # checking a vocabulary takes moments: never behind a CLM training or a job
    vocabularies = Vocabularies(engine, buckets, settings.data_dir, languages, word_pool.submit)
    jobs = TranscriptionJobs(engine, store, settings.data_dir, base_models, pool.submit, language_models,
                             settings.max_pending_jobs, buckets, vocabulary_filters, vocabularies, speech=speech)
    return Services(settings, engine, Accounts(engine), store, base_models, speech, pool, training_pool, jobs, roles,
                    language_models, buckets, Tags(engine), vocabulary_filters, vocabularies, word_pool)
