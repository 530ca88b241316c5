// Synapse roles are data-plane roles that ARM cannot assign: a deployment script (Azure CLI, run
// as the workspace's initial administrator) gives the app's identity Synapse Compute Operator on
// the Spark pool, so the app can submit and cancel Livy batches there and nothing more.
param location string
param tags object = {}
param scriptName string
param scriptIdentityId string
param workspaceName string
param sparkPoolName string
param appPrincipalId string

resource assign 'Microsoft.Resources/deploymentScripts@2023-08-01' = {
  name: scriptName
  location: location
  tags: tags
  kind: 'AzureCLI'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${scriptIdentityId}': {} }
  }
  properties: {
    azCliVersion: '2.67.0'
    retentionInterval: 'PT1H'
    cleanupPreference: 'OnSuccess'
    timeout: 'PT15M'
    environmentVariables: [
      { name: 'WORKSPACE', value: workspaceName }
      { name: 'POOL', value: sparkPoolName }
      { name: 'APP_PRINCIPAL_ID', value: appPrincipalId }
    ]
    scriptContent: loadTextContent('synapse-compute-operator.sh')
  }
}
