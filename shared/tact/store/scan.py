"""The model job's read of the whole table: one paginated Scan for a few kinds of item.

Only the daily model job scans (every other path reads one customer's partition). The filter
keeps the response small, but DynamoDB charges a Scan for every item it reads, filtered or
not: one pass over the table per day.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from tact.store.base import PK_PREFIX, Item


class TableScan:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @cached_property
    def client(self) -> Any:
        if self._client is not None:
            return self._client
        from tact.aws import resource

        return resource("dynamodb").meta.client  # the resource client speaks Python types

    def customers(self, sort_keys: tuple[str, ...]) -> Iterator[tuple[str, list[Item]]]:
        """Each customer's items with one of these sort keys (customers in no given order)."""
        names = {f":k{n}": key for n, key in enumerate(sort_keys)}
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "FilterExpression": f"sk IN ({', '.join(names)})",
            "ExpressionAttributeValues": names,
        }
        found: dict[str, list[Item]] = {}
        while True:
            response = self.client.scan(**kwargs)
            for item in response["Items"]:
                pk = str(item.get("pk", ""))
                if pk.startswith(PK_PREFIX):
                    found.setdefault(pk.removeprefix(PK_PREFIX), []).append(item)
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        yield from found.items()
