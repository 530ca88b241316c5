// Event Hubs Standard with its Kafka endpoint (<ns>.servicebus.windows.net:9093): one hub per
// Kafka topic, SAS keys off, so clients authenticate with Entra tokens (SASL OAUTHBEARER).
param name string
param location string
param tags object = {}
@description('Kafka topics, created as event hubs.')
param topics array
param partitionCount int = 2

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard', capacity: 1 }
  properties: {
    disableLocalAuth: true
    kafkaEnabled: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource hubs 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = [for topic in topics: {
  parent: namespace
  name: topic
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: 1
  }
}]

output id string = namespace.id
output name string = namespace.name
output kafkaBootstrap string = '${namespace.name}.servicebus.windows.net:9093'
