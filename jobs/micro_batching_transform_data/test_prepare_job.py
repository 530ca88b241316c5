from datetime import datetime

import pytest

from prepare_job import ENRICHED_COLUMNS, Geolocator, age_group, enrich, parse_user_agent, time_of_day


@pytest.mark.parametrize("age,group", [
    (None, "unknown"), ("", "unknown"), (-1, "unknown"), (121, "unknown"), (220, "unknown"),
    (0, "1-18"), (17, "1-18"), (18, "18-25"), (25, "18-25"), (26, "26-40"), (40, "26-40"),
    (41, "41-60"), (59, "41-60"), (60, "60+"), (120, "60+"),
])
def test_age_groups(age, group):
    assert age_group(age) == group


@pytest.mark.parametrize("hour,part", [
    (0, "night"), (4, "night"), (5, "morning"), (11, "morning"), (12, "afternoon"), (17, "afternoon"),
    (18, "evening"), (22, "evening"), (23, "night"), (None, None),
])
def test_time_of_day(hour, part):
    assert time_of_day(hour) == part


def test_user_agents_as_the_generator_writes_them():
    windows = "Mozilla/5.0 (Windows NT 10.0; Laptop) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0 Win64; x64 Safari/537.36"
    tablet = "Mozilla/5.0 (Linux; Android 10; Tablet) AppleWebKit/537.36 (KHTML, like Gecko) Opera/60.0 Tablet Safari/537.36"
    phone = "Mozilla/5.0 (Linux; Android 9; Mobile) AppleWebKit/537.36 (KHTML, like Gecko) Firefox/70.0 Mobile Safari/537.36"
    assert parse_user_agent(windows) == ("Laptop", "Windows", "Chrome")
    assert parse_user_agent(tablet) == ("Tablet", "Android", "Opera")
    assert parse_user_agent(phone)[:2] == ("Mobile", "Android")
    assert parse_user_agent(None) == ("Unknown", "Unknown", "Unknown")


def test_offline_geolocation():
    geo = Geolocator()
    assert geo.locate("8.8.8.8") == ("United States", "Mountain View")
    assert geo.locate("1.1.1.1") == ("Australia", "Sydney")
    assert geo.locate("10.1.2.3") == ("Unknown", "Unknown")  # private range: not in the database
    assert geo.locate("not an ip") == ("Unknown", "Unknown")


def test_enrich_a_small_frame(spark):
    rows = [
        ("00000000-0000-0000-0000-000000000001", 30, "female", "sidebar", "News", datetime(2024, 3, 1, 9, 15), "8.8.8.8",
         "Mozilla/5.0 (Windows NT 10.0; Laptop) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0 Win64; x64 Safari/537.36",
         "a.com", "b.com"),
        ("00000000-0000-0000-0000-000000000002", None, "male", "popup", "Books", datetime(2024, 3, 2, 23, 0), "10.0.0.1",
         "Mozilla/5.0 (Linux; Android 10; Tablet) AppleWebKit/537.36 (KHTML, like Gecko) Opera/60.0 Tablet Safari/537.36",
         "c.com", "d.com"),
    ]
    df = spark.createDataFrame(rows, "log_id string, age int, gender string, ad_position string, browsing_history string, "
                                     "activity_time timestamp, ip_address string, log string, redirect_from string, redirect_to string")
    out = {r["log_id"][-1]: r.asDict() for r in enrich(df).collect()}
    assert enrich(df).columns == ENRICHED_COLUMNS
    assert (out["1"]["country"], out["1"]["city"], out["1"]["age_group"], out["1"]["hours"], out["1"]["time_of_day"]) == \
        ("United States", "Mountain View", "26-40", 9, "morning")
    assert (out["1"]["device_type"], out["1"]["os_family"], out["1"]["browser_family"]) == ("Laptop", "Windows", "Chrome")
    assert (out["2"]["country"], out["2"]["age_group"], out["2"]["hours"], out["2"]["time_of_day"], out["2"]["device_type"]) == \
        ("Unknown", "unknown", 23, "night", "Tablet")
    assert "username" not in out["1"] and "status" not in out["1"]
