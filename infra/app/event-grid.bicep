// The Event Grid system topic on the data lake that blob triggers (Event Grid source, the only
// kind Flex Consumption runs) subscribe to. The subscriptions need the deployed host's
// blobs_extension key, so infra/hooks/postdeploy.sh creates them after each deploy.
param name string
param location string
param tags object = {}
param dataLakeId string

resource topic 'Microsoft.EventGrid/systemTopics@2024-06-01-preview' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: dataLakeId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.name
