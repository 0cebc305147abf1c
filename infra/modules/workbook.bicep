// Azure Monitor workbook that replaces the original's Grafana dashboards. All tiles query the Application
// Insights data the app already produces:
//   - orders per minute: HTTP requests of the placeOrder function;
//   - completions and cancellations: traces "order completed ..." / "order cancelled ..." of the orders consumer;
//   - completion latency: the latencyMs field of "order completed" traces;
//   - per-function failures: failed requests (every function invocation is a request) by function name;
//   - dead-lettered events by consumer.
param location string
param tags object
param appInsightsName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The app logs `order completed orderId=... storeId=... latencyMs=...` and
// `dead-lettered consumer=... eventId=... eventType=...`: each field is read from customDimensions when
// present (structured logging; prop__ is the host's prefix for those) and otherwise from the message text.
func field(name string) string =>
  'coalesce(tostring(customDimensions.${name}), tostring(customDimensions.prop__${name}), extract("${name}=([^ :]+)", 1, message))'

var outcomeFilter = 'message startswith "order completed" or message startswith "order cancelled"'

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
      'Orders per minute (POST /orders)',
      'requests | where name == "placeOrder" or operation_Name == "placeOrder" | summarize accepted = countif(success == true), rejected = countif(success == false) by bin(timestamp, 1m) | render timechart',
      'timechart',
      '50'
    )
    kqlItem(
      'outcomes',
      'Completed vs cancelled orders',
      'traces | where ${outcomeFilter} | extend outcome = iff(message startswith "order cancelled", "cancelled", "completed") | summarize orders = count() by outcome, bin(timestamp, 5m) | render columnchart',
      'columnchart',
      '50'
    )
    kqlItem(
      'cancellation-rate',
      'Cancellations by store',
      'traces | where ${outcomeFilter} | extend storeId = ${field('storeId')} | summarize completed = countif(message startswith "order completed"), cancelled = countif(message startswith "order cancelled") by storeId | extend cancellationRatePct = round(100.0 * cancelled / (completed + cancelled), 1) | order by cancelled desc',
      'table',
      '50'
    )
    kqlItem(
      'completion-latency',
      'Completion latency (order created to completed), ms',
      'traces | where message startswith "order completed" | extend latencyMs = todouble(${field('latencyMs')}) | where isnotnull(latencyMs) | summarize p50 = percentile(latencyMs, 50), p95 = percentile(latencyMs, 95), p99 = percentile(latencyMs, 99) by bin(timestamp, 5m) | render timechart',
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
      'traces | where severityLevel >= 3 and message startswith "dead-lettered" | extend consumer = ${field('consumer')}, eventType = ${field('eventType')} | summarize deadLettered = count() by consumer, eventType | order by deadLettered desc',
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
