// Key Vault with Azure RBAC (no access policies) for secrets that cannot be identities, e.g. an
// external API's password in an Airflow connection, read by the app through Key Vault references.
param name string
param location string
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  // checkov:skip=CKV_AZURE_109: the firewall stays open because Flex Consumption apps without a VNet have no fixed addresses; reads need an Entra identity with Key Vault Secrets User.
  // checkov:skip=CKV_AZURE_189: public network access is needed for the same reason (no VNet in this template).
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
