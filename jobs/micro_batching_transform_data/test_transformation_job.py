"""The four aggregates on a small frame, against tables worked out by hand."""
from datetime import datetime

from transformation_job import aggregates

# country, city, age_group, time_of_day, activity_time
ROWS = [
    ("Ukraine", "Kyiv", "18-25", "morning", datetime(2023, 12, 5, 8)),
    ("Ukraine", "Kyiv", "18-25", "morning", datetime(2024, 1, 3, 9)),
    ("Ukraine", "Lviv", "60+", "night", datetime(2024, 1, 9, 2)),
    ("Poland", "Warsaw", "unknown", "evening", datetime(2024, 1, 20, 19)),
    ("Poland", "Warsaw", "1-18", "afternoon", datetime(2024, 3, 1, 13)),
    ("Spain", "Madrid", "18-25", "night", datetime(2024, 3, 2, 23)),
    ("Ukraine", "Kyiv", "26-40", "morning", datetime(2024, 3, 3, 6)),
]


def frame(spark):
    return spark.createDataFrame(ROWS, "country string, city string, age_group string, time_of_day string, activity_time timestamp")


def rows(df):
    return [tuple(r) for r in df.collect()]


def test_country_and_city_ranked_by_amount(spark):
    out = aggregates(frame(spark))
    # Ukraine 4, Poland 2, Spain 1.
    assert rows(out["df_country"]) == [("Ukraine", 4, 1), ("Poland", 2, 2), ("Spain", 1, 3)]
    # Kyiv 3, Warsaw 2, then Lviv and Madrid tie at 1 (rank 3 both, Airflow's rank()).
    assert rows(out["df_city"]) == [("Kyiv", 3, 1), ("Warsaw", 2, 2), ("Lviv", 1, 3), ("Madrid", 1, 3)]
    assert out["df_country"].columns == ["country", "amount", "rank"]


def test_age_group_by_time_of_day_in_order(spark):
    out = aggregates(frame(spark))
    assert rows(out["df_age_group"]) == [
        ("1-18", "afternoon", 1),
        ("18-25", "morning", 2),
        ("18-25", "night", 1),
        ("26-40", "morning", 1),
        ("60+", "night", 1),
        ("unknown", "evening", 1),
    ]


def test_year_month_from_the_year_month_function(spark):
    out = aggregates(frame(spark))
    assert out["df_year_month"].columns == [
        "years", "month", "current_period_amount", "previous_period_amount", "increase", "clicks_increase", "year_sum",
        "percentage_per_year",
    ]
    # 2023-12: 1 (no November: previous 0). 2024-01: 3 (previous December 1). 2024-03: 3 (February had
    # none: previous 0). Year sums: 2023 -> 1, 2024 -> 6.
    assert rows(out["df_year_month"]) == [
        (2023, 12, 1, 0, 1, True, 1, 100.0),
        (2024, 1, 3, 1, 2, True, 6, 50.0),
        (2024, 3, 3, 0, 3, True, 6, 50.0),
    ]


def test_a_month_with_fewer_clicks_is_no_increase(spark):
    df = spark.createDataFrame([("x", "y", "18-25", "morning", datetime(2024, 5, d, 10)) for d in (1, 2, 3)]
                               + [("x", "y", "18-25", "morning", datetime(2024, 6, 1, 10))],
                               "country string, city string, age_group string, time_of_day string, activity_time timestamp")
    assert rows(aggregates(df)["df_year_month"]) == [
        (2024, 5, 3, 0, 3, True, 4, 75.0),
        (2024, 6, 1, 3, -2, False, 4, 25.0),
    ]
