// Unmanned Cafe: one environment (resource group) with the Functions app on Flex Consumption, the
// Event Hubs namespace that carries the order saga, the storage account that holds the host state and the
// services' tables, monitoring (Log Analytics, Application Insights, alerts, a workbook) and the role
// assignments that let the app's user-assigned identity reach all of it without a single secret.
//
// Deploy with `azd up` (azure.yaml) or `az deployment sub create -l <location> -f infra/main.bicep -p ...`.
targetScope = 'subscription'

@minLength(1)
@maxLength(48)
@description('Name of the environment (azd environment name); used to name the resource group and to derive resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. Flex Consumption must be available there.')
param location string

@description('Object id of a user or service principal that gets data-plane roles for diagnostics (read tables, send and read events). Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principalId.')
param principalType string = 'User'

@description('Object id of the deployment pipeline\'s service principal (GitHub Actions): gets Event Hubs Data Receiver on the hub for the smoke test. Empty: none.')
param deployPipelinePrincipalId string = ''

@minValue(1)
@maxValue(32)
@description('Partitions of the cafe-events hub (fixed once created on the Standard tier). The Event Hubs trigger scales out to at most one instance per partition.')
param eventHubPartitionCount int = 4

@minValue(1)
@maxValue(7)
@description('Days an event stays in the hub (Standard tier allows up to 7).')
param eventHubRetentionDays int = 1

@minValue(1)
@maxValue(40)
@description('Throughput units of the Event Hubs namespace (1 TU = 1 MB/s or 1,000 events/s in).')
param eventHubThroughputUnits int = 1

@minValue(40)
@maxValue(1000)
@description('Flex Consumption: most instances the app may scale out to (40 is the lowest value the plan accepts).')
param maximumInstanceCount int = 100

@minValue(1)
@maxValue(1000)
@description('Flex Consumption: concurrent HTTP requests one instance handles before the platform adds another.')
param httpPerInstanceConcurrency int = 16

@allowed([
  2048
  4096
])
@description('Flex Consumption instance size in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@description('Seconds a drink takes to brew (app setting BREW_SECONDS).')
param brewSeconds int = 30

@minValue(1)
@description('Seconds after which an order still pending is nudged again (app setting ORDER_NUDGE_AFTER_SECONDS).')
param orderNudgeAfterSeconds int = 60

@minValue(1)
@description('Seconds an order may take to start brewing before it is cancelled as timed-out (app setting ORDER_DEADLINE_SECONDS).')
param orderDeadlineSeconds int = 900

@minValue(0)
@description('Stock at or below which a low-stock notification is raised (app setting LOW_STOCK_CUPS).')
param lowStockCups int = 5

@description('NCRONTAB (6 fields) of the brew sweep timer (app setting BREW_SWEEP_SCHEDULE).')
param brewSweepSchedule string = '*/5 * * * * *'

@description('NCRONTAB (6 fields) of the order sweep timer (app setting ORDER_SWEEP_SCHEDULE).')
param orderSweepSchedule string = '*/30 * * * * *'

@minLength(36)
@maxLength(36)
@description('Application (client) id of the API app registration with the app roles Staff and Operator (README: one-time setup). Staff and operator routes accept only its access tokens.')
param authClientId string

@description('Directory (tenant) id of that app registration. Default: the tenant of the deployment.')
param authTenantId string = tenant().tenantId

@description('E-mail address that receives alert notifications. Empty: alerts fire in the portal only.')
param alertEmail string = ''

@minValue(1)
@description('Alert when more events than this are waiting (incoming x consumer groups - outgoing, over 15 minutes).')
param backlogAlertThreshold int = 500

// The contract with the app (shared/topology.ts). test/infra-consistency.int.test.ts proves these equal the
// app's trigger registrations and topology, so a consumer group added in code and not here fails the build.
var eventHubName = 'cafe-events'
var consumerGroupNames = [
  'orders'
  'inventory'
  'beverages'
  'notifications'
  'kiosk'
  'sales'
]
var tableNames = [
  'orders'
  'inventory'
  'beverages'
  'notifications'
  'kiosk'
  'sales'
  'deadletters'
  'audit'
  'staffstores'
  'stores'
]

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  app: 'unmanned-cafe'
}
var names = {
  resourceGroup: 'rg-${environmentName}'
  identity: 'id-cafe-${resourceToken}'
  logAnalytics: 'log-cafe-${resourceToken}'
  appInsights: 'appi-cafe-${resourceToken}'
  storage: 'stcafe${resourceToken}'
  eventHubNamespace: 'evhns-cafe-${resourceToken}'
  plan: 'plan-cafe-${resourceToken}'
  functionApp: 'func-cafe-${resourceToken}'
}
var deploymentContainerName = 'app-package-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    tableNames: tableNames
  }
}

module eventHubs 'modules/eventhubs.bicep' = {
  scope: rg
  params: {
    namespaceName: names.eventHubNamespace
    location: location
    tags: tags
    eventHubName: eventHubName
    partitionCount: eventHubPartitionCount
    retentionDays: eventHubRetentionDays
    throughputUnits: eventHubThroughputUnits
    consumerGroupNames: consumerGroupNames
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

// Names below are passed as deploy-time constants (not module outputs) so What-If can predict the
// assignments; dependsOn orders the deployments instead.
module rbac 'modules/rbac.bicep' = {
  scope: rg
  params: {
    appIdentityName: names.identity
    appPrincipalId: identity.outputs.principalId
    storageAccountName: names.storage
    eventHubNamespaceName: names.eventHubNamespace
    eventHubName: eventHubName
    appInsightsName: names.appInsights
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    deployPipelinePrincipalId: deployPipelinePrincipalId
  }
  dependsOn: [
    storage
    eventHubs
    monitoring
  ]
}

module api 'app/api.bicep' = {
  scope: rg
  params: {
    planName: names.plan
    name: names.functionApp
    location: location
    tags: tags
    identityName: names.identity
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    blobServiceUri: storage.outputs.blobEndpoint
    tableServiceUri: storage.outputs.tableEndpoint
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    instanceMemoryMB: instanceMemoryMB
    brewSeconds: brewSeconds
    orderNudgeAfterSeconds: orderNudgeAfterSeconds
    orderDeadlineSeconds: orderDeadlineSeconds
    lowStockCups: lowStockCups
    brewSweepSchedule: brewSweepSchedule
    orderSweepSchedule: orderSweepSchedule
    authTenantId: authTenantId
    authClientId: authClientId
  }
  // The host starts as soon as the site exists: give its identity the data roles first.
  dependsOn: [
    identity
    rbac
  ]
}

// Platform logs and metrics of the function app and the storage account go to the workspace too.
module diagnostics 'modules/diagnostics.bicep' = {
  scope: rg
  params: {
    functionAppName: names.functionApp
    storageAccountName: names.storage
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
  dependsOn: [
    api
    storage
  ]
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    appInsightsName: names.appInsights
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    eventHubNamespaceName: names.eventHubNamespace
    consumerGroupCount: length(consumerGroupNames)
    backlogThreshold: backlogAlertThreshold
    alertEmail: alertEmail
  }
  dependsOn: [
    eventHubs
  ]
}

module workbook 'modules/workbook.bicep' = {
  scope: rg
  params: {
    location: location
    tags: tags
    appInsightsName: names.appInsights
  }
  dependsOn: [
    monitoring
  ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_FUNCTION_APP_URL string = api.outputs.uri
output AZURE_EVENTHUBS_NAMESPACE string = eventHubs.outputs.namespaceName
output AZURE_EVENTHUBS_FULLY_QUALIFIED_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
output AZURE_EVENTHUB_NAME string = eventHubs.outputs.eventHubName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output AZURE_WORKBOOK_ID string = workbook.outputs.id
