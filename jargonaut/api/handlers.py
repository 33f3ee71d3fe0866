"""One thin handler per Transcribe operation: call the service with the request.

Handlers take a domain request and return a domain result; `api/operations.py` converts AWS
dictionaries to and from them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from jargonaut.domain.language_models import (
    CreateLanguageModel,
    DeleteLanguageModel,
    DescribeLanguageModel,
    LanguageModel,
    LanguageModelPage,
    ListLanguageModels,
)
from jargonaut.domain.tags import ListTagsForResource, ResourceTags, TagResource, UntagResource
from jargonaut.domain.transcription_jobs import (
    DeleteTranscriptionJob,
    GetTranscriptionJob,
    ListTranscriptionJobs,
    StartTranscriptionJob,
    TranscriptionJob,
    TranscriptionJobPage,
)
from jargonaut.domain.vocabularies import (
    CreateVocabulary,
    DeleteVocabulary,
    GetVocabulary,
    ListVocabularies,
    UpdateVocabulary,
    Vocabulary,
    VocabularyPage,
)
from jargonaut.domain.vocabulary_filters import (
    CreateVocabularyFilter,
    DeleteVocabularyFilter,
    GetVocabularyFilter,
    ListVocabularyFilters,
    UpdateVocabularyFilter,
    VocabularyFilter,
    VocabularyFilterPage,
)
from jargonaut.principal import Principal
from jargonaut.service.app_services import Services


@dataclass(frozen=True)
class CallContext:
    principal: Principal
    region: str  # the region the request was signed for: resources are scoped by account and region
    services: Services
    transcript_url: Callable[..., str]  # (account_id, region, job name, extension="json") -> pre-signed URL
    presign: Callable[[str], str]  # a path on this server -> pre-signed URL (downloads)

    @property
    def owner(self) -> tuple[str, str]:
        return self.principal.account_id, self.region


Handler = Callable[[CallContext, Any], Any]  # a domain request in, a domain result (or None) out


def start_transcription_job(ctx: CallContext, request: StartTranscriptionJob) -> TranscriptionJob:
    return ctx.services.jobs.start(*ctx.owner, request)


def get_transcription_job(ctx: CallContext, request: GetTranscriptionJob) -> TranscriptionJob:
    return ctx.services.jobs.get(*ctx.owner, request.name, ctx.transcript_url)


def list_transcription_jobs(ctx: CallContext, request: ListTranscriptionJobs) -> TranscriptionJobPage:
    return ctx.services.jobs.list(*ctx.owner, request)


def delete_transcription_job(ctx: CallContext, request: DeleteTranscriptionJob) -> None:
    ctx.services.jobs.delete(*ctx.owner, request.name)


def create_language_model(ctx: CallContext, request: CreateLanguageModel) -> LanguageModel:
    return ctx.services.language_models.create(*ctx.owner, request)


def describe_language_model(ctx: CallContext, request: DescribeLanguageModel) -> LanguageModel:
    return ctx.services.language_models.describe(*ctx.owner, request.name)


def list_language_models(ctx: CallContext, request: ListLanguageModels) -> LanguageModelPage:
    return ctx.services.language_models.list(*ctx.owner, request)


def delete_language_model(ctx: CallContext, request: DeleteLanguageModel) -> None:
    ctx.services.language_models.delete(*ctx.owner, request.name)


def put_vocabulary(ctx: CallContext, request: CreateVocabulary | UpdateVocabulary) -> Vocabulary:
    """CreateVocabulary and UpdateVocabulary: the same content, a new vocabulary or a replaced one."""
    if isinstance(request, CreateVocabulary):
        return ctx.services.vocabularies.create(*ctx.owner, request)
    return ctx.services.vocabularies.update(*ctx.owner, request)


def get_vocabulary(ctx: CallContext, request: GetVocabulary) -> Vocabulary:
    account = ctx.principal.account_id
    return ctx.services.vocabularies.get(
        account, ctx.region, request.name, lambda name: ctx.presign(f"/vocabularies/{ctx.region}/{account}/{name}.txt"))


def list_vocabularies(ctx: CallContext, request: ListVocabularies) -> VocabularyPage:
    return ctx.services.vocabularies.list(*ctx.owner, request)


def delete_vocabulary(ctx: CallContext, request: DeleteVocabulary) -> None:
    ctx.services.vocabularies.delete(*ctx.owner, request.name)


def put_vocabulary_filter(ctx: CallContext, request: CreateVocabularyFilter | UpdateVocabularyFilter) -> VocabularyFilter:
    """CreateVocabularyFilter and UpdateVocabularyFilter: the same words, a new filter or a replaced one."""
    if isinstance(request, CreateVocabularyFilter):
        return ctx.services.vocabulary_filters.create(*ctx.owner, request)
    return ctx.services.vocabulary_filters.update(*ctx.owner, request)


def get_vocabulary_filter(ctx: CallContext, request: GetVocabularyFilter) -> VocabularyFilter:
    account = ctx.principal.account_id
    return ctx.services.vocabulary_filters.get(
        account, ctx.region, request.name,
        lambda name: ctx.presign(f"/vocabulary-filters/{ctx.region}/{account}/{name}.txt"))


def list_vocabulary_filters(ctx: CallContext, request: ListVocabularyFilters) -> VocabularyFilterPage:
    return ctx.services.vocabulary_filters.list(*ctx.owner, request)


def delete_vocabulary_filter(ctx: CallContext, request: DeleteVocabularyFilter) -> None:
    ctx.services.vocabulary_filters.delete(*ctx.owner, request.name)


def tag_resource(ctx: CallContext, request: TagResource) -> None:
    ctx.services.tags.tag(*ctx.owner, request)


def untag_resource(ctx: CallContext, request: UntagResource) -> None:
    ctx.services.tags.untag(*ctx.owner, request)


def list_tags_for_resource(ctx: CallContext, request: ListTagsForResource) -> ResourceTags:
    return ctx.services.tags.list(*ctx.owner, request)


# Every operation: its domain request type and the handler that takes it (services take and return
# domain objects, jargonaut/domain; api/operations.py converts AWS dictionaries to and from them).
HANDLERS: dict[str, tuple[type, Handler]] = {
    "CreateLanguageModel": (CreateLanguageModel, create_language_model),
    "DescribeLanguageModel": (DescribeLanguageModel, describe_language_model),
    "ListLanguageModels": (ListLanguageModels, list_language_models),
    "DeleteLanguageModel": (DeleteLanguageModel, delete_language_model),
    "StartTranscriptionJob": (StartTranscriptionJob, start_transcription_job),
    "GetTranscriptionJob": (GetTranscriptionJob, get_transcription_job),
    "ListTranscriptionJobs": (ListTranscriptionJobs, list_transcription_jobs),
    "DeleteTranscriptionJob": (DeleteTranscriptionJob, delete_transcription_job),
    "CreateVocabulary": (CreateVocabulary, put_vocabulary),
    "UpdateVocabulary": (UpdateVocabulary, put_vocabulary),
    "GetVocabulary": (GetVocabulary, get_vocabulary),
    "ListVocabularies": (ListVocabularies, list_vocabularies),
    "DeleteVocabulary": (DeleteVocabulary, delete_vocabulary),
    "CreateVocabularyFilter": (CreateVocabularyFilter, put_vocabulary_filter),
    "UpdateVocabularyFilter": (UpdateVocabularyFilter, put_vocabulary_filter),
    "GetVocabularyFilter": (GetVocabularyFilter, get_vocabulary_filter),
    "ListVocabularyFilters": (ListVocabularyFilters, list_vocabulary_filters),
    "DeleteVocabularyFilter": (DeleteVocabularyFilter, delete_vocabulary_filter),
    "TagResource": (TagResource, tag_resource),
    "UntagResource": (UntagResource, untag_resource),
    "ListTagsForResource": (ListTagsForResource, list_tags_for_resource),
}
