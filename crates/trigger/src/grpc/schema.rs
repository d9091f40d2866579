//! Finding the called method's descriptor: from `.proto` files compiled in-process with
//! protox, or from the server through gRPC server reflection (v1, then v1alpha).

use std::collections::BTreeSet;
use std::path::PathBuf;

use prost::Message;
use prost_reflect::prost_types::FileDescriptorProto;
use prost_reflect::{DescriptorPool, MethodDescriptor};
use tonic::transport::Channel;

use crate::GrpcSpec;
use crate::error::{TriggerError, TriggerErrorKind};

/// `package.Service/Method`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MethodName {
    pub service: String,
    pub method: String,
}

impl MethodName {
    /// Parses `package.Service/Method` (a leading `/` is allowed).
    pub fn parse(text: &str) -> Result<Self, TriggerError> {
        let trimmed = text.strip_prefix('/').unwrap_or(text);
        match trimmed.split_once('/') {
            Some((service, method))
                if !service.is_empty()
                    && !method.is_empty()
                    && !method.contains('/')
                    && is_name(service)
                    && is_name(method) =>
            {
                Ok(MethodName {
                    service: service.to_string(),
                    method: method.to_string(),
                })
            }
            _ => Err(TriggerError::invalid(format!(
                "invalid gRPC method {text:?}: write package.Service/Method, as in \"shop.cart.v1.CartService/AddItem\""
            ))),
        }
    }

    /// The HTTP/2 path, `/package.Service/Method`.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.service, self.method)
    }
}

fn is_name(text: &str) -> bool {
    text.split('.')
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// The pool of the spec's `.proto` files.
pub(crate) fn compile_protos(spec: &GrpcSpec) -> Result<DescriptorPool, TriggerError> {
    let mut includes: Vec<PathBuf> = spec.import_paths.clone();
    for proto in &spec.protos {
        if let Some(parent) = proto.parent() {
            let parent = if parent.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                parent.to_path_buf()
            };
            if !includes.contains(&parent) {
                includes.push(parent);
            }
        }
    }
    for proto in &spec.protos {
        if !proto.is_file() {
            return Err(TriggerError::new(
                TriggerErrorKind::Proto,
                format!("proto file {} does not exist", proto.display()),
            ));
        }
    }
    for path in &spec.import_paths {
        if !path.is_dir() {
            return Err(TriggerError::new(
                TriggerErrorKind::Proto,
                format!("import path {} is not a directory", path.display()),
            ));
        }
    }
    let mut compiler = protox::Compiler::new(&includes).map_err(proto_error)?;
    compiler.include_imports(true);
    compiler.open_files(&spec.protos).map_err(proto_error)?;
    Ok(compiler.descriptor_pool())
}

fn proto_error(e: protox::Error) -> TriggerError {
    TriggerError::new(
        TriggerErrorKind::Proto,
        format!("cannot compile the proto files: {e}"),
    )
}

/// The method in `pool`, or a message that lists what `source` does define.
pub(crate) fn find_method(
    pool: &DescriptorPool,
    name: &MethodName,
    source: &str,
) -> Result<MethodDescriptor, TriggerError> {
    let Some(service) = pool.get_service_by_name(&name.service) else {
        let mut services: Vec<String> =
            pool.services().map(|s| s.full_name().to_string()).collect();
        services.sort_unstable();
        return Err(TriggerError::new(
            TriggerErrorKind::Proto,
            format!(
                "service {} is not defined in {source}; services found: {}",
                name.service,
                list(&services)
            ),
        ));
    };
    let Some(method) = service.methods().find(|m| m.name() == name.method) else {
        let methods: Vec<String> = service.methods().map(|m| m.name().to_string()).collect();
        return Err(TriggerError::new(
            TriggerErrorKind::Proto,
            format!(
                "service {} has no method {}; methods: {}",
                name.service,
                name.method,
                list(&methods)
            ),
        ));
    };
    if method.is_client_streaming() || method.is_server_streaming() {
        return Err(TriggerError::invalid(format!(
            "{}/{} is a streaming method; trigger grpc calls unary methods",
            name.service, name.method
        )));
    }
    Ok(method)
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// What we ask a reflection server.
enum Ask {
    FileContainingSymbol(String),
    FileByFilename(String),
    ListServices,
}

/// What it answers.
enum Answer {
    Files(Vec<Vec<u8>>),
    Services(Vec<String>),
    /// The server could not answer (an unknown symbol or file).
    Error,
}

/// One reflection version's client, generated for v1 and v1alpha (the same messages in two
/// packages).
macro_rules! reflection_client {
    ($module:ident, $pb:path) => {
        mod $module {
            use super::{Answer, Ask};
            use pb::server_reflection_client::ServerReflectionClient;
            use pb::server_reflection_request::MessageRequest;
            use pb::server_reflection_response::MessageResponse;
            use $pb as pb;

            /// Sends one request on its own stream and reads the one answer.
            pub(super) async fn ask(
                channel: tonic::transport::Channel,
                host: &str,
                ask: &Ask,
            ) -> Result<Answer, tonic::Status> {
                let message_request = match ask {
                    Ask::FileContainingSymbol(symbol) => {
                        MessageRequest::FileContainingSymbol(symbol.clone())
                    }
                    Ask::FileByFilename(name) => MessageRequest::FileByFilename(name.clone()),
                    Ask::ListServices => MessageRequest::ListServices(String::new()),
                };
                let request = pb::ServerReflectionRequest {
                    host: host.to_string(),
                    message_request: Some(message_request),
                };
                let mut client = ServerReflectionClient::new(channel);
                let mut answers = client
                    .server_reflection_info(tokio_stream::iter([request]))
                    .await?
                    .into_inner();
                let answer = answers
                    .message()
                    .await?
                    .and_then(|a| a.message_response)
                    .ok_or_else(|| {
                        tonic::Status::unknown("the reflection stream ended without an answer")
                    })?;
                Ok(match answer {
                    MessageResponse::FileDescriptorResponse(files) => {
                        Answer::Files(files.file_descriptor_proto)
                    }
                    MessageResponse::ListServicesResponse(list) => {
                        Answer::Services(list.service.into_iter().map(|s| s.name).collect())
                    }
                    MessageResponse::ErrorResponse(_) => Answer::Error,
                    MessageResponse::AllExtensionNumbersResponse(_) => Answer::Error,
                })
            }
        }
    };
}

reflection_client!(v1, tonic_reflection::pb::v1);
reflection_client!(v1alpha, tonic_reflection::pb::v1alpha);

/// A reflection session: remembers which version the server speaks.
struct Reflection {
    channel: Channel,
    host: String,
    alpha: bool,
}

impl Reflection {
    async fn ask(&mut self, ask: &Ask) -> Result<Answer, tonic::Status> {
        if !self.alpha {
            match v1::ask(self.channel.clone(), &self.host, ask).await {
                Err(status) if status.code() == tonic::Code::Unimplemented => self.alpha = true,
                other => return other,
            }
        }
        v1alpha::ask(self.channel.clone(), &self.host, ask).await
    }
}

/// The most files one reflection lookup fetches (a guard against a server that keeps
/// naming new dependencies).
const MAX_REFLECTED_FILES: usize = 512;

/// Asks the server for the file that defines the service and every file it imports.
pub(crate) async fn reflect(
    channel: Channel,
    authority: &str,
    name: &MethodName,
    target: &str,
) -> Result<DescriptorPool, TriggerError> {
    let mut session = Reflection {
        channel,
        host: authority.to_string(),
        alpha: false,
    };
    let failed = |status: tonic::Status| {
        let kind = if status.code() == tonic::Code::Unimplemented {
            TriggerErrorKind::Proto
        } else {
            TriggerErrorKind::Other
        };
        TriggerError::new(
            kind,
            format!(
                "server reflection failed: {target} ({}){}",
                super::status_text(&status),
                if kind == TriggerErrorKind::Proto {
                    "; the server does not offer reflection, give `proto` files instead"
                } else {
                    ""
                }
            ),
        )
    };
    let mut pool = DescriptorPool::global();
    let mut files: Vec<FileDescriptorProto> = Vec::new();
    let mut known: BTreeSet<String> = pool.files().map(|f| f.name().to_string()).collect();
    let asked = session
        .ask(&Ask::FileContainingSymbol(name.service.clone()))
        .await;
    let first = match asked {
        Ok(Answer::Files(files)) => files,
        // Servers answer an unknown symbol with an error message or a NOT_FOUND status.
        Ok(Answer::Error | Answer::Services(_)) => Vec::new(),
        Err(status) if status.code() == tonic::Code::NotFound => Vec::new(),
        Err(status) => return Err(failed(status)),
    };
    let first = match first {
        files if !files.is_empty() => files,
        _ => {
            let mut services = match session.ask(&Ask::ListServices).await.map_err(failed)? {
                Answer::Services(services) => services,
                _ => Vec::new(),
            };
            services.sort_unstable();
            return Err(TriggerError::new(
                TriggerErrorKind::Proto,
                format!(
                    "the server does not offer service {}: {target}; services found: {}",
                    name.service,
                    list(&services)
                ),
            ));
        }
    };
    let mut pending = first;
    let mut requested: BTreeSet<String> = BTreeSet::new();
    loop {
        while let Some(bytes) = pending.pop() {
            let file = FileDescriptorProto::decode(bytes.as_slice()).map_err(|e| {
                TriggerError::new(
                    TriggerErrorKind::Proto,
                    format!(
                        "the server's reflection sent an invalid file descriptor: {e}: {target}"
                    ),
                )
            })?;
            if known.insert(file.name().to_string()) {
                files.push(file);
            }
        }
        let missing: BTreeSet<String> = files
            .iter()
            .flat_map(|f| f.dependency.iter())
            .filter(|d| !known.contains(*d) && !requested.contains(*d))
            .cloned()
            .collect();
        if missing.is_empty() || files.len() >= MAX_REFLECTED_FILES {
            break;
        }
        for dependency in missing {
            let answer = session
                .ask(&Ask::FileByFilename(dependency.clone()))
                .await
                .map_err(failed)?;
            if let Answer::Files(more) = answer {
                pending.extend(more);
            }
            requested.insert(dependency);
        }
    }
    pool.add_file_descriptor_protos(files).map_err(|e| {
        TriggerError::new(
            TriggerErrorKind::Proto,
            format!("the server's reflection describes an incomplete schema: {e}: {target}"),
        )
    })?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_split_at_the_slash() {
        let m = MethodName::parse("shop.cart.v1.CartService/AddItem").unwrap();
        assert_eq!(m.service, "shop.cart.v1.CartService");
        assert_eq!(m.path(), "/shop.cart.v1.CartService/AddItem");
        assert!(MethodName::parse("/a.B/C").is_ok());
        for bad in ["a.B", "a.B/", "/C", "a.B/C/D", "a..B/C", "a b/C"] {
            assert!(MethodName::parse(bad).is_err(), "{bad}");
        }
    }
}
