#!/usr/bin/env sh
# What must follow a deploy, because it needs the running host or data-plane access that ARM lacks.
# Idempotent: safe after every `azd deploy` (azd sets the AZURE_* outputs of main.bicep in the
# environment); run it by hand after `func azure functionapp publish` with the same variables.
#   1. the app identity's Postgres role (Entra principal) and its grants;
#   2. Event Grid subscriptions for the blob triggers, with the host's blobs_extension key;
#   3. jobs/ (PySpark) uploaded to the data lake's "jobs" container for Synapse.
set -eu
: "${AZURE_RESOURCE_GROUP:?run through azd, or export the outputs of main.bicep}"
: "${AZURE_FUNCTION_APP_NAME:?}" "${AZURE_APP_IDENTITY_NAME:?}" "${AZURE_POSTGRES_HOST:?}" "${AZURE_POSTGRES_DATABASE:?}"
: "${AZURE_DATA_LAKE_NAME:?}" "${AZURE_EVENT_GRID_TOPIC:?}"
here=$(cd "$(dirname "$0")" && pwd)

echo "1/3 Postgres role for ${AZURE_APP_IDENTITY_NAME}"
PGPASSWORD=$(az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv)
PGUSER=$(az ad signed-in-user show --query userPrincipalName -o tsv 2>/dev/null || az account show --query user.name -o tsv)
export PGPASSWORD PGUSER PGHOST="$AZURE_POSTGRES_HOST" PGSSLMODE=require
psql -v ON_ERROR_STOP=1 -d postgres -v identity="$AZURE_APP_IDENTITY_NAME" -f "$here/postgres-principal.sql"
psql -v ON_ERROR_STOP=1 -d "$AZURE_POSTGRES_DATABASE" -v identity="$AZURE_APP_IDENTITY_NAME" -f "$here/postgres-grants.sql"

echo "2/3 Event Grid subscriptions for blob triggers"
key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" --query "systemKeys.blobs_extension" -o tsv)
if [ -z "$key" ]; then
  echo "The host has no blobs_extension key yet: it is created when a blob trigger first loads. Start the app and run this again." >&2
  exit 1
fi
az functionapp function list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
  --query "[?config.bindings[0].type=='blobTrigger'].[config.name || name, config.bindings[0].path]" -o tsv |
while IFS="$(printf '\t')" read -r fn path; do
  fn=${fn##*/}
  container=${path%%/*}
  echo "  $fn <- $container"
  az eventgrid system-topic event-subscription create -g "$AZURE_RESOURCE_GROUP" --system-topic-name "$AZURE_EVENT_GRID_TOPIC" \
    --name "$(echo "$fn" | tr '_' '-' | cut -c1-64)" \
    --endpoint-type webhook \
    --endpoint "https://${AZURE_FUNCTION_APP_NAME}.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.${fn}&code=${key}" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/${container}/" \
    --output none
done
unset key

echo "3/3 jobs/ -> ${AZURE_DATA_LAKE_NAME}/jobs"
az storage blob upload-batch --auth-mode login --account-name "$AZURE_DATA_LAKE_NAME" -d jobs -s "$here/../../jobs" --overwrite --output none
echo "post-deploy steps done"
