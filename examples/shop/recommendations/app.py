"""The recommendations service of the demo shop.

A small Flask app with no tracing code of its own: it runs under
`opentelemetry-instrument`, which instruments Flask and exports spans over OTLP. The
supervisor (`tbt-shop`) starts it with the environment that configures that:
OTEL_SERVICE_NAME=recommendations, OTEL_EXPORTER_OTLP_ENDPOINT, RECOMMENDATIONS_PORT.
"""

import logging
import os
import stat
import sys
import threading

from flask import Flask, jsonify, request
from opentelemetry import trace

app = Flask(__name__)

# Customers who bought the key also bought these.
ALSO_BOUGHT = {
    "BOOK-42": ["TOWEL-1", "MUG-7"],
    "MUG-7": ["BOOK-42", "PEN-3"],
    "PEN-3": ["BOOK-42"],
    "TOWEL-1": ["BOOK-42"],
}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/recommendations")
def recommendations():
    sku = request.args.get("sku", "")
    if not sku:
        return jsonify({"error": "the `sku` query parameter is required"}), 400
    items = ALSO_BOUGHT.get(sku, [])
    # A business attribute on the span the Flask instrumentation opened.
    span = trace.get_current_span()
    span.set_attribute("recommendations.count", len(items))
    return jsonify({"sku": sku, "items": items})


def stop_when_stdin_closes():
    """Exit once the supervisor's pipe closes, after flushing spans: no orphans."""
    try:
        while sys.stdin.buffer.read(256):
            pass
    finally:
        provider = trace.get_tracer_provider()
        shutdown = getattr(provider, "shutdown", None)
        if shutdown is not None:
            shutdown()
        os._exit(0)


def main():
    port = int(os.environ.get("RECOMMENDATIONS_PORT", "18085"))
    if stat.S_ISFIFO(os.fstat(0).st_mode):
        threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    # One line per request on stderr would drown the shop's own output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
