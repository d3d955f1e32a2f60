"""Device and app-instance UUIDs are found by their column name, never by value alone."""

import uuid

import polars as pl
import pytest

from databorder.detect.columns import classify_sample
from databorder.detect.device import DeviceUuidDetector
from databorder.detect.text import find_in_text

UUIDS = [str(uuid.UUID(int=i * 7_919_000_001 + 12_345)) for i in range(300)]


@pytest.mark.parametrize("column", ["device_id", "device.id", "deviceId", "idfv", "设备ID",
                                    "installation_id"])
def test_uuid_column_named_for_a_device(column: str) -> None:
    found = {c.field: (c.category, c.detector) for c in classify_sample(pl.DataFrame({
        column: UUIDS}))}
    assert found == {column: ("device_id", "device.uuid")}


@pytest.mark.parametrize("column", ["request_id", "trace_id", "order_uuid", "session"])
def test_uuids_under_other_names_are_not_devices(column: str) -> None:
    assert classify_sample(pl.DataFrame({column: UUIDS})) == []


def test_advertising_columns_stay_advertising_ids() -> None:
    found = classify_sample(pl.DataFrame({"idfa": UUIDS}))
    assert [(c.category, c.detector) for c in found] == [("device_id", "device.advertising_id")]


def test_in_text_only_near_a_device_word() -> None:
    value = UUIDS[5]
    assert [m.detector for m in find_in_text(f"registered device_id={value} ok")] == [
        "device.uuid"]
    assert find_in_text(f"request {value} served in 3 ms") == []


def test_zero_uuid_names_no_device_and_masks_hide_the_value() -> None:
    detector = DeviceUuidDetector()
    assert not detector.validate("00000000-0000-0000-0000-000000000000")
    assert UUIDS[7] not in detector.mask(UUIDS[7])
