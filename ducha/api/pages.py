"""What the API's routes share: a list cut into pages, a file answered
(documented as a binary body), a location to answer with, a form's refusal."""

from collections.abc import Callable
from typing import Annotated, Any, cast

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from ninja import Path, Schema
from pydantic import Field, create_model

from ducha.api.errors import refused_form
from ducha.core.access import Actor

__all__ = [
    "Id",
    "Ids",
    "MAX_PAGE_SIZE",
    "Paging",
    "actor",
    "file_response",
    "location",
    "page_of",
    "page_schema",
    "refuse_invalid",
    "uploaded",
]

# A record's id as a route takes it: a number the database can hold (a larger one would be
# a server error on SQLite and PostgreSQL alike, not a 404).
MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Ids = list[Annotated[int, Field(ge=1, le=MAX_ID)]]  # chosen records, in a body

MAX_PAGE_SIZE = 200


class Paging(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


def page_schema(name: str, item: type[Schema]) -> type[Schema]:
    """{count, page, pages, results}: the ledgers' page shape, for another kind of item."""
    return create_model(name, __base__=Schema, count=(int, ...), page=(int, ...), pages=(int, ...),
                        results=(list[item], ...))  # type: ignore[valid-type]  # fmt: skip


def page_of(qs, paging: Paging, to_item: Callable[[Any], Any]) -> dict[str, Any]:
    page = Paginator(qs, paging.page_size).get_page(paging.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [to_item(obj) for obj in page.object_list],
    }


def file_response(content_type: str, description: str) -> dict[str, Any]:
    """The openapi_extra of a route that answers with a file (a FileResponse passes ninja by)."""
    body = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": {content_type: body}}}}


def location(url_name: str, *args: Any) -> str:
    return reverse(f"api-v1:{url_name}", args=args)


def refuse_invalid(form) -> None:
    """A form's refusal as the API answers it: 422, each field's messages (the form's own)."""
    if not form.is_valid():
        raise refused_form(form)


def actor(request) -> Actor:
    """The token's user (BearerToken set it): who an action is taken as."""
    return cast(Actor, request.user)


def uploaded(**files: Any) -> MultiValueDict:
    """The files a route took, as a form takes them (request.FILES); a missing optional one left out."""
    return MultiValueDict({name: [file] for name, file in files.items() if file is not None})
