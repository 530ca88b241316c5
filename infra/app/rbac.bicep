// Every role the app's identity needs, each at the narrowest scope: the app storage (Durable
// Functions' queues and tables, the ledger, deployment package), the data lake (DAG data, blob
// triggers), Event Hubs (Kafka produce and consume), Key Vault (references), Application Insights
// (Entra ingestion) and, with that backend, the Durable Task Scheduler.
param principalId string
param appStorageName string
param dataLakeName string
param eventHubsNamespaceName string
param keyVaultName string
param applicationInsightsName string
param durableTaskSchedulerName string = ''
@description('A user to give the same data access, for running the CLI against Azure; empty for none.')
param userPrincipalId string = ''

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975'
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  durableTaskDataContributor: '0ad04412-c4d5-4796-b79c-f76d14c8d402'
}

resource appStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: appStorageName
}

resource dataLake 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: dataLakeName
}

resource eventHubs 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' existing = if (!empty(durableTaskSchedulerName)) {
  name: durableTaskSchedulerName
}

var appStorageRoles = [ roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor ]
// The blob trigger's Event Grid source keeps its poison queue in the watched account.
var dataLakeRoles = [ roles.storageBlobDataContributor, roles.storageQueueDataContributor ]
var eventHubsRoles = [ roles.eventHubsDataSender, roles.eventHubsDataReceiver ]

resource onAppStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in appStorageRoles: {
  name: guid(appStorage.id, principalId, role)
  scope: appStorage
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role), principalId: principalId, principalType: 'ServicePrincipal' }
}]

resource onDataLake 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in dataLakeRoles: {
  name: guid(dataLake.id, principalId, role)
  scope: dataLake
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role), principalId: principalId, principalType: 'ServicePrincipal' }
}]

resource onEventHubs 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in eventHubsRoles: {
  name: guid(eventHubs.id, principalId, role)
  scope: eventHubs
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role), principalId: principalId, principalType: 'ServicePrincipal' }
}]

resource onVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser), principalId: principalId, principalType: 'ServicePrincipal' }
}

resource onAppInsights 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher), principalId: principalId, principalType: 'ServicePrincipal' }
}

resource onScheduler 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(durableTaskSchedulerName)) {
  name: guid(resourceGroup().id, durableTaskSchedulerName, principalId, roles.durableTaskDataContributor)
  scope: scheduler
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.durableTaskDataContributor), principalId: principalId, principalType: 'ServicePrincipal' }
}

// The deploying user: the ledger and the data lake, so `azflow` commands and the post-deploy hook work against Azure.
resource userOnAppStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [ roles.storageBlobDataOwner, roles.storageTableDataContributor ]: if (!empty(userPrincipalId)) {
  name: guid(appStorage.id, userPrincipalId, role)
  scope: appStorage
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role), principalId: userPrincipalId, principalType: 'User' }
}]

resource userOnDataLake 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(dataLake.id, userPrincipalId, roles.storageBlobDataContributor)
  scope: dataLake
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor), principalId: userPrincipalId, principalType: 'User' }
}
