"""CLM artefacts by immutable key, and collecting the keys nothing uses any more.

Each training writes its artefact once under a new key (`clm/<account>/<region>/<model>-<id>.clm`);
the model row points at its current key, and a job records the key it pinned at Start (in its
request, `_PinnedLanguageModel`). Deleting or retraining a model only moves or drops the row's
pointer; a key is removed by `collect_unused` once neither a model row nor a QUEUED or
IN_PROGRESS job refers to it, so a job always decodes the very version it pinned, on any node
and either storage backend.
"""
from __future__ import annotations

import json
import logging
import posixpath
import uuid
from typing import Any

from sqlalchemy import Engine, select

from jargonaut.storage.objects import ObjectNotFound
from jargonaut.storage.service_files import ServiceFiles
from jargonaut.store.tables import language_models as models
from jargonaut.store.tables import transcription_jobs as jobs

log = logging.getLogger(__name__)

PINNED_MODEL = "_PinnedLanguageModel"  # internal job request member: {name, artefact (key), base_model_name}
PREFIXES = ("clm/", "job-models/")  # the latter: hard links made for jobs by releases before keys


def new_key(account_id: str, region: str, model_name: str) -> str:
    return f"clm/{account_id}/{region}/{model_name}-{uuid.uuid4().hex[:12]}.clm"


def _model_of(key: str) -> tuple[str, str, str] | None:
    """(account, region, model name) of a `clm/` key."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "clm":
        return None
    return parts[1], parts[2], posixpath.splitext(parts[3])[0].rsplit("-", 1)[0]


def collect_unused(engine: Engine, files: ServiceFiles) -> int:
    """Remove every artefact key no model and no unfinished job refers to; returns how many.

    The order makes it safe against concurrent starts, trainings and retrains without a lock:
    keys are listed first (a key uploaded later is not considered); then the models (a training
    still IN_PROGRESS may be about to point at a key it just wrote, so its keys are kept); then
    the jobs. A job pins a key under a share lock on the model's row, in its insert's
    transaction, so a key that stopped being the model's before the models were read was pinned,
    if at all, by a job committed before that read, and the job read finds it.
    """
    listed = [key for prefix in PREFIXES for key in files.keys(prefix)]
    files.forget_local_copies("clm/", set(listed))  # keys another node removed
    if not listed:
        return 0
    with engine.connect() as conn:
        model_rows = conn.execute(select(models.c.account_id, models.c.region, models.c.name, models.c.status,
                                         models.c.artefact)).all()
    with engine.connect() as conn:
        requests = conn.execute(select(jobs.c.request).where(jobs.c.status.in_(("QUEUED", "IN_PROGRESS")))).scalars().all()
    used = {row.artefact for row in model_rows if row.artefact}
    training = {(row.account_id, row.region, row.name) for row in model_rows if row.status == "IN_PROGRESS"}
    used |= {_pinned_key(request) for request in requests}
    removed = 0
    for key in listed:
        if key in used or _model_of(key) in training:
            continue
        try:
            files.delete(key)
            removed += 1
        except ObjectNotFound:
            pass
    if removed:
        log.info("removed %d CLM artefact%s no model or unfinished job uses", removed, "" if removed == 1 else "s")
    return removed


def _pinned_key(request_json: str) -> Any:
    return (json.loads(request_json).get(PINNED_MODEL) or {}).get("artefact")
