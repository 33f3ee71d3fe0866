"""Custom language models as a service: Create / Describe / List / Delete, training on the
executor, UpgradeAvailability, and pinning a model's artefact key for the jobs that use it
(see artefacts.py)."""
from __future__ import annotations

import json
import logging
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Connection, Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from jargonaut.asr.base_models import CLM_LANGUAGES, BaseModel, band_for_rate
from jargonaut.domain.language_models import (
    CreateLanguageModel,
    InputDataConfig,
    LanguageModel,
    LanguageModelPage,
    ListLanguageModels,
)
from jargonaut.domain.members import from_members, to_members
from jargonaut.errors import BadRequestError, ConflictError, JargonautError, MediaError, NotFoundError
from jargonaut.executor.base import Executor, ExecutorClosed, WorkerLost, WorkItem
from jargonaut.service import artefacts, leases
from jargonaut.service.arns import LANGUAGE_MODEL, resource_arn
from jargonaut.service.iam import trusts_service
from jargonaut.service.leases import Node
from jargonaut.service.pagination import list_page, next_seq
from jargonaut.service.roles import Role, Roles
from jargonaut.service.tags import tags_dict
from jargonaut.service.training_data import MAX_TRAINING_BYTES, MAX_TUNING_BYTES, download_listing, list_prefix
from jargonaut.service.workdirs import TRAINING_PREFIX, without_paths, work_dir
from jargonaut.storage.objects import ObjectAccess, parse_uri
from jargonaut.storage.service_files import LocalServiceFiles, ServiceFiles
from jargonaut.store.tables import language_models as models

log = logging.getLogger(__name__)

IN_PROGRESS, COMPLETED, FAILED = "IN_PROGRESS", "COMPLETED", "FAILED"
MAX_ATTEMPTS = 3

StoreForRole = Callable[[Role], ObjectAccess]


@lru_cache(maxsize=8)
def _load_artefact(path: str, mtime: float):  # -> NgramLM, cached per file version
    from jargonaut.lm.train import load_clm

    return load_clm(Path(path))


def _load_key(files: ServiceFiles, key: str) -> Any:
    """The artefact under an immutable key (fetched once into the node's cache on S3)."""
    path = files.local_copy(key)
    return _load_artefact(str(path), path.stat().st_mtime)


class LanguageModels:
    def __init__(
        self, engine: Engine, roles: Roles, store_for_role: StoreForRole, data_dir: Path,
        base_models: dict[str, BaseModel], submit: Callable[..., Any], node: Node | None = None,
        files: ServiceFiles | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.engine = engine
        self.roles = roles
        self.store_for_role = store_for_role
        self.data_dir = data_dir
        self.base_models = base_models
        self.submit = submit
        self.node = node or Node("local", 30.0)
        self.executor = executor  # where a claimed training runs; None: in this thread
        self.files: ServiceFiles = files or LocalServiceFiles(data_dir)

    @staticmethod
    def arn(account_id: str, region: str, name: str) -> str:
        return resource_arn(LANGUAGE_MODEL, account_id, region, name)

    def _context(self, account_id: str, region: str, name: str) -> dict[str, str]:
        return {"aws:SourceAccount": account_id, "aws:SourceArn": self.arn(account_id, region, name)}

    # ---- API operations ---------------------------------------------------------------
    def create(self, account_id: str, region: str, create: CreateLanguageModel) -> LanguageModel:
        name = create.name
        request: dict[str, Any] = to_members(create)  # Transcribe's member names, as the record keeps them
        if request.get("EncryptionConfiguration"):
            raise BadRequestError("EncryptionConfiguration (KMS) is not supported by this server.")
        base = self._base_model(request["BaseModelName"], request["LanguageCode"])
        config = request["InputDataConfig"]
        parse_uri(config["S3Uri"])
        if config.get("TuningDataS3Uri"):
            parse_uri(config["TuningDataS3Uri"])
        role = self.roles.by_arn(account_id, config["DataAccessRoleArn"])
        if not trusts_service(role.trust_policy, self._context(account_id, region, name)):
            raise BadRequestError(
                f"The trust policy of {role.arn} doesn't allow transcribe.amazonaws.com to perform sts:AssumeRole "
                "for this account and model. Add the trust relationship from the documentation."
            )
        tags = tags_dict(request.get("Tags"))
        now = time.time()
        with self.engine.begin() as conn:
            seq = next_seq(conn, models)
            try:
                conn.execute(insert(models).values(
                    account_id=account_id, region=region, name=name, status=IN_PROGRESS, seq=seq,
                    language_code=request["LanguageCode"], base_model_name=base.name, base_model_version=base.version,
                    created_at=now, modified_at=now, input_data_config=json.dumps(config), attempts=0,
                    tags=json.dumps(tags), lease_owner=self.node.id, lease_expires=self.node.expiry(), fence=0,
                ))
            except IntegrityError as exc:
                raise ConflictError(f"The language model {name} already exists. Use a different model name.") from exc
        log.info("language model %s (account %s, %s) IN_PROGRESS: training on %s", name, account_id, region,
                 config["S3Uri"])
        self.submit(self.train, account_id, region, name, 0)
        return LanguageModel(name, IN_PROGRESS, request["LanguageCode"], base.name, create.input_data_config,
                             create_time=now, last_modified_time=now)

    def describe(self, account_id: str, region: str, name: str) -> LanguageModel:
        return self._description(self._row(account_id, region, name))

    def report(self, account_id: str, region: str, name: str) -> dict[str, Any]:
        """The training report of a COMPLETED model (beyond Amazon): data, order, terms, spellings."""
        row = self._row(account_id, region, name)
        if row.status != COMPLETED or not row.report:
            raise BadRequestError(f"The language model {name} is {row.status}; a report exists once training completes.")
        clm = _load_key(self.files, row.artefact)
        report = {**json.loads(row.report), "output": row.artefact}  # where it is kept, not where it was trained
        return {"ModelName": name, "ModelArn": self.arn(account_id, region, name), "Report": report,
                "DomainTerms": list(clm.terms), "SpellingVariants": dict(clm.spellings)}

    def list(self, account_id: str, region: str, request: ListLanguageModels) -> LanguageModelPage:
        page, token = list_page(self.engine, models, account_id, region, request.status, request.name_contains,
                                request.max_results, request.next_token)
        return LanguageModelPage(tuple(self._description(r) for r in page), token)

    def delete(self, account_id: str, region: str, name: str) -> None:
        row = self._row(account_id, region, name)
        with self.engine.begin() as conn:
            conn.execute(delete(models).where(_key(account_id, region, name)))
        log.info("language model %s (account %s, %s) deleted", name, account_id, region)
        if row.artefact:
            self.collect_unused()  # the artefact stays while a queued or running job pinned its key

    def retrain(self, account_id: str, region: str, name: str) -> LanguageModel:
        """Train again from the same InputDataConfig on the newest base model (beyond Amazon)."""
        row = self._row(account_id, region, name)
        if row.status == IN_PROGRESS:
            raise ConflictError(f"The language model {name} is already being trained.")
        base = self.base_models[row.base_model_name]
        with self.engine.begin() as conn:
            fence = conn.execute(update(models).where(and_(
                _key(account_id, region, name), models.c.status != IN_PROGRESS)).values(
                status=IN_PROGRESS, failure_reason=None, base_model_version=base.version,
                modified_at=time.time(), attempts=0, lease_owner=self.node.id, lease_expires=self.node.expiry(),
                fence=models.c.fence + 1,
            ).returning(models.c.fence)).scalar()
        if fence is None:  # another node's retrain, or a delete, came first
            raise ConflictError(f"The language model {name} is already being trained.")
        log.info("language model %s (account %s, %s) IN_PROGRESS: retraining on %s version %d", name, account_id,
                 region, base.name, base.version)
        self.submit(self.train, account_id, region, name, fence)
        return self.describe(account_id, region, name)

    # ---- use by transcription jobs and streams -------------------------------------------
    def usable(self, account_id: str, region: str, name: str, language_code: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(models).where(_key(account_id, region, name))).first()
        if row is None:
            raise BadRequestError(
                f"The language model {name} doesn't exist in your account in {region}. Check the model name and region."
            )
        if row.status != COMPLETED:
            raise BadRequestError(
                f"The language model {name} is {row.status}; only a COMPLETED model can be used."
                + (f" It failed: {row.failure_reason}" if row.status == FAILED else " Wait until training completes.")
            )
        if row.language_code != language_code:
            raise BadRequestError(
                f"The language model {name} is for {row.language_code}, but the request's language is {language_code}."
            )
        return row

    def pin(self, conn: Connection, account_id: str, region: str, name: str, language_code: str) -> dict[str, Any]:
        """The artefact key a job records at Start, read in the job insert's transaction `conn`
        under a share lock on the model's row: a retrain or delete committing meanwhile waits for
        the job's row, so the key collector sees the job's reference (see artefacts.py)."""
        row = conn.execute(select(models).where(_key(account_id, region, name)).with_for_update(read=True)).first()
        if row is None or row.status != COMPLETED or not row.artefact or row.language_code != language_code:
            self.usable(account_id, region, name, language_code)  # the reason, as Start reports it
            raise BadRequestError(f"The language model {name} changed while the job was started; start it again.")
        return {"name": name, "artefact": row.artefact, "base_model_name": row.base_model_name}

    def collect_unused(self) -> int:
        """Remove the artefact keys no model and no unfinished job refers to (after deletes,
        retrains, job ends and at start)."""
        return artefacts.collect_unused(self.engine, self.files)

    def load_pinned(self, pinned: dict[str, Any], sample_rate: int) -> Any:
        self._check_band(pinned["name"], pinned["base_model_name"], sample_rate, MediaError)
        return _load_key(self.files, pinned["artefact"])

    def resolve_for_stream(self, account_id: str, region: str, name: str, language_code: str, sample_rate: int) -> Any:
        row = self.usable(account_id, region, name, language_code)
        self._check_band(name, row.base_model_name, sample_rate, BadRequestError)
        return _load_key(self.files, row.artefact)

    def _check_band(self, name: str, base_model_name: str, sample_rate: int, error: type[JargonautError]) -> None:
        if not self.base_models[base_model_name].accepts_rate(sample_rate):
            wanted = {"NarrowBand": "NarrowBand (audio under 16 kHz)",
                      "WideBand": "WideBand (16 kHz and up)"}[band_for_rate(sample_rate)]
            raise error(
                f"The language model {name} was built on the {base_model_name} base model, which doesn't fit "
                f"{sample_rate} Hz audio; use a model built on {wanted}."
            )

    # ---- training on the executor ----------------------------------------------------------
    def recover(self) -> int:
        """At start: take back this node's trainings and those whose lease lapsed (see leases.py)."""
        return self._take_over(including_own=True)

    def take_over_lapsed(self) -> int:
        return self._take_over(including_own=False)

    def renew_leases(self) -> int:
        with self.engine.begin() as conn:
            return leases.renew(conn, models, self.node, (IN_PROGRESS,))

    def give_up_leases(self) -> int:
        with self.engine.begin() as conn:
            return leases.give_up(conn, models, self.node, (IN_PROGRESS,))

    def _take_over(self, including_own: bool) -> int:
        with self.engine.begin() as conn:
            taken = leases.take_over(conn, models, self.node, (IN_PROGRESS,), IN_PROGRESS, including_own)
        for row in taken:
            if not including_own:
                log.info("language model %s (account %s, %s) taken over: its node's lease lapsed", row.name,
                         row.account_id, row.region)
            self.submit(self.train, row.account_id, row.region, row.name, row.fence)
        return len(taken)

    def train(self, account_id: str, region: str, name: str, fence: int) -> None:
        """Worker entry point: trains if this node still holds the model with `fence` (the claim
        raises the token), so a training queued twice, or taken over meanwhile, runs once."""
        with self.engine.begin() as conn:
            claimed = conn.execute(update(models).where(and_(
                _key(account_id, region, name), models.c.status == IN_PROGRESS, leases.held_by(models, self.node, fence),
            )).values(attempts=models.c.attempts + 1, fence=models.c.fence + 1,
                      lease_expires=self.node.expiry())).rowcount
            row = conn.execute(select(models).where(_key(account_id, region, name))).first()
        if not claimed or row is None:
            return
        if row.attempts > MAX_ATTEMPTS:
            self._finish(row, FAILED, "Training was interrupted too many times; create the model again.")
            return
        if self.executor is None:
            self._train_and_finish(row)
            return
        try:
            where = self.executor.train(WorkItem(row.account_id, row.region, row.name, row.fence))
        except ExecutorClosed:
            return  # shutting down: the training stays leased to this node until it is taken over
        except WorkerLost as exc:
            log.warning("training %s (account %s, %s): its worker was lost: %s", name, account_id, region, exc)
            self._finish(row, FAILED, "The worker training the model was lost several times; create the model again.")
            return
        if where:
            log.info("language model %s (account %s, %s) trained on %s", name, account_id, region, where)

    def train_claimed(self, account_id: str, region: str, name: str, fence: int) -> None:
        """Executor entry point (any process): train if the claim with `fence` still holds."""
        with self.engine.connect() as conn:
            row = conn.execute(select(models).where(and_(_key(account_id, region, name), models.c.status == IN_PROGRESS,
                                                         leases.held_by(models, self.node, fence)))).first()
        if row is not None:
            self._train_and_finish(row)

    def _train_and_finish(self, row: Any) -> None:
        name = row.name
        try:
            artefact, report = self._train(row)
        except JargonautError as exc:
            self._finish(row, FAILED, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - a model must end FAILED, never stay IN_PROGRESS
            log.exception("training %s failed", name)
            self._finish(row, FAILED, f"Internal failure while training ({type(exc).__name__}); the server log has the details.")
            return
        if not self._finish(row, COMPLETED, None, artefact=artefact, report=report):
            self.files.delete(artefact)  # deleted, or taken over, while training: nothing refers to it

    def _train(self, row: Any) -> tuple[str, str]:
        from jargonaut.lm.train import train_clm

        config = json.loads(row.input_data_config)
        role = self.roles.by_arn(row.account_id, config["DataAccessRoleArn"])
        context = self._context(row.account_id, row.region, row.name)
        if not trusts_service(role.trust_policy, context):
            raise BadRequestError(f"The trust policy of {role.arn} no longer allows transcribe.amazonaws.com.")
        store = self.store_for_role(role)
        training = list_prefix(store, role, config["S3Uri"], MAX_TRAINING_BYTES, "training", context)
        tuning = None
        if config.get("TuningDataS3Uri"):
            tuning = list_prefix(store, role, config["TuningDataS3Uri"], MAX_TUNING_BYTES, "tuning", context)
        base = self.base_models[row.base_model_name]
        with work_dir(self.data_dir, TRAINING_PREFIX, self.node.id) as tmp:  # removed on the next start if a crash leaves it
            names = download_listing(store, training, Path(tmp) / "training")
            tuning_files: list[Path] | None = None
            if tuning is not None:
                tuning_names = download_listing(store, tuning, Path(tmp) / "tuning")
                names.update(tuning_names)
                tuning_files = sorted(tuning_names)
            output = Path(tmp) / "model.clm"
            try:
                report = train_clm(sorted(p for p in names if "/training/" in p.as_posix()), tuning_files, output,
                                   base.name, row.base_model_version, work_dir=Path(tmp),
                                   base_model_dir=base.model)
            except BadRequestError as exc:
                raise BadRequestError(_name_objects(exc.message, names)) from exc
            artefact = artefacts.new_key(row.account_id, row.region, row.name)  # written once, never changed
            self.files.write_file(artefact, output)
        return artefact, json.dumps(_report_dict(report))

    def _finish(self, row: Any, status: str, reason: str | None, artefact: str | None = None, report: str | None = None) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(models).where(and_(
                _key(row.account_id, row.region, row.name), models.c.status == IN_PROGRESS,
                leases.held_by(models, self.node, row.fence),
            )).values(status=status, failure_reason=without_paths(reason, self.data_dir) if reason else None,
                      modified_at=time.time(),
                      **({"artefact": artefact, "report": report} if artefact else {}))).rowcount
        if done and artefact and row.artefact and row.artefact != artefact:
            self.collect_unused()  # the old version goes once no job that pinned it is left
        if done:
            took = time.time() - row.modified_at
            summary = _report_summary(json.loads(report)) if report else f": {reason}"
            log.info("language model %s (account %s, %s) %s after %.1f s%s", row.name, row.account_id, row.region,
                     status, took, summary)
        return bool(done)

    # ---- helpers ---------------------------------------------------------------------------
    def _base_model(self, name: str, language_code: str) -> BaseModel:
        base = self.base_models.get(name)
        if base is None:
            raise BadRequestError(f"The base model {name} is not installed; use one of {', '.join(self.base_models)}.")
        languages = [code for code in base.languages if code in CLM_LANGUAGES]
        if language_code not in languages:
            raise BadRequestError(
                f"No installed {name} base model supports {language_code} for custom language models; "
                f"supported: {', '.join(languages)}."
            )
        return base

    def _row(self, account_id: str, region: str, name: str) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(models).where(_key(account_id, region, name))).first()
        if row is None:
            raise NotFoundError(f"The language model {name} couldn't be found. Check the model name and try again.")
        return row

    def _description(self, row: Any) -> LanguageModel:
        base = self.base_models.get(row.base_model_name)
        return LanguageModel(
            row.name, row.status, row.language_code, row.base_model_name,
            from_members(InputDataConfig, json.loads(row.input_data_config)),
            create_time=row.created_at, last_modified_time=row.modified_at,
            upgrade_availability=bool(base and base.version > row.base_model_version),
            failure_reason=row.failure_reason,
        )


def _key(account_id: str, region: str, name: str) -> Any:
    """One model: names are unique per account and region, as in Amazon."""
    return and_(models.c.account_id == account_id, models.c.region == region, models.c.name == name)


def _name_objects(message: str, names: dict[Path, str]) -> str:
    """Errors from the trainer name local files; users know their S3 objects."""
    for path, uri in sorted(names.items(), key=lambda item: -len(str(item[0]))):
        message = message.replace(str(path), uri).replace(path.name, uri)
    return message


def _report_summary(report: dict[str, Any]) -> str:
    """A log line's worth of a training report."""
    labels = {"order": "order", "training_words": "training words", "vocab_size": "vocabulary",
              "domain_terms": "domain terms", "spelling_variants": "spelling variants"}
    parts = [f"{label} {report[key]:,}" for key, label in labels.items() if isinstance(report.get(key), int)]
    return ": " + ", ".join(parts) if parts else ""


def _report_dict(report: Any) -> dict[str, Any]:
    if hasattr(report, "to_dict"):
        return report.to_dict()
    from dataclasses import asdict, is_dataclass

    return asdict(report) if is_dataclass(report) else {"report": str(report)}
