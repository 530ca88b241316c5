-- The warehouse table: the yellow-taxi columns plus the month whose file they came from, which is
-- what a reload of a month replaces (pickup times in the TLC files stray outside their month).
CREATE TABLE IF NOT EXISTS yellow_taxi_trips (
    data_month TEXT NOT NULL,
    "VendorID" INTEGER,
    tpep_pickup_datetime TIMESTAMP,
    tpep_dropoff_datetime TIMESTAMP,
    passenger_count INTEGER,
    trip_distance DOUBLE PRECISION,
    "RatecodeID" INTEGER,
    store_and_fwd_flag TEXT,
    "PULocationID" INTEGER,
    "DOLocationID" INTEGER,
    payment_type INTEGER,
    fare_amount DOUBLE PRECISION,
    extra DOUBLE PRECISION,
    mta_tax DOUBLE PRECISION,
    tip_amount DOUBLE PRECISION,
    tolls_amount DOUBLE PRECISION,
    improvement_surcharge DOUBLE PRECISION,
    total_amount DOUBLE PRECISION,
    congestion_surcharge DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS yellow_taxi_trips_data_month ON yellow_taxi_trips (data_month);
