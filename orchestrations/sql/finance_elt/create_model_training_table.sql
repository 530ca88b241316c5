-- One row per customer: satisfaction and the average captured amount of their good charges.
CREATE TABLE IF NOT EXISTS model_training (
    customer_id UUID PRIMARY KEY,
    customer_satisfaction_speed INTEGER NOT NULL,
    customer_satisfaction_product INTEGER NOT NULL,
    customer_satisfaction_service INTEGER NOT NULL,
    product_type VARCHAR(50) NOT NULL,
    avg_amount_captured NUMERIC(14, 2) NOT NULL
);
