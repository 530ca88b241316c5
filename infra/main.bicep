// azflow in Azure: everything the app needs, in one resource group, named from abbreviations.json
// plus a resource token so that several environments can live in one subscription.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd env name); it seeds the resource token and names the resource group.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption (and Durable Task Scheduler when chosen).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user: Entra administrator of Postgres and given data access for the CLI.')
param principalId string

@description('Login name of that user (their user principal name), as Postgres knows its Entra administrator.')
param principalName string

@allowed([ 'User', 'Group', 'ServicePrincipal' ])
param principalType string = 'User'

@allowed([ 'AzureStorage', 'DurableTaskScheduler' ])
@description('The Durable Functions backend: Azure Storage (queues and tables in the app storage) or the Durable Task Scheduler.')
param durableBackend string = 'AzureStorage'

@description('Kafka topics, created as event hubs.')
param kafkaTopics array = [ 'events' ]

@description('Where alerts are e-mailed; empty for an action group without receivers.')
param alertEmail string = ''

@description('DAG ids whose schedules do not fire (comma-separated).')
param pausedDags string = ''

@description('Connections kept in Key Vault as the secret airflow-conn-<id> (with underscores as hyphens).')
param keyVaultConnectionIds array = [ 'http_default' ]

@description('The most instances Flex Consumption may scale the app out to.')
param maximumInstanceCount int = 40

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}azflow-${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var taskHubName = 'azflow${take(resourceToken, 8)}'
var useScheduler = durableBackend == 'DurableTaskScheduler'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module appIdentity 'core/identity/user-assigned-identity.bicep' = {
  name: 'app-identity'
  scope: rg
  params: { name: '${abbrs.managedIdentityUserAssignedIdentities}azflow-${resourceToken}', location: location, tags: tags }
}

module scriptIdentity 'core/identity/user-assigned-identity.bicep' = {
  name: 'script-identity'
  scope: rg
  params: { name: '${abbrs.managedIdentityUserAssignedIdentities}deploy-${resourceToken}', location: location, tags: tags }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

// The Functions host's own storage: Durable Functions state, the run ledger, the deployment package.
module appStorage 'core/storage/storage-account.bicep' = {
  name: 'app-storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}app${resourceToken}'
    location: location
    tags: tags
    containers: [ deploymentContainerName, 'azflow-state' ]
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

// DAG data: what tasks read and write, what blob sensors watch, Synapse's default file system, PySpark jobs.
module dataLake 'core/storage/storage-account.bicep' = {
  name: 'data-lake'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}lake${resourceToken}'
    location: location
    tags: tags
    isHnsEnabled: true
    containers: [ 'synapse', 'jobs' ]
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module eventHubs 'core/messaging/event-hubs.bicep' = {
  name: 'event-hubs'
  scope: rg
  params: { name: '${abbrs.eventHubNamespaces}${resourceToken}', location: location, tags: tags, topics: kafkaTopics }
}

module postgres 'core/database/postgres-flexible.bicep' = {
  name: 'postgres'
  scope: rg
  params: {
    name: '${abbrs.postgresFlexibleServers}${resourceToken}'
    location: location
    tags: tags
    adminObjectId: principalId
    adminPrincipalName: principalName
    adminPrincipalType: principalType
  }
}

module keyVault 'core/security/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: { name: '${abbrs.keyVaultVaults}${take(resourceToken, 18)}', location: location, tags: tags }
}

module synapse 'core/analytics/synapse.bicep' = {
  name: 'synapse'
  scope: rg
  params: {
    workspaceName: '${abbrs.analysisWorkspaces}${resourceToken}'
    sparkPoolName: '${abbrs.analysisSparkPools}azflow'
    location: location
    tags: tags
    dataLakeAccountName: dataLake.outputs.name
    dataLakeDfsEndpoint: dataLake.outputs.dfsEndpoint
    initialAdminObjectId: scriptIdentity.outputs.principalId
  }
}

module scheduler 'core/host/durable-task-scheduler.bicep' = if (useScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    schedulerName: '${abbrs.durableTaskSchedulers}${resourceToken}'
    taskHubName: taskHubName
    location: location
    tags: tags
  }
}

module plan 'core/host/flex-consumption-plan.bicep' = {
  name: 'plan'
  scope: rg
  params: { name: '${abbrs.webServerFarms}${resourceToken}', location: location, tags: tags }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    planId: plan.outputs.id
    identityId: appIdentity.outputs.id
    identityClientId: appIdentity.outputs.clientId
    identityName: appIdentity.outputs.name
    appStorageBlobEndpoint: appStorage.outputs.blobEndpoint
    appStorageQueueEndpoint: appStorage.outputs.queueEndpoint
    appStorageTableEndpoint: appStorage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    dataLakeBlobEndpoint: dataLake.outputs.blobEndpoint
    dataLakeQueueEndpoint: dataLake.outputs.queueEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultName: keyVault.outputs.name
    postgresHost: postgres.outputs.fqdn
    postgresDatabase: postgres.outputs.databaseName
    kafkaBootstrap: eventHubs.outputs.kafkaBootstrap
    synapseDevEndpoint: synapse.outputs.devEndpoint
    synapseSparkPool: synapse.outputs.sparkPoolName
    durableBackend: durableBackend
    taskHubName: taskHubName
    durableTaskSchedulerEndpoint: useScheduler ? scheduler.outputs.endpoint : ''
    pausedDags: pausedDags
    keyVaultConnectionIds: keyVaultConnectionIds
    maximumInstanceCount: maximumInstanceCount
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: appIdentity.outputs.principalId
    appStorageName: appStorage.outputs.name
    dataLakeName: dataLake.outputs.name
    eventHubsNamespaceName: eventHubs.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    durableTaskSchedulerName: useScheduler ? scheduler.outputs.name : ''
    userPrincipalId: principalType == 'User' ? principalId : ''
  }
}

module synapseRole 'app/synapse-compute-operator.bicep' = {
  name: 'synapse-compute-operator'
  scope: rg
  params: {
    location: location
    tags: tags
    scriptName: '${abbrs.resourcesDeploymentScripts}synapse-role-${resourceToken}'
    scriptIdentityId: scriptIdentity.outputs.id
    workspaceName: synapse.outputs.name
    sparkPoolName: synapse.outputs.sparkPoolName
    appPrincipalId: appIdentity.outputs.principalId
  }
}

module eventGrid 'app/event-grid.bicep' = {
  name: 'event-grid'
  scope: rg
  params: { name: '${abbrs.eventGridSystemTopics}lake-${resourceToken}', location: location, tags: tags, dataLakeId: dataLake.outputs.id }
}

module alerts 'core/monitor/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    actionGroupName: '${abbrs.insightsActionGroups}azflow-${resourceToken}'
    alertNamePrefix: '${abbrs.insightsScheduledQueryRules}azflow-'
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmail: alertEmail
  }
}

module workbook 'core/monitor/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: { location: location, tags: tags, applicationInsightsId: monitoring.outputs.applicationInsightsId }
}

// Read by azd and by infra/hooks/postdeploy.sh.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOST string = functionApp.outputs.defaultHostName
output AZURE_APP_IDENTITY_NAME string = appIdentity.outputs.name
output AZURE_APP_IDENTITY_CLIENT_ID string = appIdentity.outputs.clientId
output AZURE_POSTGRES_HOST string = postgres.outputs.fqdn
output AZURE_POSTGRES_DATABASE string = postgres.outputs.databaseName
output AZURE_DATA_LAKE_NAME string = dataLake.outputs.name
output AZURE_EVENT_GRID_TOPIC string = eventGrid.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_SYNAPSE_WORKSPACE string = synapse.outputs.name
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
