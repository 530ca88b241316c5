import json

import pytest

from load_job import check_record, split_batch

GOOD = {
    "username": "alex1", "age": 30, "gender": "female", "ad_position": "sidebar", "browsing_history": "News",
    "activity_time": "2024-03-01 09:15:00", "ip_address": "8.8.8.8", "log": "Mozilla/5.0", "redirect_from": "a.com",
    "redirect_to": "b.com",
}


def encode(obj) -> bytes:
    return json.dumps(obj).encode("utf-8")


def test_a_good_record_and_the_seeds_dirty_ages():
    values, reason = check_record(encode(GOOD))
    assert reason is None and values[0] == "alex1" and values[1] == 30
    assert check_record(encode({**GOOD, "age": None}))[0][1] is None
    assert check_record(encode({**GOOD, "age": ""}))[0][1] is None
    assert check_record(encode({**GOOD, "age": 220}))[0][1] == 220


@pytest.mark.parametrize("value,reason", [
    (b"", "empty message"),
    (b"not json at all", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b"\xff\xfe\x00binary", "not valid UTF-8"),
    (encode(GOOD)[:-3] + "é".encode("utf-8")[:1], "not valid UTF-8"),
    (encode({**GOOD, "age": "thirty"}), "field 'age' must be a whole number"),
    (encode({**GOOD, "age": 30.5}), "field 'age' must be a whole number"),
    (encode({**GOOD, "age": -3}), "field 'age' is -3"),
    (encode({k: v for k, v in GOOD.items() if k != "gender"}), "missing field 'gender'"),
    (encode({**GOOD, "ip_address": "300.1.1.1"}), "not an IPv4 address"),
    (encode({**GOOD, "activity_time": "2024-02-30 10:00:00"}), "is not a time"),
    (encode({**GOOD, "username": 12}), "field 'username' must be text"),
    (encode({**GOOD, "log": "x" * 70000}), "oversized"),
])
def test_each_malformed_message_has_its_reason(value, reason):
    values, why = check_record(value)
    assert values is None
    assert why.startswith(reason) or reason in why


def test_split_a_batch_into_rows_and_dead_letters(spark):
    batch = spark.createDataFrame([
        (bytearray(encode(GOOD)), "t", 0, 10),
        (bytearray(b"{oops"), "t", 0, 11),
        (bytearray(encode({**GOOD, "age": ""})), "t", 1, 3),
    ], "value binary, topic string, partition int, offset long")
    good, dead = split_batch(batch)
    assert sorted((r["kafka_partition"], r["kafka_offset"], r["age"]) for r in good.collect()) == [(0, 10, 30), (1, 3, None)]
    letters = dead.collect()
    assert [(r["offset"], r["reason"][:8]) for r in letters] == [(11, "not JSON")]
    assert letters[0]["value"] == "e29vcHM="  # the original bytes, base64
