// Names the three finance DAGs share (seed 000 "Financial ML"; the seed's .env values): the
// containers, the prefixes its sensors watch, the tables. Plain constants, safe in orchestrator code.
export const FINANCE = {
  dataContainer: "finance-data",
  archiveContainer: "finance-archive",
  /** The model plots of finance_ml. */
  mlContainer: "finance-ml",
  chargePrefix: "charge/",
  satisfactionPrefix: "satisfaction/",
  chargeTable: "in_charge",
  satisfactionTable: "customer_satisfaction",
  trainingTable: "model_training",
  resultsTable: "model_results",
} as const;
