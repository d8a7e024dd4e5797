"""The functions' configuration from ``TACT_*`` environment variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tact.config import RuntimeConfig


def test_variables_fill_fields_by_name_in_any_case_and_others_are_ignored() -> None:
    config = RuntimeConfig.from_environment({
        "TACT_TABLE_NAME": "tact", "tact_event_bus_name": "shop", "TACT_MAX_RECEIVE_COUNT": "5",
        "TACT_SIGNING_KEY": "s3cr3t-key", "TACT_NOT_A_SETTING": "x", "TABLE_NAME": "other"})
    assert config.table_name == "tact" and config.event_bus_name == "shop"
    assert config.max_receive_count == 5
    assert config.signing_key.get_secret_value() == "s3cr3t-key" and "s3cr3t" not in repr(config)
    assert config.model_prefix == "models/nbp/"  # unset: the default


def test_a_missing_table_or_a_bad_number_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="table_name"):
        RuntimeConfig.from_environment({})
    with pytest.raises(ValidationError, match="model_refresh_seconds"):
        RuntimeConfig.from_environment({"TACT_TABLE_NAME": "t",
                                        "TACT_MODEL_REFRESH_SECONDS": "10"})


def test_the_configuration_is_frozen() -> None:
    config = RuntimeConfig.from_environment({"TACT_TABLE_NAME": "t"})
    with pytest.raises(ValidationError):
        config.table_name = "other"  # type: ignore[misc]
