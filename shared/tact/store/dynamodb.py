"""The deployed store: one DynamoDB table, one Query per read, one transaction per write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from tact.store.base import (
    Check,
    ConditionFailed,
    IndexQuery,
    Item,
    Page,
    Put,
    ScanSegment,
    StoreTransientError,
    Write,
    dynamo_safe,
    live,
)
from tact.store.keys import PK_PREFIX, PROFILE, pk

LIFECYCLE_INDEX = "gsi1"


class DynamoStore:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @cached_property
    def client(self) -> Any:
        if self._client is not None:
            return self._client
        from tact.aws import resource

        return resource("dynamodb").meta.client  # the resource client speaks Python types

    def read_customer(self, customer_id: str, now: datetime) -> list[Item]:
        epoch = int(now.timestamp())
        items: list[Item] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": pk(customer_id)},
            "ConsistentRead": True,  # a send must see the consent written a moment ago
        }
        while True:
            response = self._call("query", **kwargs)
            items.extend(i for i in response["Items"] if live(i, epoch))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def write(self, customer_id: str, writes: Sequence[Write]) -> None:
        key = pk(customer_id)
        actions = [_action(self.table_name, key, w) for w in writes]
        if len(actions) == 1 and "Put" in actions[0]:
            # A single write needs no transaction: half the cost, same condition semantics.
            try:
                self._call("put_item", **actions[0]["Put"])
            except self.client.exceptions.ConditionalCheckFailedException:
                raise ConditionFailed(["ConditionalCheckFailed"]) from None
            return
        try:
            self._call("transact_write_items", TransactItems=actions)
        except self.client.exceptions.TransactionCanceledException as err:
            reasons = [r.get("Code", "None") for r in err.response.get("CancellationReasons", [])]
            if any(r in ("TransactionConflict", "ThrottlingError") for r in reasons):
                raise StoreTransientError(", ".join(reasons)) from None
            raise ConditionFailed(reasons) from None

    def query_index(self, query: IndexQuery, cursor: Any = None) -> Page:
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": LIFECYCLE_INDEX,
            "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {
                ":p": query.index_pk, ":a": query.sk_from, ":b": query.sk_to,
            },
        }
        if query.limit:
            kwargs["Limit"] = query.limit
        if cursor:
            kwargs["ExclusiveStartKey"] = cursor
        response = self._call("query", **kwargs)
        return Page(response["Items"], response.get("LastEvaluatedKey"))

    def scan_profiles(self, scan: ScanSegment, cursor: Any = None) -> Page:
        return self.scan_items(scan, (PROFILE,), cursor)

    def scan_items(self, scan: ScanSegment, sort_keys: tuple[str, ...],
                   cursor: Any = None) -> Page:
        names = {f":k{n}": key for n, key in enumerate(sort_keys)}
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "Segment": scan.segment,
            "TotalSegments": scan.total,
            # Only these items come back (a customer's other items stay on the server; the
            # read units are those of every item scanned either way).
            "FilterExpression": f"sk IN ({', '.join(names)})",
            "ExpressionAttributeValues": names,
        }
        if scan.limit:
            kwargs["Limit"] = scan.limit
        if cursor:
            kwargs["ExclusiveStartKey"] = cursor
        response = self._call("scan", **kwargs)
        items = [{**item, "customer_id": str(item["pk"]).removeprefix(PK_PREFIX)}
                 for item in response["Items"] if str(item.get("pk", "")).startswith(PK_PREFIX)]
        return Page(items, response.get("LastEvaluatedKey"))

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except (
            self.client.exceptions.ProvisionedThroughputExceededException,
            self.client.exceptions.RequestLimitExceeded,
        ) as err:
            raise StoreTransientError(str(err)) from None


def _action(table: str, key: str, write: Write) -> dict[str, Any]:
    if isinstance(write, Check):
        return {"ConditionCheck": _check(table, key, write)}
    if isinstance(write, Put):
        body: dict[str, Any] = {"TableName": table, "Item": dynamo_safe({**write.item, "pk": key})}
    else:
        body = {"TableName": table, "Key": {"pk": key, "sk": write.sk}}
    expect = write.expect
    if expect == "absent":
        body["ConditionExpression"] = "attribute_not_exists(pk)"
    elif expect == "present":
        body["ConditionExpression"] = "attribute_exists(pk)"
    elif isinstance(expect, int) and expect == 0:
        body["ConditionExpression"] = "attribute_not_exists(pk) OR #v = :v"
        body["ExpressionAttributeNames"] = {"#v": "version"}
        body["ExpressionAttributeValues"] = {":v": 0}
    elif isinstance(expect, int):
        body["ConditionExpression"] = "#v = :v"
        body["ExpressionAttributeNames"] = {"#v": "version"}
        body["ExpressionAttributeValues"] = {":v": expect}
    return {"Put": body} if isinstance(write, Put) else {"Delete": body}


def _check(table: str, key: str, check: Check) -> dict[str, Any]:
    body: dict[str, Any] = {"TableName": table, "Key": {"pk": key, "sk": check.sk}}
    if check.expect == "absent":
        body["ConditionExpression"] = "attribute_not_exists(pk)"
        return body
    terms = ["attribute_exists(pk)"]
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for n, (name, value) in enumerate(sorted(check.expect.items())):
        terms.append(f"#a{n} = :a{n}")
        names[f"#a{n}"] = name
        values[f":a{n}"] = dynamo_safe(value)
    body["ConditionExpression"] = " AND ".join(terms)
    if names:
        body["ExpressionAttributeNames"] = names
        body["ExpressionAttributeValues"] = values
    return body
