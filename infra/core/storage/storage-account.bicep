// A storage account reached only with Entra identities: no shared keys, no public blobs, TLS 1.2.
param name string
param location string
param tags object = {}
@description('Private blob containers to create.')
param containers array = []
@description('Hierarchical namespace: true for a data lake (ADLS Gen2), which Synapse needs.')
param isHnsEnabled bool = false
param logAnalyticsWorkspaceId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  // checkov:skip=CKV_AZURE_206: locally redundant storage keeps the cost down; DAG data can be reloaded from its sources and the app state is rebuilt by reruns. Raise to ZRS/GRS for production data.
  // checkov:skip=CKV_AZURE_59: public network access stays on because Flex Consumption reaches storage over the internet unless the optional VNet integration (not part of this template) is added; access needs an Entra identity with a data role, shared keys are off.
  // checkov:skip=CKV_AZURE_35: the default action stays Allow for the same reason (no VNet in this template); every request still needs an Entra token.
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    isHnsEnabled: isHnsEnabled
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in containers: {
  parent: blobService
  name: container
  properties: { publicAccess: 'None' }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'queue-logs'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'StorageRead', enabled: true }
      { category: 'StorageWrite', enabled: true }
      { category: 'StorageDelete', enabled: true }
    ]
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output dfsEndpoint string = account.properties.primaryEndpoints.dfs
