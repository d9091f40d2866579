//! What every process of the shop reads from its environment: the services and their ports,
//! and the fault switches.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// The default base port: the gateway listens here, the other services on the next ports.
pub const DEFAULT_BASE_PORT: u16 = 18080;

/// One process of the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// The public entry point: `/checkout`, `/orders/{id}`, `/health`.
    Gateway,
    /// Stores orders in SQLite and drives payment, inventory and shipping.
    Order,
    /// Charges the card.
    Payment,
    /// Reserves stock.
    Inventory,
    /// Consumes shipping events asynchronously.
    Shipping,
    /// The Python service (Flask, OpenTelemetry auto-instrumentation).
    Recommendations,
}

impl Service {
    /// Every service, in port order.
    pub const ALL: [Service; 6] = [
        Service::Gateway,
        Service::Order,
        Service::Payment,
        Service::Inventory,
        Service::Shipping,
        Service::Recommendations,
    ];

    /// The services written in Rust, which `tbt-shop serve NAME` runs.
    pub const RUST: [Service; 5] = [
        Service::Gateway,
        Service::Order,
        Service::Payment,
        Service::Inventory,
        Service::Shipping,
    ];

    /// The short name used on the command line (`tbt-shop serve order`).
    pub fn short_name(self) -> &'static str {
        match self {
            Service::Gateway => "gateway",
            Service::Order => "order",
            Service::Payment => "payment",
            Service::Inventory => "inventory",
            Service::Shipping => "shipping",
            Service::Recommendations => "recommendations",
        }
    }

    /// The `service.name` resource attribute of the service's spans.
    pub fn service_name(self) -> &'static str {
        match self {
            Service::Gateway => "gateway",
            Service::Order => "order-service",
            Service::Payment => "payment-service",
            Service::Inventory => "inventory-service",
            Service::Shipping => "shipping-service",
            Service::Recommendations => "recommendations",
        }
    }

    /// The position of the service's port after the base port.
    fn offset(self) -> usize {
        Service::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

impl FromStr for Service {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Service::RUST
            .into_iter()
            .find(|svc| svc.short_name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Service::RUST.iter().map(|s| s.short_name()).collect();
                format!(
                    "unknown service `{s}`; the services are: {}",
                    names.join(", ")
                )
            })
    }
}

/// The port of every service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ports([u16; 6]);

impl Ports {
    /// Consecutive ports from `base`: the gateway on `base`, the order service on `base + 1`...
    pub fn from_base(base: u16) -> Result<Ports, String> {
        let mut ports = [0u16; 6];
        for (i, p) in ports.iter_mut().enumerate() {
            *p = base
                .checked_add(i as u16)
                .ok_or_else(|| format!("SHOP_PORT={base} leaves no room for six ports"))?;
        }
        Ok(Ports(ports))
    }

    /// Explicit ports, one per service in [`Service::ALL`] order.
    pub fn explicit(ports: [u16; 6]) -> Ports {
        Ports(ports)
    }

    /// Reads `SHOP_PORTS` (six comma-separated ports, set by the supervisor for its children)
    /// or else `SHOP_PORT` (the base port, default 18080).
    pub fn from_env() -> Result<Ports, String> {
        if let Ok(list) = std::env::var("SHOP_PORTS") {
            return Ports::parse_list(&list);
        }
        match std::env::var("SHOP_PORT") {
            Ok(s) => {
                let base = s.trim().parse::<u16>().map_err(|_| {
                    format!("SHOP_PORT must be a port number (0 picks free ports), not `{s}`")
                })?;
                Ports::from_base(base)
            }
            Err(_) => Ports::from_base(DEFAULT_BASE_PORT),
        }
    }

    /// Parses the `SHOP_PORTS` list.
    pub fn parse_list(list: &str) -> Result<Ports, String> {
        let parsed: Result<Vec<u16>, _> = list.split(',').map(|p| p.trim().parse()).collect();
        match parsed.ok().and_then(|v| <[u16; 6]>::try_from(v).ok()) {
            Some(ports) => Ok(Ports(ports)),
            None => Err(format!(
                "SHOP_PORTS must list six ports separated by commas, not `{list}`"
            )),
        }
    }

    /// The `SHOP_PORTS` value that describes these ports.
    pub fn to_list(&self) -> String {
        let parts: Vec<String> = self.0.iter().map(|p| p.to_string()).collect();
        parts.join(",")
    }

    /// Whether the base port is 0, that is, the supervisor must pick free ports.
    pub fn is_unassigned(&self) -> bool {
        self.0[0] == 0
    }

    /// The port of `service`.
    pub fn port(&self, service: Service) -> u16 {
        self.0[service.offset()]
    }

    /// The base URL of `service`, `http://127.0.0.1:PORT`.
    pub fn url(&self, service: Service) -> String {
        format!("http://127.0.0.1:{}", self.port(service))
    }
}

/// A fault switch: a silent failure the shop can be told to have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// The order service publishes the shipping event twice.
    DoubleShip,
    /// The order lookup runs one query per item instead of one join.
    NPlusOne,
    /// Payment takes 400 ms.
    SlowPayment,
    /// The inventory service answers but never updates the stock.
    SkipInventory,
    /// The fraud check fails, is recorded on its span, and is ignored.
    SwallowedError,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 5] = [
        Fault::DoubleShip,
        Fault::NPlusOne,
        Fault::SlowPayment,
        Fault::SkipInventory,
        Fault::SwallowedError,
    ];

    /// The name used in `SHOP_FAULTS`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::DoubleShip => "double-ship",
            Fault::NPlusOne => "n-plus-one",
            Fault::SlowPayment => "slow-payment",
            Fault::SkipInventory => "skip-inventory",
            Fault::SwallowedError => "swallowed-error",
        }
    }
}

/// The set of enabled faults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults(BTreeSet<Fault>);

impl Faults {
    /// Parses a comma-separated list such as `double-ship,slow-payment`. Blank entries are
    /// ignored; an unknown name is an error that lists the valid ones.
    pub fn parse(list: &str) -> Result<Faults, String> {
        let mut set = BTreeSet::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match Fault::ALL.into_iter().find(|f| f.name() == name) {
                Some(f) => {
                    set.insert(f);
                }
                None => {
                    let valid: Vec<_> = Fault::ALL.iter().map(|f| f.name()).collect();
                    return Err(format!(
                        "unknown fault `{name}` in SHOP_FAULTS; the faults are: {}",
                        valid.join(", ")
                    ));
                }
            }
        }
        Ok(Faults(set))
    }

    /// Reads `SHOP_FAULTS` (unset means no fault).
    pub fn from_env() -> Result<Faults, String> {
        match std::env::var("SHOP_FAULTS") {
            Ok(list) => Faults::parse(&list),
            Err(std::env::VarError::NotPresent) => Ok(Faults::default()),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err("SHOP_FAULTS is not valid UTF-8".to_string())
            }
        }
    }

    /// Whether `fault` is enabled.
    pub fn has(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    /// The enabled faults' names, for a log line.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|f| f.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_with_blanks_and_spaces() {
        let f = Faults::parse(" double-ship, ,slow-payment,").expect("valid");
        assert!(f.has(Fault::DoubleShip) && f.has(Fault::SlowPayment));
        assert!(!f.has(Fault::NPlusOne));
        assert_eq!(Faults::parse("").expect("empty"), Faults::default());
    }

    #[test]
    fn an_unknown_fault_lists_the_valid_ones() {
        let e = Faults::parse("double-ship,slow-paymnet").expect_err("unknown");
        assert_eq!(
            e,
            "unknown fault `slow-paymnet` in SHOP_FAULTS; the faults are: double-ship, \
             n-plus-one, slow-payment, skip-inventory, swallowed-error"
        );
    }

    #[test]
    fn ports_follow_the_base_or_an_explicit_list() {
        let p = Ports::from_base(18080).expect("fits");
        assert_eq!(p.port(Service::Gateway), 18080);
        assert_eq!(p.port(Service::Recommendations), 18085);
        assert!(Ports::from_base(65533).is_err());
        let q = Ports::parse_list(&p.to_list()).expect("round trip");
        assert_eq!(p, q);
        assert!(Ports::parse_list("1,2,3").is_err());
        assert!(Ports::parse_list("1,2,3,4,5,x").is_err());
    }

    #[test]
    fn service_names_parse_back() {
        for s in Service::RUST {
            assert_eq!(s.short_name().parse::<Service>(), Ok(s));
        }
        assert!("recommendations".parse::<Service>().is_err());
    }
}
