"""Query strings (and form fields) read strictly: a parameter that takes one value but is
sent several times is refused (422), not cut to its last value (ninja's default), so a
client never gets an answer to a question it did not ask (`?status=found&status=dismissed`
on a one-value filter)."""

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser


class StrictParser(Parser):
    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict:
        result: dict = {}
        for key, values in data.lists():
            # Several values for a one-value parameter reach the schema as a list: it refuses them.
            result[key] = values if key in list_fields or len(values) > 1 else values[0]
        return result
