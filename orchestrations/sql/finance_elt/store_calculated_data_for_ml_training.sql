-- The seed's query: per customer, the average amount_captured (rounded to 2) over charges that
-- succeeded, were approved by the network and paid, joined to satisfaction, upserted on customer_id.
WITH cte AS (
    SELECT customer_id, ROUND(AVG(amount_captured), 2) AS avg_amount_captured
    FROM in_charge
    WHERE status = 'succeeded' AND outcome_network_status = 'approved_by_network' AND paid = true
    GROUP BY customer_id
)
INSERT INTO model_training (
    customer_id, customer_satisfaction_speed, customer_satisfaction_product, customer_satisfaction_service,
    product_type, avg_amount_captured
)
SELECT DISTINCT s.customer_id, s.customer_satisfaction_speed, s.customer_satisfaction_product,
    s.customer_satisfaction_service, s.product_type, c.avg_amount_captured
FROM cte c
INNER JOIN customer_satisfaction s ON s.customer_id = c.customer_id
ON CONFLICT (customer_id) DO UPDATE SET
    customer_satisfaction_speed = EXCLUDED.customer_satisfaction_speed,
    customer_satisfaction_product = EXCLUDED.customer_satisfaction_product,
    customer_satisfaction_service = EXCLUDED.customer_satisfaction_service,
    product_type = EXCLUDED.product_type,
    avg_amount_captured = EXCLUDED.avg_amount_captured;
