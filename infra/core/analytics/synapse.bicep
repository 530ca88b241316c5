// A Synapse workspace (Entra-only) on the data lake, with a small auto-pausing Spark 3.5 pool that
// azflow's Livy backend submits batch jobs to. The workspace's own identity reads and writes the lake.
param workspaceName string
param sparkPoolName string
param location string
param tags object = {}
param dataLakeAccountName string
param dataLakeDfsEndpoint string
param fileSystemName string = 'synapse'
@description('Object id made the workspace\'s first Synapse Administrator (the deployment script\'s identity, which assigns data-plane roles).')
param initialAdminObjectId string
param nodeSize string = 'Small'
param minNodes int = 3
param maxNodes int = 6
param autoPauseMinutes int = 15

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource dataLake 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: dataLakeAccountName
}

resource workspace 'Microsoft.Synapse/workspaces@2021-06-01' = {
  name: workspaceName
  location: location
  tags: tags
  identity: { type: 'SystemAssigned' }
  // checkov:skip=CKV_AZURE_157: a managed virtual network makes every Spark pool start slower and needs managed private endpoints to the lake, Event Hubs and Postgres; left out of this template, noted in docs/azure.md.
  // checkov:skip=CKV_AZURE_240: a customer-managed key needs a Key Vault key and rotation process; Microsoft-managed encryption at rest is on.
  properties: {
    defaultDataLakeStorage: {
      accountUrl: dataLakeDfsEndpoint
      filesystem: fileSystemName
      resourceId: dataLake.id
      createManagedPrivateEndpoint: false
    }
    azureADOnlyAuthentication: true
    publicNetworkAccess: 'Enabled'
    cspWorkspaceAdminProperties: { initialWorkspaceAdminObjectId: initialAdminObjectId }
  }
}

// Spark jobs are submitted from the Flex app, which has no fixed addresses without a VNet.
resource allowAzure 'Microsoft.Synapse/workspaces/firewallRules@2021-06-01' = {
  parent: workspace
  name: 'AllowAllWindowsAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource sparkPool 'Microsoft.Synapse/workspaces/bigDataPools@2021-06-01' = {
  parent: workspace
  name: sparkPoolName
  // checkov:skip=CKV_AZURE_242: isolated compute needs the large XXXLarge node size (over ten times the cost of Small); jobs here are batch ETL on a pool that auto-pauses.
  location: location
  tags: tags
  properties: {
    sparkVersion: '3.5'
    nodeSize: nodeSize
    nodeSizeFamily: 'MemoryOptimized'
    autoScale: { enabled: true, minNodeCount: minNodes, maxNodeCount: maxNodes }
    autoPause: { enabled: true, delayInMinutes: autoPauseMinutes }
    dynamicExecutorAllocation: { enabled: true, minExecutors: 1, maxExecutors: maxNodes - 1 }
    isolatedCompute: false
  }
}

resource workspaceOnLake 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataLake.id, workspace.id, storageBlobDataContributor)
  scope: dataLake
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: workspace.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = workspace.id
output name string = workspace.name
output devEndpoint string = 'https://${workspace.name}.dev.azuresynapse.net'
output sparkPoolName string = sparkPool.name
