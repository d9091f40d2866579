//! Latency of the language server on a generated 5,000-line file, through the in-process
//! service (JSON in and out, as an editor sees it, minus the pipe):
//!
//! * **diagnostics**: a one-character edit (`didChange`) then the document's diagnostics
//!   (`textDocument/diagnostic`), i.e. what an editor shows once the debounce has elapsed;
//! * **completion**: a one-character edit then a completion request at the cursor, inside a
//!   selector (the attribute list) in the middle of the file.
//!
//! Run with `cargo bench -p tbt-lsp --bench latency`. Prints p50, p99 and max of each.

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::json;
use std::fmt::Write;
use std::time::{Duration, Instant};
use support::{Client, uri};

const SERVICES: &[&str] = &[
    "gateway",
    "order-service",
    "payment-service",
    "inventory-service",
];

/// A valid file of at least `lines` lines: a schema, then tests in the style of `examples/`.
fn generate(lines: usize) -> String {
    let mut out = String::from(
        "schema {\n  services gateway, order-service, payment-service, inventory-service\n  attribute payment.amount: double \"Amount charged\"\n  attribute order.id: string\n}\n\n",
    );
    let mut seed = 0;
    while out.lines().count() < lines {
        let svc = SERVICES[seed % SERVICES.len()];
        let next = SERVICES[(seed + 1) % SERVICES.len()];
        let _ = write!(
            out,
            r#"# Flow {seed}: the order is charged once and shipped once.
test "generated flow {seed}" {{
  trigger http POST "${{env.SHOP_URL}}/orders/{seed}" {{
    header "content-type" = "application/json"
    body json {{ "sku": "SKU-{seed}", "qty": {qty} }}
  }}

  expect response.status == 200
  let order_id = response.json.order_id

  span[service.name == "{svc}" and name == "process payment"] {{
    expect payment.amount >= 0.01
    expect duration < 200ms
    expect order.id == order_id
  }}

  expect exactly 1 span[messaging.destination.name == "shipping-queue"]
  expect no span[status == error]
  expect {svc} -> {next} within 2s
  expect count(span[http.request.method == "GET"]) <= {qty}
}}

"#,
            qty = seed % 5 + 1
        );
        seed += 1;
    }
    out
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<40} n={:<5} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        samples.len(),
        percentile(&samples, 50.0).as_secs_f64() * 1e3,
        percentile(&samples, 99.0).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

async fn bench() {
    let text = generate(5_000);
    let lines = text.lines().count();
    let dir = tempfile::tempdir().expect("tempdir");
    let root = tbt_db::normalize(dir.path());
    let mut client = Client::start(Some(&root)).await;
    let doc = uri(&root.join("big.tbt"));
    client.open(&doc, &text).await;
    // The line of `expect payment.amount >= 0.01` in the middle of the file.
    let (middle, _) = text
        .lines()
        .enumerate()
        .skip(lines / 2)
        .find(|(_, l)| l.contains("expect payment.amount >= 0.01"))
        .expect("a payment line");
    let middle = middle as u32;
    // The selector of `expect count(span[http.request.method == "GET"])` after it.
    let (selector, selector_line) = text
        .lines()
        .enumerate()
        .skip(middle as usize)
        .find(|(_, l)| l.contains("span[http.request.method"))
        .map(|(i, l)| (i as u32, l.to_string()))
        .expect("a count line");
    let column = selector_line.find("http.request.method").unwrap_or(0) as u32 + 5;
    let diagnostics = json!({ "textDocument": { "uri": doc } });
    // Warm up: the first check of the file.
    let warm = Instant::now();
    client
        .request("textDocument/diagnostic", diagnostics.clone())
        .await
        .expect("diagnostics");
    println!(
        "file: {lines} lines, {} bytes; first full check {:.1} ms",
        text.len(),
        warm.elapsed().as_secs_f64() * 1e3
    );
    let rounds = 400;
    let mut samples = Vec::with_capacity(rounds);
    for i in 0..rounds {
        // Type a digit after `0.01`, then delete it: the file stays valid.
        let at = 31;
        let start = Instant::now();
        if i % 2 == 0 {
            client.insert(&doc, middle, at, "5").await;
        } else {
            client.delete(&doc, middle, at, 1).await;
        }
        let answer = client
            .request("textDocument/diagnostic", diagnostics.clone())
            .await
            .expect("diagnostics");
        samples.push(start.elapsed());
        assert!(answer["items"].is_array());
    }
    report("edit + diagnostics (5,000 lines)", samples);
    let mut samples = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let start = Instant::now();
        if i % 2 == 0 {
            client.insert(&doc, middle, 31, "5").await;
        } else {
            client.delete(&doc, middle, 31, 1).await;
        }
        let items = client
            .at(
                "textDocument/completion",
                &doc,
                (selector, column),
                json!({}),
            )
            .await
            .expect("completion");
        samples.push(start.elapsed());
        assert!(items.as_array().is_some_and(|a| !a.is_empty()));
    }
    report("edit + completion (5,000 lines)", samples);
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let items = client
            .at(
                "textDocument/completion",
                &doc,
                (selector, column),
                json!({}),
            )
            .await
            .expect("completion");
        samples.push(start.elapsed());
        assert!(items.as_array().is_some_and(|a| !a.is_empty()));
    }
    report("completion alone (5,000 lines)", samples);
    client.shutdown().await;
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with `cargo bench -p tbt-lsp --bench latency`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(bench());
}
