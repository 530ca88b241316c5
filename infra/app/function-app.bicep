// The azflow function app on Flex Consumption: Node 22, one user-assigned identity for everything
// (storage, Event Hubs, Postgres, Synapse, Key Vault references, Application Insights), identity-based
// AzureWebJobsStorage, every setting the code reads, and one always-ready instance for the durable
// group so orchestrations start without a cold start. Flex sets the worker runtime itself, so
// FUNCTIONS_WORKER_RUNTIME, WEBSITE_RUN_FROM_PACKAGE and WEBSITE_TIME_ZONE are deliberately absent.
param name string
param location string
param tags object = {}
param planId string
param identityId string
param identityClientId string
param identityName string
param appStorageBlobEndpoint string
param appStorageQueueEndpoint string
param appStorageTableEndpoint string
param deploymentContainerName string
param dataLakeBlobEndpoint string
param dataLakeQueueEndpoint string
param applicationInsightsConnectionString string
param keyVaultName string
param postgresHost string
param postgresDatabase string
param kafkaBootstrap string
param synapseDevEndpoint string
param synapseSparkPool string
@allowed([ 'AzureStorage', 'DurableTaskScheduler' ])
param durableBackend string
param taskHubName string
param durableTaskSchedulerEndpoint string = ''
@description('DAG ids whose schedules do not fire (comma-separated).')
param pausedDags string = ''
@description('Connection ids whose AIRFLOW_CONN_<ID> is a Key Vault reference to the secret airflow-conn-<id>.')
param keyVaultConnectionIds array = []
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

var connections = {
  // Entra auth: the login is the identity's Postgres role, the password a token fetched per connection.
  postgres: { conn_type: 'postgres', host: postgresHost, port: 5432, schema: postgresDatabase, login: identityName, extra: { azure_ad: true, sslmode: 'require' } }
  // An account URL and no key: the hook uses the managed identity.
  wasb: { conn_type: 'wasb', host: dataLakeBlobEndpoint }
  kafka: { conn_type: 'kafka', extra: { 'bootstrap.servers': kafkaBootstrap, 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER' } }
  // Read by the Livy backend: Synapse's Livy API for the pool, with a token for https://dev.azuresynapse.net/.default.
  spark: { conn_type: 'livy', host: synapseDevEndpoint, extra: { backend: 'synapse', spark_pool: synapseSparkPool, livy_api_version: '2019-11-01-preview' } }
}

var baseSettings = [
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: appStorageBlobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: appStorageQueueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: appStorageTableEndpoint }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
  { name: 'AZFLOW_TASK_HUB', value: taskHubName }
  { name: 'AZFLOW_STATE_CONTAINER', value: 'azflow-state' }
  { name: 'AZFLOW_XCOM_INLINE_MAX_BYTES', value: '16384' }
  // Per-try task logs at Airflow's remote-log layout, in the app's storage (private, created on first use).
  { name: 'AZFLOW_LOG_CONTAINER', value: 'airflow-logs' }
  // Larger REST API bodies get 413; large confs are stored like offloaded XComs.
  { name: 'AZFLOW_API_MAX_BODY_BYTES', value: '16777216' }
  { name: 'AZFLOW_PAUSED_DAGS', value: pausedDags }
  // Blob sensors watch the data lake; on Flex Consumption blob triggers use the Event Grid source.
  { name: 'AZFLOW_BLOB_TRIGGER_CONNECTION', value: 'DataLakeStorage' }
  { name: 'AZFLOW_BLOB_TRIGGER_SOURCE', value: 'EventGrid' }
  { name: 'DataLakeStorage__credential', value: 'managedidentity' }
  { name: 'DataLakeStorage__clientId', value: identityClientId }
  { name: 'DataLakeStorage__blobServiceUri', value: dataLakeBlobEndpoint }
  { name: 'DataLakeStorage__queueServiceUri', value: dataLakeQueueEndpoint }
  { name: 'AIRFLOW_CONN_POSTGRES_DEFAULT', value: string(connections.postgres) }
  { name: 'AIRFLOW_CONN_WASB_DEFAULT', value: string(connections.wasb) }
  { name: 'AIRFLOW_CONN_KAFKA_DEFAULT', value: string(connections.kafka) }
  { name: 'AIRFLOW_CONN_SPARK_DEFAULT', value: string(connections.spark) }
]

// Durable Task Scheduler replaces host.json's storage provider through host.json overrides.
var durableTaskSchedulerSettings = durableBackend == 'DurableTaskScheduler' ? [
  { name: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING', value: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}' }
  { name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type', value: 'azureManaged' }
  { name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName', value: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING' }
] : []

// Secrets that cannot be identities (an external API's password) live in Key Vault.
var keyVaultSettings = [for connId in keyVaultConnectionIds: {
  name: 'AIRFLOW_CONN_${toUpper(connId)}'
  value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=airflow-conn-${replace(connId, '_', '-')})'
}]

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  // checkov:skip=CKV_AZURE_17: client certificates would break the Event Grid webhook and the Airflow clients the REST API serves.
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  // checkov:skip=CKV_AZURE_222: Flex Consumption without the optional VNet must stay reachable for Event Grid deliveries and the REST API; every route but health needs a function key.
  // checkov:skip=CKV_AZURE_212: Flex Consumption has no plan-level minimum instance count; the durable group keeps one always-ready instance (functionAppConfig below).
  // checkov:skip=CKV_AZURE_213: App Service health check is not available on Flex Consumption; GET /api/health serves probes.
  properties: {
    serverFarmId: planId
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(baseSettings, durableTaskSchedulerSettings, keyVaultSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${appStorageBlobEndpoint}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: {
        alwaysReady: [ { name: 'durable', instanceCount: 1 } ]
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'node', version: '22' }
    }
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
