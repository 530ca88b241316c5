// Telemetry to Application Insights through OpenTelemetry: the Azure Monitor exporters (the ones
// the Azure Functions Node OpenTelemetry guidance uses) behind an OpenTelemetry LoggerProvider and
// MeterProvider of our own, so nothing global is patched. Task log lines become traces with the
// task-instance key in customDimensions, parented to the Functions invocation's trace; metrics
// become customMetrics with the same dimensions.
import * as os from "node:os";
import { AzureMonitorLogExporter, AzureMonitorMetricExporter } from "@azure/monitor-opentelemetry-exporter";
import type { TokenCredential } from "@azure/identity";
import { ROOT_CONTEXT, trace, TraceFlags, type Attributes, type Context, type Meter } from "@opentelemetry/api";
import { SeverityNumber, type Logger } from "@opentelemetry/api-logs";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import type { MetricName, MetricRecord, TaskLogRecord, TelemetryRecord, TelemetrySink } from "./records";

/** Metrics are pre-aggregated and sent this often (and when the host stops the worker). */
const METRIC_EXPORT_INTERVAL_MS = 15_000;

const SEVERITY: Record<TaskLogRecord["level"], SeverityNumber> = {
  info: SeverityNumber.INFO,
  warning: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/** The context of a W3C traceparent (`00-<trace id>-<span id>-<flags>`), or the root context. */
export function contextFromTraceParent(traceParent: string | undefined): Context {
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceParent ?? "");
  if (!m || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & TraceFlags.SAMPLED, isRemote: true,
  });
}

type Instrument = { record(value: number, attributes: Attributes): void };

export class AppInsightsSink implements TelemetrySink {
  readonly name = "application-insights";
  private readonly loggerProvider: LoggerProvider;
  private readonly meterProvider: MeterProvider;
  private readonly logger: Logger;
  private readonly meter: Meter;
  private readonly instruments = new Map<MetricName, Instrument>();

  constructor(connectionString: string, credential: TokenCredential | undefined) {
    const exporterOptions = { connectionString, credential };
    const resource = resourceFromAttributes({ "service.name": "azflow", "service.instance.id": os.hostname() });
    this.loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor(new AzureMonitorLogExporter(exporterOptions))],
    });
    this.meterProvider = new MeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({
        exporter: new AzureMonitorMetricExporter(exporterOptions),
        exportIntervalMillis: METRIC_EXPORT_INTERVAL_MS,
      })],
    });
    this.logger = this.loggerProvider.getLogger("azflow.tasks");
    this.meter = this.meterProvider.getMeter("azflow");
  }

  private createInstrument(record: MetricRecord): Instrument {
    const options = { unit: record.unit };
    switch (record.name) {
      case "azflow.task.duration":
      case "azflow.dag_run.duration":
        return this.meter.createHistogram(record.name, options);
      case "azflow.consumer.lag":
        return this.meter.createGauge(record.name, options);
      default: {
        const counter = this.meter.createCounter(record.name, options);
        return { record: (value, attributes) => counter.add(value, attributes) };
      }
    }
  }

  private instrument(record: MetricRecord): Instrument {
    let instrument = this.instruments.get(record.name);
    if (!instrument) {
      instrument = this.createInstrument(record);
      this.instruments.set(record.name, instrument);
    }
    return instrument;
  }

  write(record: TelemetryRecord): void {
    if (record.kind === "metric") {
      this.instrument(record).record(record.value, record.dimensions);
      return;
    }
    this.logger.emit({
      timestamp: new Date(record.time),
      severityNumber: SEVERITY[record.level],
      severityText: record.level,
      body: record.message,
      attributes: { ...record.dimensions, operator: record.operator },
      context: contextFromTraceParent(record.traceParent),
    });
  }

  async flush(): Promise<void> {
    await Promise.all([this.loggerProvider.forceFlush(), this.meterProvider.forceFlush()]);
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.loggerProvider.shutdown(), this.meterProvider.shutdown()]);
  }
}
