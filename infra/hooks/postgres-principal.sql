-- The app's managed identity as a Postgres role (run in the postgres database as the Entra admin).
-- pgaadauth_create_principal(name, is_admin, is_mfa): a login role mapped to the Entra principal.
SELECT pgaadauth_create_principal(:'identity', false, false)
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'identity');
