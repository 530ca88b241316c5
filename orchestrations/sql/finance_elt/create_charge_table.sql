-- The seed's in_charge, keyed on the charge id. Fix: the seed typed id as UUID while its generator
-- writes Stripe ids ("ch_<uuid>"), which COPY rejects; created is epoch seconds (bigint).
CREATE TABLE IF NOT EXISTS in_charge (
    id VARCHAR(64) PRIMARY KEY,
    amount INTEGER NOT NULL,
    amount_captured INTEGER NOT NULL,
    amount_refunded INTEGER NOT NULL,
    currency VARCHAR(3) NOT NULL,
    created BIGINT NOT NULL,
    customer_id UUID NOT NULL,
    description TEXT,
    disputed BOOLEAN NOT NULL,
    outcome_network_status VARCHAR(50),
    outcome_reason TEXT,
    outcome_risk_level VARCHAR(50),
    outcome_risk_score INTEGER,
    paid BOOLEAN NOT NULL,
    payment_intent VARCHAR(150),
    payment_method VARCHAR(150),
    payment_method_details_card_brand VARCHAR(50),
    payment_method_details_card_country VARCHAR(2),
    status VARCHAR(50) NOT NULL
);
CREATE INDEX IF NOT EXISTS in_charge_customer_id ON in_charge (customer_id);
