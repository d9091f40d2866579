"""Emits a parent and a child span with the OpenTelemetry Python SDK, for tbt's receiver tests.

The spans join the trace given in TBT_TRACEPARENT (a W3C traceparent, read with the SDK's
propagator), are exported with the exporter named by TBT_OTLP_PROTOCOL ("grpc" or
"http/protobuf") to TBT_OTLP_ENDPOINT, and carry typed attributes the test checks. Exits
non-zero if an export fails, so the test sees the SDK's own error.
"""

import os
import sys

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator


class CheckedExporter(SpanExporter):
    """Delegates to the real exporter and remembers whether every export succeeded."""

    def __init__(self, inner):
        self.inner = inner
        self.failures = 0

    def export(self, spans):
        result = self.inner.export(spans)
        if result is not SpanExportResult.SUCCESS:
            self.failures += 1
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return self.inner.force_flush(timeout_millis)


def exporter(protocol, endpoint):
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.exporter.otlp.proto.grpc.exporter import Compression

        return OTLPSpanExporter(endpoint=endpoint, insecure=True, compression=Compression.Gzip, timeout=10)
    if protocol == "http/protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=endpoint, timeout=10)
    sys.exit(f"unknown TBT_OTLP_PROTOCOL {protocol!r}: expected grpc or http/protobuf")


def main():
    traceparent = os.environ["TBT_TRACEPARENT"]
    protocol = os.environ["TBT_OTLP_PROTOCOL"]
    endpoint = os.environ["TBT_OTLP_ENDPOINT"]
    service = os.environ.get("TBT_SERVICE_NAME", "python-emitter")

    checked = CheckedExporter(exporter(protocol, endpoint))
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(checked))
    tracer = provider.get_tracer("tbt-sdk-test", "1.0.0")

    ctx = TraceContextTextMapPropagator().extract({"traceparent": traceparent})
    with tracer.start_as_current_span("checkout", context=ctx, kind=SpanKind.SERVER) as parent:
        parent.set_attribute("app.user", "ada")
        parent.set_attribute("app.items", 3)
        parent.set_attribute("app.total", 12.5)
        parent.set_attribute("app.express", True)
        parent.set_attribute("app.tags", ["gift", "fragile"])
        with tracer.start_as_current_span("charge", kind=SpanKind.CLIENT) as child:
            child.set_attribute("app.amounts", [5, 7])
            child.set_attribute("app.retry", False)
    provider.shutdown()
    if checked.failures:
        sys.exit(f"{checked.failures} export(s) to {endpoint} over {protocol} failed")


if __name__ == "__main__":
    main()
