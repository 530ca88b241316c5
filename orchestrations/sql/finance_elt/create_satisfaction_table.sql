-- The seed's customer_satisfaction, keyed on the customer; scores are the generator's 0-10.
CREATE TABLE IF NOT EXISTS customer_satisfaction (
    customer_id UUID PRIMARY KEY,
    customer_satisfaction_speed INTEGER NOT NULL CHECK (customer_satisfaction_speed BETWEEN 0 AND 10),
    customer_satisfaction_product INTEGER NOT NULL CHECK (customer_satisfaction_product BETWEEN 0 AND 10),
    customer_satisfaction_service INTEGER NOT NULL CHECK (customer_satisfaction_service BETWEEN 0 AND 10),
    product_type VARCHAR(50) NOT NULL
);
