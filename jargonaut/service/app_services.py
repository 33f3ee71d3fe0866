"""Wiring: the services one server process runs, built from settings."""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Engine

from jargonaut.asr.base_models import BaseModel
from jargonaut.asr.engine import SpeechEngine
from jargonaut.executor.base import Executor
from jargonaut.executor.local import LocalExecutor
from jargonaut.executor.pool import WorkerPool
from jargonaut.service.accounts import Accounts
from jargonaut.service.buckets import Buckets, Caller
from jargonaut.service.language_models import LanguageModels
from jargonaut.service.leases import Heartbeat, Node
from jargonaut.service.nodes import Nodes
from jargonaut.service.roles import Role, Roles
from jargonaut.service.stream_leases import StreamLeases
from jargonaut.service.tags import Tags
from jargonaut.service.transcription_jobs import TranscriptionJobs
from jargonaut.service.vocabularies import Vocabularies
from jargonaut.service.vocabulary_filters import VocabularyFilters
from jargonaut.service.work import Work
from jargonaut.service.workdirs import remove_work_dirs
from jargonaut.settings import Settings
from jargonaut.storage import open_object_store, open_service_files, reserved_buckets
from jargonaut.storage.objects import ObjectAccess, ObjectStore
from jargonaut.storage.s3 import S3Objects
from jargonaut.store.database import open_engine


@dataclass
class Services:
    settings: Settings
    engine: Engine
    accounts: Accounts
    store: ObjectStore
    base_models: dict[str, BaseModel]
    speech: SpeechEngine  # the one recognition engine, handed to job workers and stream decoders
    pool: WorkerPool  # a thread per job in flight: it runs the job, or waits while the executor runs it
    training_pool: WorkerPool
    jobs: TranscriptionJobs
    roles: Roles
    language_models: LanguageModels
    buckets: Buckets
    tags: Tags
    vocabulary_filters: VocabularyFilters
    vocabularies: Vocabularies
    word_pool: WorkerPool
    node: Node
    stream_leases: StreamLeases
    nodes: Nodes
    work: Work
    executor: Executor
    heartbeat: Heartbeat | None = None

    def recover(self) -> tuple[int, int]:
        """Clean what a crash left behind, resume this node's work and work whose lease lapsed,
        then start the heartbeat: (transcription jobs, CLM trainings)."""
        self.nodes.beat()  # first: from now on no other node takes this one's scratch for a dead node's
        remove_work_dirs(self.settings.data_dir, self.node.id)
        self.nodes.remove_scratch_of_gone_nodes()
        self.language_models.collect_unused()  # versions left by deletes and retrains, once their jobs ended
        self.stream_leases.forget_node()
        self.vocabularies.recover()
        resumed = self.jobs.recover(), self.language_models.recover()
        self.heartbeat = Heartbeat(self.node.heartbeat_seconds, [
            self.nodes.beat, self.jobs.renew_leases, self.language_models.renew_leases, self.stream_leases.renew,
            self.vocabularies.renew_leases, self.jobs.take_over_lapsed, self.language_models.take_over_lapsed,
            self.vocabularies.take_over_lapsed, self.nodes.remove_scratch_of_gone_nodes,
        ])
        self.heartbeat.start()
        return resumed

    def close(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
            # Other nodes may take this node's unfinished work now rather than after the lease.
            self.jobs.give_up_leases()
            self.language_models.give_up_leases()
            self.vocabularies.give_up_leases()
            self.nodes.leave()
        self.stream_leases.forget_node()
        self.pool.shutdown(wait=False)
        self.training_pool.shutdown(wait=False)
        self.word_pool.shutdown(wait=False)
        self.executor.close()
        self.engine.dispose()


def build_services(settings: Settings) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(settings.database, settings.region)
    node = Node(settings.node, float(settings.lease_seconds))
    store = open_object_store(settings)
    files = open_service_files(settings)  # transcripts and CLM artefacts: S3's service bucket, or DATA_DIR
    speech = SpeechEngine.from_settings(settings)
    base_models = speech.base_models
    pool = WorkerPool(settings.workers)
    training_pool = WorkerPool(1)  # training never holds up transcription jobs
    roles = Roles(engine)
    buckets = Buckets(engine, store, reserved_buckets(settings))

    def store_for_role(role: Role) -> ObjectAccess:
        # A role that carries storage keys reads with them (S3 backend); otherwise the service's store.
        # Either way the bucket's owner must be the role's account or grant it in the bucket policy.
        role_store: ObjectStore = store
        if settings.s3_endpoint_url and role.s3_access_key_id:
            role_store = S3Objects(settings.s3_endpoint_url, role.s3_access_key_id, role.s3_secret_access_key or "", settings.s3_region)
        return buckets.view(Caller(role.account_id, role.arn), role_store)

    language_models = LanguageModels(engine, roles, store_for_role, settings.data_dir, base_models,
                                     training_pool.submit, node, files)
    languages = lambda: {code for base in base_models.values() for code in base.languages}  # noqa: E731
    vocabulary_filters = VocabularyFilters(engine, buckets, settings.data_dir, languages)
    word_pool = WorkerPool(1)  # checking a vocabulary takes moments: never behind a CLM training or a job
    vocabularies = Vocabularies(engine, buckets, settings.data_dir, languages, word_pool.submit, node)
    jobs = TranscriptionJobs(engine, store, settings.data_dir, base_models, pool.submit, language_models,
                             settings.max_pending_jobs, buckets, vocabulary_filters, vocabularies, speech=speech, node=node, files=files)
    work = Work(jobs, language_models)
    executor = open_executor(settings, work)
    jobs.executor = language_models.executor = executor
    return Services(settings, engine, Accounts(engine), store, base_models, speech, pool, training_pool, jobs, roles,
                    language_models, buckets, Tags(engine), vocabulary_filters, vocabularies, word_pool, node,
                    StreamLeases(engine, node, settings.max_streams_per_account), Nodes(engine, node, settings.data_dir),
                    work, executor)


def open_executor(settings: Settings, work: Work) -> Executor:
    """JARGONAUT_EXECUTOR: `local` runs work in this process; anything else names a Ray cluster."""
    if settings.executor == "local":
        return LocalExecutor(work)
    from jargonaut.executor.ray_executor import RayExecutor  # ray is an optional extra

    return RayExecutor(settings, build_worker)


def build_worker(settings: Settings) -> Work:
    """In a Ray worker process: the services rebuilt from the node's settings, running work here."""
    return build_services(replace(settings, executor="local")).work
