// Event Hubs namespace (Standard: the Kafka endpoint is available) with local SAS auth off, so only Entra ID
// principals with a data role can send or receive. One hub carries every saga event; each consuming service
// reads it through its own consumer group ($Default exists implicitly and is not used by the app).
param namespaceName string
param location string
param tags object
param eventHubName string
param partitionCount int
param retentionDays int
param throughputUnits int
param consumerGroupNames string[]

@description('Consumer group the operator replay (POST /operations/replay) reads through; shared/topology.ts OPERATIONS_CONSUMER_GROUP.')
param operationsConsumerGroupName string = 'operations'

@description('Workspace that receives the namespace metrics (the backlog alert queries them there).')
param logAnalyticsWorkspaceId string

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: throughputUnits
  }
  properties: {
    disableLocalAuth: true
    kafkaEnabled: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    isAutoInflateEnabled: false
  }
}

resource hub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: eventHubName
  properties: {
    partitionCount: partitionCount
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionDays * 24
    }
  }
}

resource consumerGroups 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [
  for groupName in consumerGroupNames: {
    parent: hub
    name: groupName
  }
]

// Read on demand only, never by a trigger: kept out of consumerGroupNames, whose count the backlog alert uses.
resource operationsConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: hub
  name: operationsConsumerGroupName
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output namespaceName string = namespace.name
output namespaceId string = namespace.id
// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ (in the public cloud): keep the host.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '://')[1], ':')[0]
output eventHubName string = hub.name
output consumerGroupNames string[] = [for (groupName, i) in consumerGroupNames: consumerGroups[i].name]
