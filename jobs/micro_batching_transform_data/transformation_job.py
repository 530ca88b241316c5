"""micro_batching_transform_data.transformation_job: the four aggregates of `logs_transformed`,
each overwriting its table (truncated, so the tables prepare_env created keep their definitions).

Fixes to the seed: df_year_month was computed with the age-group function, and the country
table was written as `df_county`; year_sum was a running sum across years instead of the year's
total; and previous_period_amount is the previous calendar month's amount (0 when that month had
no rows), not whichever month happened to come before in the data.
"""
import argparse
import sys

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

AGE_GROUP_ORDER = ["1-18", "18-25", "26-40", "41-60", "60+"]
TIME_OF_DAY_ORDER = ["morning", "afternoon", "evening", "night"]


def _order(column: str, values) -> F.Column:
    expr = F.when(F.col(column) == values[0], 1)
    for i, v in enumerate(values[1:], start=2):
        expr = expr.when(F.col(column) == v, i)
    return expr.otherwise(len(values) + 1)


def by_one_column(df: DataFrame, column: str) -> DataFrame:
    """(column, amount, rank): rank 1 is the most frequent value; ties share a rank."""
    return (df.groupBy(column).agg(F.count(F.lit(1)).alias("amount"))
            .withColumn("rank", F.rank().over(Window.orderBy(F.desc("amount"))))
            .orderBy("rank", column))


def by_age_group(df: DataFrame) -> DataFrame:
    """(age_group, time_of_day, amount), ordered by age group then morning..night (unknown last)."""
    return (df.groupBy("age_group", "time_of_day").agg(F.count(F.lit(1)).alias("amount"))
            .orderBy(_order("age_group", AGE_GROUP_ORDER), _order("time_of_day", TIME_OF_DAY_ORDER), "age_group")
            .select("age_group", "time_of_day", "amount"))


def by_year_and_month(df: DataFrame) -> DataFrame:
    monthly = (df.where(F.col("activity_time").isNotNull())
               .groupBy(F.year("activity_time").alias("years"), F.month("activity_time").alias("month"))
               .agg(F.count(F.lit(1)).alias("current_period_amount"))
               .withColumn("period", F.col("years") * 12 + F.col("month") - 1))
    previous = monthly.select((F.col("period") + 1).alias("period"), F.col("current_period_amount").alias("previous_period_amount"))
    return (monthly.join(previous, "period", "left")
            .withColumn("previous_period_amount", F.coalesce("previous_period_amount", F.lit(0)).cast("long"))
            .withColumn("increase", F.col("current_period_amount") - F.col("previous_period_amount"))
            .withColumn("clicks_increase", F.col("increase") > 0)
            .withColumn("year_sum", F.sum("current_period_amount").over(Window.partitionBy("years")))
            .withColumn("percentage_per_year", F.round(F.col("current_period_amount") / F.col("year_sum") * 100, 2))
            .orderBy("years", "month")
            .select("years", "month", "current_period_amount", "previous_period_amount", "increase",
                    "clicks_increase", "year_sum", "percentage_per_year"))


def aggregates(df: DataFrame):
    return {
        "df_country": by_one_column(df, "country"),
        "df_city": by_one_column(df, "city"),
        "df_age_group": by_age_group(df),
        "df_year_month": by_year_and_month(df),
    }


def main(argv=None) -> None:
    from azflow_job import postgres_jdbc, quote_ident

    parser = argparse.ArgumentParser()
    parser.add_argument("--source-table", default="logs_transformed")
    parser.add_argument("--postgres-conn-id", default="postgres_default")
    args = parser.parse_args(argv)
    quote_ident(args.source_table)
    jdbc = postgres_jdbc(args.postgres_conn_id)
    spark = SparkSession.builder.appName("micro_batching_transformation").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    df = spark.read.format("jdbc").options(**jdbc).option("dbtable", args.source_table).load().cache()
    for table, result in aggregates(df).items():
        # One partition keeps the written order (df_age_group is read in that order).
        (result.coalesce(1).write.format("jdbc").options(**jdbc).option("dbtable", table)
         .option("truncate", "true").mode("overwrite").save())
        print(f"TRANSFORM_WROTE {table} rows={result.count()}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
