// The Flex Consumption plan (FC1, Linux) the function app runs on.
param name string
param location string
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  // checkov:skip=CKV_AZURE_225: zone redundancy on Flex Consumption keeps always-ready instances in every zone, tripling their cost; left off here, noted in docs/azure.md.
  properties: { reserved: true }
}

output id string = plan.id
output name string = plan.name
