// Emits a parent and a child span with the OpenTelemetry JS SDK, for tbt's receiver tests.
//
// The spans join the trace given in TBT_TRACEPARENT (a W3C traceparent, read with the
// SDK's propagator) and are exported over OTLP/HTTP JSON to TBT_OTLP_ENDPOINT (the full
// /v1/traces URL) with typed attributes the test checks. Exits non-zero if an export
// fails, so the test sees the SDK's own error.

import { ROOT_CONTEXT, SpanKind, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const traceparent = process.env.TBT_TRACEPARENT;
const endpoint = process.env.TBT_OTLP_ENDPOINT;
const service = process.env.TBT_SERVICE_NAME ?? 'node-emitter';
if (!traceparent || !endpoint) {
  console.error('TBT_TRACEPARENT and TBT_OTLP_ENDPOINT must be set');
  process.exit(2);
}

const inner = new OTLPTraceExporter({ url: endpoint, timeoutMillis: 10000 });
const failures = [];
// Delegates to the real exporter and remembers every failed export.
const checked = {
  export(spans, done) {
    inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        failures.push(result.error ? String(result.error) : 'export failed');
      }
      done(result);
    });
  },
  shutdown: () => inner.shutdown(),
  forceFlush: () => inner.forceFlush(),
};

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': service }),
  spanProcessors: [new SimpleSpanProcessor(checked)],
});
const tracer = provider.getTracer('tbt-sdk-test', '1.0.0');

const remote = new W3CTraceContextPropagator().extract(
  ROOT_CONTEXT,
  { traceparent },
  defaultTextMapGetter,
);
const parent = tracer.startSpan('checkout', { kind: SpanKind.SERVER }, remote);
parent.setAttributes({
  'app.user': 'ada',
  'app.items': 3,
  'app.total': 12.5,
  'app.express': true,
  'app.tags': ['gift', 'fragile'],
});
const child = tracer.startSpan('charge', { kind: SpanKind.CLIENT }, trace.setSpan(remote, parent));
child.setAttributes({ 'app.amounts': [5, 7], 'app.retry': false });
child.end();
parent.end();

await provider.forceFlush();
await provider.shutdown();
if (failures.length > 0) {
  console.error(`${failures.length} export(s) to ${endpoint} failed: ${failures.join('; ')}`);
  process.exit(1);
}
