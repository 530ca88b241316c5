#!/usr/bin/env bash
# Run by the deployment script in synapse-compute-operator.bicep: idempotent, since a redeploy runs it again.
set -euo pipefail
scope="workspaces/${WORKSPACE}/bigDataPools/${POOL}"
existing=$(az synapse role assignment list --workspace-name "$WORKSPACE" --role "Synapse Compute Operator" \
  --assignee-object-id "$APP_PRINCIPAL_ID" --scope "$scope" --query "length(@)" -o tsv)
if [ "$existing" = "0" ]; then
  # The workspace firewall and role cache can lag a fresh deployment by a minute: retry.
  for attempt in 1 2 3 4 5; do
    if az synapse role assignment create --workspace-name "$WORKSPACE" --role "Synapse Compute Operator" \
      --assignee-object-id "$APP_PRINCIPAL_ID" --assignee-principal-type ServicePrincipal --scope "$scope"; then
      break
    fi
    [ "$attempt" = 5 ] && exit 1
    sleep 30
  done
fi
echo "{\"scope\": \"$scope\"}" > "$AZ_SCRIPTS_OUTPUT_PATH"
