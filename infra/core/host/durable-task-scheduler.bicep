// Durable Task Scheduler: a managed backend for Durable Functions with its own dashboard, used
// instead of Azure Storage when durableBackend is 'DurableTaskScheduler'.
param schedulerName string
param taskHubName string
param location string
param tags object = {}
@allowed([ 'Consumption', 'Dedicated' ])
param skuName string = 'Consumption'

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: schedulerName
  location: location
  tags: tags
  properties: {
    sku: { name: skuName }
    // An empty list would deny every client; access still needs the Durable Task Data Contributor role.
    ipAllowlist: [ '0.0.0.0/0' ]
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

output id string = scheduler.id
output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
