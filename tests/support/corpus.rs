//! A generator of large, realistic, valid `.tbt` text for benchmarks.
//!
//! Each generated test is 39 lines, of which 7 are comments and 5 blank: about the density of
//! comments and blank lines in `examples/` (37% there, 31% here), so lines per second mean what
//! they mean on real files.

use std::fmt::Write;

const SERVICES: &[&str] = &[
    "gateway",
    "order-service",
    "payment-service",
    "inventory-service",
    "shipping-service",
    "catalog-service",
    "user-service",
    "email-service",
];

/// The schema every generated test relies on.
pub fn schema() -> String {
    let mut out = String::from("schema {\n  services ");
    out.push_str(&SERVICES.join(", "));
    out.push_str("\n  attribute order.id: string \"The order's id\"\n");
    out.push_str("  attribute payment.amount: double \"Amount charged\"\n");
    out.push_str("  attribute inventory.update.status: \"success\" | \"failure\"\n");
    out.push_str("  attribute order.items: string[]\n}\n\n");
    out
}

/// One generated test, about 30 lines, varied by `seed`.
fn test(out: &mut String, seed: usize) {
    let svc = SERVICES[seed % SERVICES.len()];
    let next = SERVICES[(seed + 3) % SERVICES.len()];
    let _ = write!(
        out,
        r#"# Flow {seed}: an order is placed through the gateway and must charge, reserve and ship
# exactly once. The trigger sends a JSON body; the assertions below read the trace.
test "generated flow {seed}" {{
  trigger http POST "${{env.SHOP_URL}}/orders/{seed}" {{
    header "content-type" = "application/json"
    header "x-request-id" = "req-{seed}"
    body json {{ "sku": "SKU-{seed}", "qty": {qty}, "gift": false }}
    timeout 5s
  }}

  expect response.status == 200
  expect response.json.total > {seed}.5 and response.json.currency == "EUR"
  let order_id = response.json.order_id

  # The payment is charged once, quickly, for this order.
  span[service.name == "{svc}" and name == "process payment"] {{
    expect payment.amount >= 0.01
    expect duration < 200ms
    expect order.id == order_id
    expect http.response.status_code in [200, 201, 204]
  }}


  # Shipping is published once, and no server span fails.
  expect count(span[messaging.destination.name == "shipping-queue"]) == 1
  expect no span[status == error and kind == server]

  expect sum(span[service.name == "{svc}"].duration) < {ms}ms
  expect {svc} -> {next} within 2s

  # N+1 guard: the order lookup runs at most two queries.
  span[http.route == "/orders/{{id}}" and url.path matches /^\/orders\/[0-9]+$/] {{
    expect count(>> span[db.system.name == "postgresql"]) <= 2
    expect not (db.query.text contains "SELECT *")
  }}
  expect exactly 1 span[name == "inventory.reserve"]:first
  expect max(span[kind == client].duration) - min(span[kind == client].duration) < 1s
}}

"#,
        qty = seed % 5 + 1,
        ms = 100 + seed % 400,
    );
}

/// About `lines` lines of valid `.tbt`: a schema, then generated tests.
pub fn generate(lines: usize) -> String {
    let mut out = schema();
    let mut seed = 0;
    let mut count = out.bytes().filter(|&b| b == b'\n').count();
    while count < lines {
        let start = out.len();
        test(&mut out, seed);
        count += out[start..].bytes().filter(|&b| b == b'\n').count();
        seed += 1;
    }
    out
}
