"""Per-user memory in DynamoDB: the ASK SDK's adapter, with items that expire a year after use.

Each item is ``{id, attributes, ttl}``: the Alexa user id, the attributes, and ``ttl``, the
epoch second one year after this write, which the table's TimeToLiveSpecification
(``template.yaml``) names. Every save refreshes it, so the memory of someone who stops using
the skill is deleted by DynamoDB a year after their last visit (PRIVACY.md, "How long").

boto3 is imported with this module, and this module only when a table is configured.

>>> TTL_SECONDS // 86400
365
"""

from __future__ import annotations

import time
from typing import Any

import boto3
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope
from botocore.config import Config

from .persistence import STORE_TIMEOUT, user_key

#: The item attribute DynamoDB's time to live reads (template.yaml names the same one).
TTL_ATTRIBUTE = "ttl"
#: How long an unused memory is kept: a year, counted from the last save.
TTL_SECONDS = 365 * 24 * 3600


class ExpiringDynamoDbAdapter(AbstractPersistenceAdapter):
    """The SDK's ``DynamoDbAdapter``, wrapped so that every save also writes ``ttl`` a year ahead.

    Reads and deletes are the SDK's own (``get_item`` with a consistent read, ``delete_item``).
    It is wrapped rather than subclassed because the SDK's module builds a boto3 resource as it
    is imported, which fails where no region is set; here that happens only when a store is.
    """

    def __init__(self, table_name: str, resource: Any) -> None:
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter

        self.sdk = DynamoDbAdapter(
            table_name=table_name,
            partition_key_name="id",
            attribute_name="attributes",
            create_table=False,
            partition_keygen=user_key,
            dynamodb_resource=resource,
        )
        self.table = resource.Table(table_name)

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        attributes: dict[str, Any] = self.sdk.get_attributes(request_envelope)
        return attributes

    def save_attributes(
        self, request_envelope: RequestEnvelope, attributes: dict[str, Any]
    ) -> None:
        item = {
            "id": user_key(request_envelope),
            "attributes": attributes,
            TTL_ATTRIBUTE: int(time.time()) + TTL_SECONDS,
        }
        try:
            self.table.put_item(Item=item)
        except Exception as error:
            raise PersistenceException(
                f"Failed to save attributes to DynamoDb table {self.sdk.table_name}: "
                f"{type(error).__name__}: {error}"
            ) from error

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.sdk.delete_attributes(request_envelope)


def dynamodb_adapter(table: str, endpoint: str | None = None) -> ExpiringDynamoDbAdapter:
    """The adapter for ``table``, with short timeouts and no retries so a sick store fails fast."""
    config = Config(
        connect_timeout=STORE_TIMEOUT,
        read_timeout=STORE_TIMEOUT,
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    resource = boto3.resource("dynamodb", endpoint_url=endpoint, config=config)
    return ExpiringDynamoDbAdapter(table, resource)
