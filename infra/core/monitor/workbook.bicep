// The azflow workbook (DAG runs, task durations, failures, rows), bound to the Application Insights resource.
param location string
param tags object = {}
param displayName string = 'azflow DAG runs'
param applicationInsightsId string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; derived from the App Insights resource so redeploys update it.
  name: guid(applicationInsightsId, 'azflow-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: replace(loadTextContent('workbook.json'), '__APP_INSIGHTS_ID__', applicationInsightsId)
  }
}

output id string = workbook.id
