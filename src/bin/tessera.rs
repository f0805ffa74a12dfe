//! `tessera`: the administrators' command-line tool (native only). It parses arguments and
//! prints; the work is done by `tessera::admin`. See `docs/cli.md`.
//!
//! Exit status: 0 ok / yes, 1 no (`auth can-i`, `check` denied, `whoami` refused), 2 usage or
//! input error, 3 state error.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use clap::{Args, Parser, Subcommand, ValueEnum};
    use serde::Serialize;
    use tessera::admin::accounts::{self, NewAccount, TokenFormat};
    use tessera::admin::init::InitOptions;
    use tessera::admin::output::Render;
    use tessera::admin::roles::RuleSpec;
    use tessera::admin::routes::NewRoute;
    use tessera::admin::tokens::{BoundObject, TokenRequest};
    use tessera::admin::{self as admin, AdminError, State};
    use tessera::admin::{bindings, build, decide, directory, import, namespaces, roles, routes};
    use tessera::admin::{init, policy, revocations, store, tokens, when};
    use tessera::UnixTime;

    /// Administer service accounts, their tokens, RBAC and routes, and build the signed
    /// bundle that tessera's engine loads.
    #[derive(Parser)]
    #[command(name = "tessera", version, about, max_term_width = 100)]
    struct Cli {
        /// The state directory (default: $TESSERA_STATE, else ./.tessera). Give it before the verb.
        #[arg(long, value_name = "DIR")]
        state: Option<PathBuf>,
        #[command(subcommand)]
        verb: Verb,
    }

    #[derive(Clone, Copy, Default, ValueEnum)]
    enum Output {
        /// Readable text (default).
        #[default]
        Table,
        /// JSON, for scripts.
        Json,
    }

    #[derive(Args)]
    struct Out {
        /// Output format.
        #[arg(short = 'o', long = "output", value_enum, default_value_t)]
        output: Output,
    }

    #[derive(Args)]
    struct Ns {
        /// The namespace.
        #[arg(short = 'n', long = "namespace", value_name = "NS")]
        namespace: String,
    }

    #[derive(Args)]
    #[group(required = true, multiple = false)]
    struct TokenArg {
        /// The token.
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        /// A file holding the token.
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
    }

    #[derive(Subcommand)]
    enum Verb {
        /// Create a new state: issuer keys, a bundle-signing key, the `global` namespace.
        Init {
            /// Signing algorithm of the issuers: ES256, RS256, EdDSA or HS256.
            #[arg(long, default_value = "ES256")]
            alg: String,
            /// The `iss` and audience of bound tokens.
            #[arg(long, default_value = init::DEFAULT_CLUSTER_ISS)]
            issuer: String,
            #[command(flatten)]
            out: Out,
        },
        /// Create an object.
        #[command(subcommand)]
        Create(Create),
        /// Create an OpenShift project: a namespace with builder, deployer and default.
        NewProject {
            /// The project's name.
            name: String,
            #[command(flatten)]
            out: Out,
        },
        /// Show an object in detail.
        #[command(subcommand)]
        Describe(Describe),
        /// Delete an object.
        #[command(subcommand)]
        Delete(Delete),
        /// Grant and revoke roles (as `oc policy`).
        #[command(subcommand)]
        Policy(Policy),
        /// Cluster administration (as `oc adm`).
        #[command(subcommand)]
        Adm(Adm),
        /// Import Kubernetes objects (`kubectl get -o json` output).
        Import {
            /// The file.
            #[arg(short = 'f', long = "filename", value_name = "FILE")]
            file: PathBuf,
            #[command(flatten)]
            out: Out,
        },
        /// Build or verify the signed bundle.
        #[command(subcommand)]
        Bundle(BundleVerb),
        /// Who is this token? Prints the user name (`-o json`: the TokenReview).
        Whoami {
            #[command(flatten)]
            token: TokenArg,
            #[command(flatten)]
            out: Out,
        },
        /// Ask RBAC questions.
        #[command(subcommand)]
        Auth(Auth),
        /// Put a token id on the bundle's revocation list.
        #[command(subcommand)]
        Revoke(Revoke),
        /// Decide an HTTP request against the routes.
        Check {
            /// The caller's token (none: an anonymous request).
            #[arg(long, value_name = "TOKEN")]
            token: Option<String>,
            /// The HTTP method.
            method: String,
            /// The absolute URL.
            url: String,
            #[command(flatten)]
            out: Out,
        },
    }

    #[derive(Subcommand)]
    enum Revoke {
        /// A token, by its id: a bound or Pomerium token's `jti`, or a legacy token's secret
        /// name. Every token with that id is refused from the next bundle on.
        Token {
            /// The token id.
            id: String,
            #[command(flatten)]
            out: Out,
        },
    }

    #[derive(Subcommand)]
    enum Create {
        /// A namespace, under --parent or at the root.
        #[command(alias = "ns")]
        Namespace {
            /// Its name.
            name: String,
            /// The parent namespace.
            #[arg(long)]
            parent: Option<String>,
            #[command(flatten)]
            out: Out,
        },
        /// A service account; prints its first token once.
        #[command(alias = "sa")]
        Serviceaccount {
            /// Its name.
            name: String,
            #[command(flatten)]
            ns: Ns,
            /// Act as this directory user (an impersonating account).
            #[arg(long, value_name = "USER_ID")]
            impersonate: Option<String>,
            /// Pomerium User ID of a unique account (default: its user name).
            #[arg(long)]
            id: Option<String>,
            /// When every token of the account stops working: RFC 3339, or 90d, 12h, 30m.
            #[arg(long, value_name = "DATE|DURATION")]
            expires: Option<String>,
            /// The token printed.
            #[arg(long, value_enum, default_value = "legacy")]
            token_format: FormatArg,
            #[command(flatten)]
            out: Out,
        },
        /// A bound token for an account (Kubernetes TokenRequest).
        Token {
            /// The service account.
            name: String,
            #[command(flatten)]
            ns: Ns,
            /// Lifetime (default 1h, at least 10m).
            #[arg(long)]
            duration: Option<String>,
            /// Audience (repeatable; default the cluster issuer's).
            #[arg(long)]
            audience: Vec<String>,
            /// Pod, Secret or Node.
            #[arg(long, requires = "bound_object_name")]
            bound_object_kind: Option<String>,
            /// The bound object's name.
            #[arg(long, requires = "bound_object_kind")]
            bound_object_name: Option<String>,
            /// The bound object's uid (default: random).
            #[arg(long, requires = "bound_object_kind")]
            bound_object_uid: Option<String>,
            #[command(flatten)]
            out: Out,
        },
        /// A directory user, for impersonating accounts.
        User {
            /// The user's id.
            id: String,
            /// The user's email.
            #[arg(long)]
            email: Option<String>,
            /// A group (id or name; repeatable).
            #[arg(long)]
            group: Vec<String>,
            #[command(flatten)]
            out: Out,
        },
        /// A namespaced role.
        Role {
            /// Its name.
            name: String,
            #[command(flatten)]
            ns: Ns,
            #[command(flatten)]
            rules: RuleArgs,
            #[command(flatten)]
            out: Out,
        },
        /// A cluster role.
        Clusterrole {
            /// Its name.
            name: String,
            #[command(flatten)]
            rules: RuleArgs,
            /// A non-resource URL (repeatable).
            #[arg(long)]
            non_resource_url: Vec<String>,
            #[command(flatten)]
            out: Out,
        },
        /// A role binding in a namespace.
        Rolebinding {
            /// Its name.
            name: String,
            #[command(flatten)]
            ns: Ns,
            /// The ClusterRole it grants.
            #[arg(long, conflicts_with = "role", required_unless_present = "role")]
            clusterrole: Option<String>,
            /// The Role (of the namespace) it grants.
            #[arg(long)]
            role: Option<String>,
            #[command(flatten)]
            subjects: SubjectArgs,
            #[command(flatten)]
            out: Out,
        },
        /// A cluster role binding (grants in every namespace).
        Clusterrolebinding {
            /// Its name.
            name: String,
            /// The ClusterRole it grants.
            #[arg(long)]
            clusterrole: String,
            #[command(flatten)]
            subjects: SubjectArgs,
            #[command(flatten)]
            out: Out,
        },
        /// A route with a Pomerium Policy Language policy.
        Route {
            /// Its name.
            name: String,
            #[command(flatten)]
            ns: Ns,
            /// Where requests come from: https://host[:port].
            #[arg(long)]
            from: String,
            /// Path prefix.
            #[arg(long)]
            prefix: Option<String>,
            /// Exact path.
            #[arg(long)]
            path: Option<String>,
            /// The policy file (YAML or JSON).
            #[arg(long, value_name = "FILE")]
            policy: PathBuf,
            #[command(flatten)]
            out: Out,
        },
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum FormatArg {
        Legacy,
        Pomerium,
    }

    #[derive(Args)]
    struct RuleArgs {
        /// Verb (repeatable or comma-separated).
        #[arg(long, required = true)]
        verb: Vec<String>,
        /// Resource: pods, pods/log, deployments.apps (repeatable or comma-separated).
        #[arg(long)]
        resource: Vec<String>,
        /// Resource name (repeatable).
        #[arg(long)]
        resource_name: Vec<String>,
    }

    #[derive(Args)]
    struct SubjectArgs {
        /// A user (repeatable).
        #[arg(long)]
        user: Vec<String>,
        /// A group (repeatable).
        #[arg(long)]
        group: Vec<String>,
        /// A service account as NAMESPACE:NAME (repeatable).
        #[arg(long)]
        serviceaccount: Vec<String>,
    }

    #[derive(Subcommand)]
    enum Describe {
        /// A service account.
        #[command(alias = "sa")]
        Serviceaccount {
            /// Its name.
            name: String,
            #[command(flatten)]
            ns: Ns,
            #[command(flatten)]
            out: Out,
        },
    }

    #[derive(Subcommand)]
    enum Delete {
        /// A token secret: revokes its token and issues a new one (printed once).
        Secret {
            /// The secret's name.
            name: String,
            #[command(flatten)]
            ns: Ns,
            /// Only revoke; issue no new token.
            #[arg(long)]
            no_reissue: bool,
            #[command(flatten)]
            out: Out,
        },
        /// A service account.
        #[command(alias = "sa")]
        Serviceaccount {
            /// Its name.
            name: String,
            #[command(flatten)]
            ns: Ns,
            #[command(flatten)]
            out: Out,
        },
    }

    #[derive(Args)]
    struct RoleTarget {
        /// The role.
        role: String,
        #[command(flatten)]
        ns: Ns,
        #[command(flatten)]
        out: Out,
    }

    #[derive(Subcommand)]
    enum Adm {
        /// Grant and revoke cluster roles (as `oc adm policy`).
        #[command(subcommand)]
        Policy(AdmPolicy),
    }

    /// A cluster role and where output goes; `-n` only names the namespace of `-z` accounts.
    #[derive(Args)]
    struct ClusterRoleTarget {
        /// The ClusterRole.
        role: String,
        /// The namespace of the `-z` service accounts.
        #[arg(short = 'n', long = "namespace", value_name = "NS")]
        namespace: Option<String>,
        #[command(flatten)]
        out: Out,
    }

    #[derive(Subcommand)]
    enum AdmPolicy {
        /// Grant a cluster role to users or service accounts, in every namespace.
        AddClusterRoleToUser {
            #[command(flatten)]
            target: ClusterRoleTarget,
            /// Users (`system:serviceaccount:NS:NAME` means that service account).
            users: Vec<String>,
            /// A service account of the `-n` namespace (repeatable).
            #[arg(short = 'z', long = "serviceaccount")]
            service_accounts: Vec<String>,
            /// The cluster role binding to add to or create (default: the role's, named after it).
            #[arg(long)]
            rolebinding_name: Option<String>,
        },
        /// Grant a cluster role to groups, in every namespace.
        AddClusterRoleToGroup {
            #[command(flatten)]
            target: ClusterRoleTarget,
            /// Groups.
            #[arg(required = true)]
            groups: Vec<String>,
            /// The cluster role binding to add to or create.
            #[arg(long)]
            rolebinding_name: Option<String>,
        },
        /// Take a cluster role from users or service accounts.
        RemoveClusterRoleFromUser {
            #[command(flatten)]
            target: ClusterRoleTarget,
            /// Users.
            users: Vec<String>,
            /// A service account of the `-n` namespace (repeatable).
            #[arg(short = 'z', long = "serviceaccount")]
            service_accounts: Vec<String>,
        },
        /// Take a cluster role from groups.
        RemoveClusterRoleFromGroup {
            #[command(flatten)]
            target: ClusterRoleTarget,
            /// Groups.
            #[arg(required = true)]
            groups: Vec<String>,
        },
    }

    #[derive(Subcommand)]
    enum Policy {
        /// Grant a role to users or service accounts in a namespace.
        AddRoleToUser {
            #[command(flatten)]
            target: RoleTarget,
            /// Users (`system:serviceaccount:NS:NAME` means that service account).
            users: Vec<String>,
            /// A service account of the namespace (repeatable).
            #[arg(short = 'z', long = "serviceaccount")]
            service_accounts: Vec<String>,
            /// Role or ClusterRole (default: the ClusterRole if there is one).
            #[arg(long)]
            role_kind: Option<String>,
            /// The binding to add to or create (default: the role's binding, named after it).
            #[arg(long)]
            rolebinding_name: Option<String>,
        },
        /// Grant a role to groups in a namespace.
        AddRoleToGroup {
            #[command(flatten)]
            target: RoleTarget,
            /// Groups.
            #[arg(required = true)]
            groups: Vec<String>,
            /// Role or ClusterRole (default: the ClusterRole if there is one).
            #[arg(long)]
            role_kind: Option<String>,
            /// The binding to add to or create.
            #[arg(long)]
            rolebinding_name: Option<String>,
        },
        /// Take a role from users or service accounts in a namespace.
        RemoveRoleFromUser {
            #[command(flatten)]
            target: RoleTarget,
            /// Users.
            users: Vec<String>,
            /// A service account of the namespace (repeatable).
            #[arg(short = 'z', long = "serviceaccount")]
            service_accounts: Vec<String>,
            /// Role or ClusterRole (default: the ClusterRole if there is one).
            #[arg(long)]
            role_kind: Option<String>,
        },
        /// Take a role from groups in a namespace.
        RemoveRoleFromGroup {
            #[command(flatten)]
            target: RoleTarget,
            /// Groups.
            #[arg(required = true)]
            groups: Vec<String>,
            /// Role or ClusterRole (default: the ClusterRole if there is one).
            #[arg(long)]
            role_kind: Option<String>,
        },
    }

    #[derive(Subcommand)]
    enum BundleVerb {
        /// Build and sign the bundle: FILE, FILE.sig and bundle-signing.jwk.json beside it.
        Build {
            /// The bundle file.
            #[arg(
                short = 'o',
                long = "out",
                value_name = "FILE",
                default_value = "bundle.json"
            )]
            file: PathBuf,
            /// When the bundle stops being usable: RFC 3339 or a duration (default 30d).
            #[arg(long, value_name = "DATE|DURATION")]
            expires: Option<String>,
            /// Print the report as JSON (`-o` names the file here).
            #[arg(long)]
            json: bool,
        },
        /// Check a bundle's signature, that it loads and has not expired.
        Verify {
            /// The bundle file.
            file: PathBuf,
            /// The public key (JWK or JWKS; default bundle-signing.jwk.json beside FILE).
            #[arg(long, value_name = "JWK")]
            key: Option<PathBuf>,
            /// The signature (default FILE.sig).
            #[arg(long, value_name = "FILE")]
            signature: Option<PathBuf>,
            #[command(flatten)]
            out: Out,
        },
    }

    #[derive(Subcommand)]
    enum Auth {
        /// May the token's caller do VERB on RESOURCE? Exit 0 yes, 1 no.
        CanI {
            /// The verb (get, list, delete, ...).
            verb: String,
            /// As kubectl's: TYPE (pods, deployments.apps), TYPE/NAME, or a URL such as /healthz.
            resource: String,
            /// The object's name (or give it as TYPE/NAME).
            name: Option<String>,
            /// The subresource (log, scale, status, ...), as kubectl's --subresource.
            #[arg(long, value_name = "SUB")]
            subresource: Option<String>,
            /// The namespace.
            #[arg(short = 'n', long = "namespace", value_name = "NS")]
            namespace: Option<String>,
            /// Ask about the cluster scope (no namespace).
            #[arg(short = 'A', long = "all-namespaces", conflicts_with = "namespace")]
            all_namespaces: bool,
            #[command(flatten)]
            token: TokenArg,
            /// Print nothing; answer with the exit status only.
            #[arg(short, long)]
            quiet: bool,
            #[command(flatten)]
            out: Out,
        },
    }

    /// What a verb prints: the report, notes for stderr, and the exit status.
    struct Done {
        stdout: String,
        stderr: Vec<String>,
        code: u8,
    }

    impl Done {
        fn show<T: Serialize + Render>(value: &T, out: Output) -> Result<Done, AdminError> {
            let stdout = match out {
                Output::Table => value.render(),
                Output::Json => json(value)?,
            };
            Ok(Done {
                stdout,
                stderr: Vec::new(),
                code: 0,
            })
        }

        fn note(mut self, lines: impl IntoIterator<Item = String>) -> Done {
            self.stderr.extend(lines);
            self
        }

        fn code(mut self, code: u8) -> Done {
            self.code = code;
            self
        }
    }

    fn json<T: Serialize>(value: &T) -> Result<String, AdminError> {
        serde_json::to_string_pretty(value)
            .map(|s| s + "\n")
            .map_err(|e| AdminError::state(format!("output: {e}")))
    }

    pub fn main() -> ExitCode {
        let cli = match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) => {
                use clap::error::ErrorKind;
                if matches!(
                    e.kind(),
                    ErrorKind::DisplayHelp
                        | ErrorKind::DisplayVersion
                        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                ) {
                    let _ = e.print();
                    return ExitCode::from(
                        if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                            2
                        } else {
                            0
                        },
                    );
                }
                // clap's message up to its usage block, on one line: the first line and what it
                // lists (the missing arguments, the values allowed), so it names the argument.
                let text = e.render().to_string();
                let message: Vec<&str> = text
                    .lines()
                    .take_while(|l| !l.trim().is_empty())
                    .map(str::trim)
                    .collect();
                let message = if message.is_empty() {
                    "error: bad arguments".to_string()
                } else {
                    message.join(" ")
                };
                eprintln!("{message} (see tessera --help)");
                return ExitCode::from(2);
            }
        };
        let dir = store::resolve_dir(cli.state.as_deref());
        match run(&dir, cli.verb) {
            Ok(done) => {
                for line in &done.stderr {
                    eprintln!("{line}");
                }
                print!("{}", done.stdout);
                ExitCode::from(done.code)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(e.exit_code())
            }
        }
    }

    fn now() -> UnixTime {
        tessera::time::now()
    }

    fn open(dir: &Path) -> Result<State, AdminError> {
        State::open(dir)
    }

    fn read_token(arg: &TokenArg) -> Result<String, AdminError> {
        match (&arg.token, &arg.token_file) {
            (Some(t), _) => Ok(t.trim().to_string()),
            (None, Some(f)) => std::fs::read_to_string(f)
                .map(|t| t.trim().to_string())
                .map_err(|e| AdminError::input(format!("--token-file: {}: {e}", f.display()))),
            (None, None) => Err(AdminError::input("--token: missing")),
        }
    }

    fn warnings(list: &[String]) -> Vec<String> {
        list.iter().map(|w| format!("warning: {w}")).collect()
    }

    fn run(dir: &Path, verb: Verb) -> Result<Done, AdminError> {
        match verb {
            Verb::Init { alg, issuer, out } => {
                let (_, report) = init::init(dir, &InitOptions { alg, issuer }, now())?;
                Ok(Done::show(&report, out.output)?.note(warnings(&report.warnings)))
            }
            Verb::Create(c) => create(dir, c),
            Verb::NewProject { name, out } => {
                let mut state = open(dir)?;
                let project = namespaces::new_project(&mut state, &name, now())?;
                Done::show(&project, out.output)
            }
            Verb::Describe(Describe::Serviceaccount { name, ns, out }) => {
                let state = open(dir)?;
                let d = accounts::describe(&state, &ns.namespace, &name, now())?;
                Done::show(&d, out.output)
            }
            Verb::Delete(Delete::Secret {
                name,
                ns,
                no_reissue,
                out,
            }) => {
                let mut state = open(dir)?;
                let d = accounts::delete_secret(&mut state, &ns.namespace, &name, !no_reissue)?;
                let mut notes = vec![d.note()];
                notes.extend(d.reissued.as_ref().map(|t| format!("new {}", t.note())));
                Ok(Done::show(&d, out.output)?.note(notes))
            }
            Verb::Delete(Delete::Serviceaccount { name, ns, out }) => {
                let mut state = open(dir)?;
                let sa = accounts::delete(&mut state, &ns.namespace, &name)?;
                let text = format!(
                    "serviceaccount/{} deleted from namespace {}\n",
                    sa.name, sa.namespace
                );
                Ok(match out.output {
                    Output::Table => Done {
                        stdout: text,
                        stderr: Vec::new(),
                        code: 0,
                    },
                    Output::Json => Done {
                        stdout: json(&sa)?,
                        stderr: Vec::new(),
                        code: 0,
                    },
                })
            }
            Verb::Policy(p) => policy(dir, p),
            Verb::Adm(Adm::Policy(p)) => adm_policy(dir, p),
            Verb::Import { file, out } => {
                let mut state = open(dir)?;
                let report = import::import(&mut state, &file)?;
                Ok(Done::show(&report, out.output)?.note(warnings(&report.warnings)))
            }
            Verb::Bundle(BundleVerb::Build {
                file,
                expires,
                json,
            }) => {
                let mut state = open(dir)?;
                let now = now();
                let expires = expires
                    .map(|e| when::parse_instant(&e, now, "--expires"))
                    .transpose()?;
                let report = build::build(&mut state, &file, expires, now)?;
                let warnings = report.warnings.iter().map(|w| format!("warning: {w}"));
                Ok(
                    Done::show(&report, if json { Output::Json } else { Output::Table })?
                        .note(warnings.collect::<Vec<_>>()),
                )
            }
            Verb::Bundle(BundleVerb::Verify {
                file,
                key,
                signature,
                out,
            }) => {
                let report = build::verify(&file, signature.as_deref(), key.as_deref(), now())?;
                Done::show(&report, out.output)
            }
            Verb::Whoami { token, out } => {
                let state = open(dir)?;
                let review = decide::whoami(&state, &read_token(&token)?, now())?;
                if review.status.authenticated || matches!(out.output, Output::Json) {
                    let code = if review.status.authenticated { 0 } else { 1 };
                    return Ok(Done::show(&review, out.output)?.code(code));
                }
                // Refused: the reason on stderr and nothing on stdout, as `oc whoami` fails.
                let why = review.render();
                Ok(Done {
                    stdout: String::new(),
                    stderr: vec![format!("error: {}", why.trim_end())],
                    code: 1,
                })
            }
            Verb::Auth(Auth::CanI {
                verb,
                resource,
                name,
                subresource,
                namespace,
                all_namespaces,
                token,
                quiet,
                out,
            }) => {
                let namespace =
                    match (namespace, all_namespaces, resource.starts_with('/')) {
                        (Some(ns), _, _) => ns,
                        (None, true, _) | (None, _, true) => String::new(),
                        (None, false, false) => return Err(AdminError::input(
                            "-n: missing; give -n NAMESPACE (or -A for a cluster-wide question)",
                        )),
                    };
                let state = open(dir)?;
                if !namespace.is_empty() {
                    namespaces::require(state.doc(), &namespace)?;
                }
                let (resource, name, warning) =
                    decide::kubectl_resource(&resource, name.as_deref(), subresource.as_deref())?;
                let request = decide::rbac_request(&verb, &resource, &name, &namespace)?;
                let decision = decide::can_i(&state, &read_token(&token)?, &request, now())?;
                let code = if decision.allowed { 0 } else { 1 };
                let done = Done::show(&decide::Answer(decision), out.output)?
                    .code(code)
                    .note(warning);
                Ok(if quiet {
                    Done {
                        stdout: String::new(),
                        ..done
                    }
                } else {
                    done
                })
            }
            Verb::Revoke(Revoke::Token { id, out }) => {
                let mut state = open(dir)?;
                let revoked = revocations::revoke(&mut state, &id, now())?;
                let note = if revoked.names.is_empty() {
                    vec![format!(
                        "note: no token of this state has the id {id:?}; a token with it is refused all the same"
                    )]
                } else {
                    Vec::new()
                };
                Ok(Done::show(&revoked, out.output)?.note(note))
            }
            Verb::Check {
                token,
                method,
                url,
                out,
            } => {
                let state = open(dir)?;
                let decision = decide::check(&state, token.as_deref(), &method, &url, now())?;
                let code = if decision.allowed { 0 } else { 1 };
                Ok(Done::show(&decide::Answer(decision), out.output)?.code(code))
            }
        }
    }

    fn subjects(args: SubjectArgs) -> Result<Vec<tessera::schema::Subject>, AdminError> {
        let mut out = Vec::new();
        for u in &args.user {
            out.push(bindings::user(u)?);
        }
        for g in &args.group {
            out.push(bindings::group(g)?);
        }
        for s in &args.serviceaccount {
            out.push(bindings::service_account_arg(s)?);
        }
        Ok(out)
    }

    fn create(dir: &Path, c: Create) -> Result<Done, AdminError> {
        let mut state = open(dir)?;
        let now = now();
        match c {
            Create::Namespace { name, parent, out } => {
                let ns = namespaces::create(&mut state, &name, parent.as_deref())?;
                Done::show(&ns, out.output)
            }
            Create::Serviceaccount {
                name,
                ns,
                impersonate,
                id,
                expires,
                token_format,
                out,
            } => {
                let expires_at = expires
                    .map(|e| when::parse_instant(&e, now, "--expires"))
                    .transpose()?;
                let new = NewAccount {
                    namespace: ns.namespace,
                    name,
                    id,
                    impersonate,
                    expires_at,
                    token_format: match token_format {
                        FormatArg::Legacy => TokenFormat::Legacy,
                        FormatArg::Pomerium => TokenFormat::Pomerium,
                    },
                };
                let created = accounts::create(&mut state, &new, now)?;
                let mut notes = vec![format!(
                    "serviceaccount/{} created in namespace {}",
                    created.service_account.name, created.service_account.namespace
                )];
                notes.push(created.token.note());
                notes.extend(warnings(&created.warnings));
                Ok(Done::show(&created, out.output)?.note(notes))
            }
            Create::Token {
                name,
                ns,
                duration,
                audience,
                bound_object_kind,
                bound_object_name,
                bound_object_uid,
                out,
            } => {
                let duration = duration
                    // "0", as kubectl takes it: the default lifetime.
                    .map(|d| match d.as_str() {
                        "0" => Ok(0),
                        _ => when::parse_duration(&d, "--duration"),
                    })
                    .transpose()?;
                let bound = match (bound_object_kind, bound_object_name) {
                    (Some(kind), Some(name)) => Some(BoundObject {
                        kind,
                        name,
                        uid: bound_object_uid,
                    }),
                    _ => None,
                };
                let request = TokenRequest {
                    namespace: ns.namespace,
                    name,
                    duration,
                    audiences: audience,
                    bound,
                };
                let (token, warns) = tokens::create_token(&mut state, &request, now)?;
                let mut notes = vec![token.note()];
                notes.extend(warnings(&warns));
                Ok(Done::show(&token, out.output)?.note(notes))
            }
            Create::User {
                id,
                email,
                group,
                out,
            } => {
                let user = directory::create_user(&mut state, &id, email.as_deref(), &group)?;
                Done::show(&user, out.output)
            }
            Create::Role {
                name,
                ns,
                rules,
                out,
            } => {
                let spec = RuleSpec {
                    verbs: rules.verb,
                    resources: rules.resource,
                    resource_names: rules.resource_name,
                    non_resource_urls: Vec::new(),
                };
                let role = roles::create(&mut state, &name, Some(&ns.namespace), &spec)?;
                Done::show(&role, out.output)
            }
            Create::Clusterrole {
                name,
                rules,
                non_resource_url,
                out,
            } => {
                let spec = RuleSpec {
                    verbs: rules.verb,
                    resources: rules.resource,
                    resource_names: rules.resource_name,
                    non_resource_urls: non_resource_url,
                };
                let role = roles::create(&mut state, &name, None, &spec)?;
                Done::show(&role, out.output)
            }
            Create::Rolebinding {
                name,
                ns,
                clusterrole,
                role,
                subjects: s,
                out,
            } => {
                let (role, kind) = match (clusterrole, role) {
                    (Some(r), _) => (r, "ClusterRole"),
                    (None, Some(r)) => (r, "Role"),
                    (None, None) => {
                        return Err(AdminError::input("--clusterrole or --role is required"))
                    }
                };
                let change = bindings::create_binding(
                    &mut state,
                    &name,
                    Some(&ns.namespace),
                    &role,
                    kind,
                    subjects(s)?,
                )?;
                Ok(Done::show(&change, out.output)?.note(warnings(&change.warnings)))
            }
            Create::Clusterrolebinding {
                name,
                clusterrole,
                subjects: s,
                out,
            } => {
                let change = bindings::create_binding(
                    &mut state,
                    &name,
                    None,
                    &clusterrole,
                    "ClusterRole",
                    subjects(s)?,
                )?;
                Ok(Done::show(&change, out.output)?.note(warnings(&change.warnings)))
            }
            Create::Route {
                name,
                ns,
                from,
                prefix,
                path,
                policy,
                out,
            } => {
                let policy = routes::read_policy(&policy)?;
                let route = routes::create(
                    &mut state,
                    NewRoute {
                        name,
                        namespace: ns.namespace,
                        from,
                        prefix,
                        path,
                        policy,
                    },
                )?;
                Done::show(&route, out.output)
            }
        }
    }

    /// `oc adm policy`'s subjects: users, and `-z` accounts of the `-n` namespace (required
    /// with `-z`, as there is no current project).
    fn cluster_role_subjects(
        target: &ClusterRoleTarget,
        users: &[String],
        service_accounts: &[String],
    ) -> Result<Vec<tessera::schema::Subject>, AdminError> {
        match (&target.namespace, service_accounts.is_empty()) {
            (None, false) => Err(AdminError::input(
                "-z: the service account's namespace is required: give -n NAMESPACE",
            )),
            (ns, _) => role_subjects(ns.as_deref().unwrap_or(""), users, service_accounts),
        }
    }

    fn group_subjects(groups: &[String]) -> Result<Vec<tessera::schema::Subject>, AdminError> {
        groups.iter().map(|g| bindings::group(g)).collect()
    }

    fn adm_policy(dir: &Path, p: AdmPolicy) -> Result<Done, AdminError> {
        let mut state = open(dir)?;
        match p {
            AdmPolicy::AddClusterRoleToUser {
                target,
                users,
                service_accounts,
                rolebinding_name,
            } => {
                let s = cluster_role_subjects(&target, &users, &service_accounts)?;
                let change = policy::add_cluster_role(
                    &mut state,
                    &target.role,
                    s,
                    rolebinding_name.as_deref(),
                )?;
                Ok(Done::show(&change, target.out.output)?.note(warnings(&change.warnings)))
            }
            AdmPolicy::AddClusterRoleToGroup {
                target,
                groups,
                rolebinding_name,
            } => {
                let change = policy::add_cluster_role(
                    &mut state,
                    &target.role,
                    group_subjects(&groups)?,
                    rolebinding_name.as_deref(),
                )?;
                Ok(Done::show(&change, target.out.output)?.note(warnings(&change.warnings)))
            }
            AdmPolicy::RemoveClusterRoleFromUser {
                target,
                users,
                service_accounts,
            } => {
                let s = cluster_role_subjects(&target, &users, &service_accounts)?;
                let changes = policy::remove_cluster_role(&mut state, &target.role, s)?;
                Done::show(&admin::output::Many(changes), target.out.output)
            }
            AdmPolicy::RemoveClusterRoleFromGroup { target, groups } => {
                let changes = policy::remove_cluster_role(
                    &mut state,
                    &target.role,
                    group_subjects(&groups)?,
                )?;
                Done::show(&admin::output::Many(changes), target.out.output)
            }
        }
    }

    fn role_subjects(
        ns: &str,
        users: &[String],
        service_accounts: &[String],
    ) -> Result<Vec<tessera::schema::Subject>, AdminError> {
        let mut out = Vec::new();
        for u in users {
            out.push(bindings::user(u)?);
        }
        for sa in service_accounts {
            out.push(bindings::service_account_flag(ns, sa)?);
        }
        Ok(out)
    }

    fn policy(dir: &Path, p: Policy) -> Result<Done, AdminError> {
        let mut state = open(dir)?;
        match p {
            Policy::AddRoleToUser {
                target,
                users,
                service_accounts,
                role_kind,
                rolebinding_name,
            } => {
                let ns = &target.ns.namespace;
                let s = role_subjects(ns, &users, &service_accounts)?;
                let change = policy::add_role(
                    &mut state,
                    ns,
                    &target.role,
                    s,
                    role_kind.as_deref(),
                    rolebinding_name.as_deref(),
                )?;
                Ok(Done::show(&change, target.out.output)?.note(warnings(&change.warnings)))
            }
            Policy::AddRoleToGroup {
                target,
                groups,
                role_kind,
                rolebinding_name,
            } => {
                let s = group_subjects(&groups)?;
                let change = policy::add_role(
                    &mut state,
                    &target.ns.namespace,
                    &target.role,
                    s,
                    role_kind.as_deref(),
                    rolebinding_name.as_deref(),
                )?;
                Ok(Done::show(&change, target.out.output)?.note(warnings(&change.warnings)))
            }
            Policy::RemoveRoleFromUser {
                target,
                users,
                service_accounts,
                role_kind,
            } => {
                let ns = &target.ns.namespace;
                let s = role_subjects(ns, &users, &service_accounts)?;
                let changes =
                    policy::remove_role(&mut state, ns, &target.role, s, role_kind.as_deref())?;
                Done::show(&admin::output::Many(changes), target.out.output)
            }
            Policy::RemoveRoleFromGroup {
                target,
                groups,
                role_kind,
            } => {
                let s = group_subjects(&groups)?;
                let changes = policy::remove_role(
                    &mut state,
                    &target.ns.namespace,
                    &target.role,
                    s,
                    role_kind.as_deref(),
                )?;
                Done::show(&admin::output::Many(changes), target.out.output)
            }
        }
    }
}
