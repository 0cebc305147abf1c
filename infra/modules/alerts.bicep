// Alert rules that replace the original's Grafana/Prometheus alerting:
//   - function failures (any failed invocation, per function) from Application Insights requests;
//   - dead-lettered events (the app's cafe.events.dead_lettered metric, a customMetric: never sampled);
//   - a store low on cups (the inventory's "stock low" warning line, once per StockLow it publishes);
//   - events neither processed nor dead-lettered (the cafe.events.unparked metric; the app also logs each as
//     an error line starting with "unparked event", with where it sits in the hub);
//   - Event Hubs throttling (ThrottledRequests metric);
//   - consumers stalled (events arrive but none leave) and a growing backlog (incoming x consumer groups
//     minus outgoing, from the namespace metrics sent to Log Analytics by eventhubs.bicep).
// Notifications go to an optional e-mail action group.
param location string
param tags object
param resourceToken string
param appInsightsName string
param logAnalyticsWorkspaceId string
param eventHubNamespaceName string
param consumerGroupCount int
param backlogThreshold int
param alertEmail string = ''

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-cafe-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'cafe-ops'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var metricActions = empty(alertEmail) ? [] : [
  {
    actionGroupId: actionGroup.id
  }
]
var logActions = {
  actionGroups: empty(alertEmail) ? [] : [
    actionGroup.id
  ]
}

resource functionFailures 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-function-failures-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Cafe: function failures'
    description: 'At least one function invocation failed in the last 5 minutes (one alert per function).'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'requests | where success == false | summarize failures = count() by functionName = operation_Name'
          timeAggregation: 'Total'
          metricMeasureColumn: 'failures'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'functionName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: logActions
  }
}

resource deadLetters 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-dead-letters-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Cafe: dead-lettered events'
    description: 'A consumer dead-lettered at least one event in the last 5 minutes (one alert per consumer). Inspect the deadletters table.'
    severity: 1
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "cafe.events.dead_lettered" | extend consumer = tostring(customDimensions.consumer) | summarize deadLettered = sum(valueSum) by consumer'
          timeAggregation: 'Total'
          metricMeasureColumn: 'deadLettered'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'consumer'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: logActions
  }
}

// Events that a consumer could neither apply nor dead-letter (the deadletters table itself failed): the app
// logs each as an error line starting with "unparked event", with its partition and sequence number, and the
// hub keeps it for its retention only. Replay them with POST /operations/replay (see the README).
resource unparkedEvents 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-unparked-events-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Cafe: events neither processed nor dead-lettered'
    description: 'A consumer could not write at least one event to the deadletters table in the last 5 minutes (one alert per consumer). Find the "unparked event" lines (partitionId, sequenceNumber, eventId) and replay those ranges with POST /operations/replay before the hub\'s retention ends.'
    severity: 0
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "cafe.events.unparked" | extend consumer = tostring(customDimensions.consumer) | summarize unparked = sum(valueSum) by consumer'
          timeAggregation: 'Total'
          metricMeasureColumn: 'unparked'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'consumer'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: logActions
  }
}

resource throttled 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-eventhubs-throttled-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Hubs throttled requests: the namespace needs more throughput units.'
    severity: 2
    enabled: true
    scopes: [
      namespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'throttled'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.EventHub/namespaces'
          metricName: 'ThrottledRequests'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: metricActions
  }
}

resource consumersStalled 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-eventhubs-consumers-stalled-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'Events arrive (IncomingMessages > 0) but no consumer reads any (OutgoingMessages = 0) for 15 minutes.'
    severity: 1
    enabled: true
    scopes: [
      namespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'incoming'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.EventHub/namespaces'
          metricName: 'IncomingMessages'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
        {
          name: 'outgoing'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.EventHub/namespaces'
          metricName: 'OutgoingMessages'
          operator: 'LessThan'
          threshold: 1
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: metricActions
  }
}

// Every consumer group reads every event, so in steady state outgoing ~= incoming x consumer groups.
var backlogQuery = 'AzureMetrics | where _ResourceId =~ "${namespace.id}" and MetricName in ("IncomingMessages", "OutgoingMessages") | summarize incoming = sumif(Total, MetricName == "IncomingMessages"), outgoing = sumif(Total, MetricName == "OutgoingMessages") | extend backlogGrowth = incoming * ${consumerGroupCount} - outgoing'

resource backlog 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-eventhubs-backlog-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Cafe: Event Hubs backlog growing'
    description: 'Over 15 minutes, more events entered the hub (times the consumer groups) than the consumers read.'
    severity: 2
    enabled: true
    // AzureMetrics appears in a new workspace only once the namespace's first metrics arrive, so validating
    // the query at creation would fail the first deployment.
    skipQueryValidation: true
    scopes: [
      logAnalyticsWorkspaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: backlogQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'backlogGrowth'
          operator: 'GreaterThan'
          threshold: backlogThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: logActions
  }
}

// A brewing job that never finished: the orders sweep logs "stuck brewing orderId=..." at error level,
// once per order, when an order is still brewing past its deadline. It is not cancelled (the drink may be
// in the cup), so an operator looks.
resource stuckBrewing 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-stuck-brewing-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Cafe: brewing stuck'
    description: 'At least one order is still brewing past its deadline (ORDER_DEADLINE_SECONDS). Search the traces for "stuck brewing" to get the order ids.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'traces | where severityLevel >= 3 and message startswith "stuck brewing" | extend storeId = extract("storeId=([^ ]+)", 1, message) | summarize stuck = count() by storeId'
          timeAggregation: 'Total'
          metricMeasureColumn: 'stuck'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'storeId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: logActions
  }
}

output stuckBrewingAlertId string = stuckBrewing.id

// A store low on cups: the inventory logs "stock low storeId=... cups=... lowStockCups=... crossing=..." at
// warning level each time it publishes a StockLow (functions/inventory/lowStock.ts), i.e. once per crossing of
// the store's threshold, again only if a publish had to be repeated. One alert per store; the crossing number
// tells a repeat from a new crossing. Informational: someone restocks, nothing is broken.
resource stockLow 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-stock-low-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Cafe: store low on cups'
    description: 'A store\'s free cups fell to its low-stock threshold (its lowStockCups, else LOW_STOCK_CUPS) in the last 5 minutes. Restock it (POST /inventories/{storeId}/restock).'
    severity: 3
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: 'traces | where severityLevel >= 2 and message startswith "stock low" | extend storeId = extract("storeId=([^ ]+)", 1, message), crossing = extract("crossing=([0-9]+)", 1, message) | summarize crossings = dcount(crossing) by storeId'
          timeAggregation: 'Total'
          metricMeasureColumn: 'crossings'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'storeId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: logActions
  }
}

output stockLowAlertId string = stockLow.id

output alertRuleIds string[] = [
  functionFailures.id
  deadLetters.id
  unparkedEvents.id
  throttled.id
  consumersStalled.id
  backlog.id
]
