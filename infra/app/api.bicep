// The function app on the Flex Consumption plan (FC1), Node 22, running as the user-assigned identity.
// Connections are identity-based only: no connection string, key or SAS appears in any setting.
param planName string
param name string
param location string
param tags object

@description('Name of the user-assigned identity the app runs as (same resource group).')
param identityName string

@description('URL of the blob container the Flex plan deploys the package from.')
param deploymentContainerUrl string

param blobServiceUri string
param tableServiceUri string
param eventHubsFullyQualifiedNamespace string

@description('Application Insights connection string; with local auth off it only names the target, the identity authenticates.')
param appInsightsConnectionString string

param maximumInstanceCount int
param httpPerInstanceConcurrency int
param instanceMemoryMB int

param brewSeconds int
param orderNudgeAfterSeconds int
param orderDeadlineSeconds int
param lowStockCups int
param brewSweepSchedule string
param orderSweepSchedule string

@description('Directory (tenant) id whose Entra ID access tokens the app accepts.')
param authTenantId string

@description('Application (client) id of the API app registration: the audience of the tokens, whose app roles Staff and Operator the app checks.')
param authClientId string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

// Its client id selects it for every identity-based connection.
var identityClientId = identity.properties.clientId

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// On Flex the runtime comes from functionAppConfig: FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and
// WEBSITE_RUN_FROM_PACKAGE must not be set. test/infra-consistency.int.test.ts checks that every setting the
// app reads is here.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Host storage (leases, checkpoints, timer locks; tables for host diagnostics events).
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: blobServiceUri
    AzureWebJobsStorage__tableServiceUri: tableServiceUri
    // Event Hubs triggers (connection: 'EventHubConnection') and the app's producer.
    EventHubConnection__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
    EventHubConnection__credential: 'managedidentity'
    EventHubConnection__clientId: identityClientId
    // The services' tables.
    TablesConnection__tableServiceUri: tableServiceUri
    TablesConnection__credential: 'managedidentity'
    TablesConnection__clientId: identityClientId
    // DefaultAzureCredential in the app's own SDK clients picks the user-assigned identity from this.
    AZURE_CLIENT_ID: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // Behaviour.
    BREW_SECONDS: string(brewSeconds)
    ORDER_NUDGE_AFTER_SECONDS: string(orderNudgeAfterSeconds)
    ORDER_DEADLINE_SECONDS: string(orderDeadlineSeconds)
    LOW_STOCK_CUPS: string(lowStockCups)
    BREW_SWEEP_SCHEDULE: brewSweepSchedule
    ORDER_SWEEP_SCHEDULE: orderSweepSchedule
    // The intake's own bound (the app refuses to start unless ORDER_NUDGE_AFTER_SECONDS is above it) and
    // how long an Idempotency-Key stands for its first request.
    INTAKE_TIMEOUT_SECONDS: '10'
    IDEMPOTENCY_TTL_HOURS: '24'
    // Finished orders' records are deleted after this many days, by the hourly cleanUpExpired timer.
    RETENTION_DAYS: '30'
    CLEANUP_SCHEDULE: '0 17 * * * *'
    // Sign-in: bearer tokens checked by the app itself (shared/auth); the app refuses to start on Azure
    // with any other mode.
    AUTH_MODE: 'entra'
    AUTH_ENTRA_TENANT_ID: authTenantId
    AUTH_ENTRA_CLIENT_ID: authClientId
  }
}

// No basic-auth publishing (FTP or SCM): deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output id string = site.id
output uri string = 'https://${site.properties.defaultHostName}'
