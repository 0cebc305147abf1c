// Azure Monitor workbook that replaces the original's Grafana dashboards. The counts come from the app's
// business metrics (shared/metrics.ts), which reach Application Insights as customMetrics and are never
// sampled, so every order counts:
//   - orders per minute: cafe.orders.placed;
//   - completions and cancellations (by store, by reason): cafe.orders.completed, cafe.orders.cancelled;
//   - saga latency (placed to completed): cafe.orders.saga_latency (a histogram: mean and max per bin);
//   - consumer lag (how long events waited in the hub): cafe.consumer.lag, by consumer;
//   - per-function failures: failed requests (every function invocation is a request) by function name;
//   - dead-lettered events by consumer and type: cafe.events.dead_lettered.
// A counter's rows hold the sum over one export interval (valueSum); a histogram's also the count and max.
param location string
param tags object
param appInsightsName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// One metric's rows in the workbook's time range (customDimensions holds the metric's attributes).
func metric(name string) string => 'customMetrics | where name == "${name}"'

var timeRange = {
  durationMs: 86400000
}

func kqlItem(name string, title string, query string, visualization string, width string) object => {
  type: 3
  name: name
  customWidth: width
  content: {
    version: 'KqlItem/1.0'
    title: title
    query: query
    size: 0
    queryType: 0
    resourceType: 'microsoft.insights/components'
    visualization: visualization
    timeContextFromParameter: 'TimeRange'
    timeContext: {
      durationMs: 86400000
    }
  }
}

var workbookContent = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'intro'
      content: {
        json: '## Unmanned Cafe operations\nOrders, outcomes, latency and failures of the order saga, from Application Insights.'
      }
    }
    {
      type: 9
      name: 'parameters'
      content: {
        version: 'KqlParameterItem/1.0'
        style: 'pills'
        queryType: 0
        resourceType: 'microsoft.insights/components'
        parameters: [
          {
            id: '5a1d2c4e-0b6f-4c1e-9a57-3f1f0f6d9c01'
            version: 'KqlParameterItem/1.0'
            name: 'TimeRange'
            label: 'Time range'
            type: 4
            isRequired: true
            value: timeRange
            typeSettings: {
              selectableValues: [
                {
                  durationMs: 3600000
                }
                {
                  durationMs: 14400000
                }
                {
                  durationMs: 86400000
                }
                {
                  durationMs: 604800000
                }
              ]
            }
          }
        ]
      }
    }
    kqlItem(
      'orders-per-minute',
      'Orders placed per minute (POST /orders accepted)',
      '${metric('cafe.orders.placed')} | summarize placed = sum(valueSum) by bin(timestamp, 1m) | render timechart',
      'timechart',
      '50'
    )
    kqlItem(
      'outcomes',
      'Completed vs cancelled orders',
      'customMetrics | where name in ("cafe.orders.completed", "cafe.orders.cancelled") | extend outcome = iff(name == "cafe.orders.cancelled", "cancelled", "completed") | summarize orders = sum(valueSum) by outcome, bin(timestamp, 5m) | render columnchart',
      'columnchart',
      '50'
    )
    kqlItem(
      'cancellation-rate',
      'Cancellations by store',
      'customMetrics | where name in ("cafe.orders.completed", "cafe.orders.cancelled") | extend storeId = tostring(customDimensions.storeId) | summarize completed = sumif(valueSum, name == "cafe.orders.completed"), cancelled = sumif(valueSum, name == "cafe.orders.cancelled") by storeId | extend cancellationRatePct = round(100.0 * cancelled / (completed + cancelled), 1) | order by cancelled desc',
      'table',
      '50'
    )
    kqlItem(
      'cancellation-reasons',
      'Cancellations by reason',
      '${metric('cafe.orders.cancelled')} | extend reason = tostring(customDimensions.reason) | summarize cancelled = sum(valueSum) by reason | order by cancelled desc',
      'table',
      '50'
    )
    kqlItem(
      'completion-latency',
      'Saga latency (order placed to completed), ms',
      '${metric('cafe.orders.saga_latency')} | summarize meanMs = sum(valueSum) / sum(valueCount), maxMs = max(valueMax) by bin(timestamp, 5m) | render timechart',
      'timechart',
      '50'
    )
    kqlItem(
      'consumer-lag',
      'Consumer lag (time events waited in the hub), ms',
      '${metric('cafe.consumer.lag')} | extend consumer = tostring(customDimensions.consumer) | summarize meanMs = sum(valueSum) / sum(valueCount), maxMs = max(valueMax) by consumer, bin(timestamp, 5m) | render timechart',
      'timechart',
      '50'
    )
    kqlItem(
      'function-failures',
      'Failures per function',
      'requests | summarize invocations = count(), failures = countif(success == false) by functionName = operation_Name | extend failureRatePct = round(100.0 * failures / invocations, 2) | order by failures desc',
      'table',
      '50'
    )
    kqlItem(
      'function-failures-over-time',
      'Failed invocations over time',
      'requests | where success == false | summarize failures = count() by functionName = operation_Name, bin(timestamp, 5m) | render timechart',
      'timechart',
      '50'
    )
    kqlItem(
      'dead-letters',
      'Dead-lettered events by consumer',
      '${metric('cafe.events.dead_lettered')} | extend consumer = tostring(customDimensions.consumer), eventType = tostring(customDimensions.eventType) | summarize deadLettered = sum(valueSum) by consumer, eventType | order by deadLettered desc',
      'table',
      '100'
    )
  ]
  fallbackResourceIds: [
    appInsights.id
  ]
  '$schema': 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json'
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, 'unmanned-cafe-operations')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Unmanned Cafe operations'
    category: 'workbook'
    version: 'Notebook/1.0'
    sourceId: appInsights.id
    serializedData: string(workbookContent)
  }
}

output id string = workbook.id
