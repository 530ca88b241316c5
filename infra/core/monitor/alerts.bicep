// An action group and log alert rules over the app's telemetry in Application Insights: failed
// DAG runs (azflow.dag_run.outcome with state failed), SLA misses (azflow.sla.misses) and
// dead-letter growth (azflow.rows.dead_lettered). Each query counts over its window.
param location string
param tags object = {}
param actionGroupName string
param alertNamePrefix string
param applicationInsightsId string
@description('Where alerts are e-mailed; empty creates the group without receivers.')
param alertEmail string = ''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'azflow'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      { name: 'operators', emailAddress: alertEmail, useCommonAlertSchema: true }
    ]
  }
}

var rules = [
  {
    name: 'failed-dag-runs'
    description: 'A DAG run ended failed.'
    severity: 1
    query: 'customMetrics | where name == "azflow.dag_run.outcome" | where tostring(customDimensions.state) == "failed" | summarize failed = sum(valueSum) by dag_id = tostring(customDimensions.dag_id)'
    metricMeasureColumn: 'failed'
  }
  {
    name: 'sla-misses'
    description: 'A task finished after its SLA deadline.'
    severity: 2
    query: 'customMetrics | where name == "azflow.sla.misses" | summarize misses = sum(valueSum) by dag_id = tostring(customDimensions.dag_id), task_id = tostring(customDimensions.task_id)'
    metricMeasureColumn: 'misses'
  }
  {
    name: 'dead-letter-growth'
    description: 'Rows or messages were set aside in a dead-letter place.'
    severity: 2
    query: 'customMetrics | where name == "azflow.rows.dead_lettered" | summarize rows = sum(valueSum) by dag_id = tostring(customDimensions.dag_id), target = tostring(customDimensions.target)'
    metricMeasureColumn: 'rows'
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [for rule in rules: {
  name: '${alertNamePrefix}${rule.name}'
  location: location
  tags: tags
  properties: {
    displayName: 'azflow: ${rule.description}'
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [ applicationInsightsId ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Total'
          metricMeasureColumn: rule.metricMeasureColumn
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [ actionGroup.id ] }
  }
}]

output actionGroupId string = actionGroup.id
