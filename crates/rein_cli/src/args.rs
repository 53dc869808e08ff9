//! The command line: subcommands, flags and their values (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rein_diagnostics::Severity;
use rein_model::PolicyKind;

#[derive(Debug, Parser)]
#[command(
    name = "rein",
    about = "A static checker for AWS IAM in infrastructure code",
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// When to use colours.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check policy files and directories.
    Check(CheckArgs),
    /// Show a rule's documentation, or list every rule.
    Rule(RuleArgs),
    /// Print a shell completion script, e.g. `rein completions bash > /etc/bash_completion.d/rein`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `rein man > rein.1`, or write a page per subcommand.
    Man(ManArgs),
    /// Run the language server over stdin and stdout.
    Lsp(LspArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check. Named files are always read as policy JSON; files found
    /// in directories are checked when they look like policies. `-` reads standard input.
    /// Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The name standard input (`-`) goes by: its extension and content decide what it is read
    /// as, and findings name it.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// The lowest severity that makes the exit code 1 [default: warning, or `fail-on` of rein.toml].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Output format; repeat it for several reports in one run. The n-th --format is written to
    /// the n-th --output; a format without one goes to standard output. Default: human.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Vec<Format>,

    /// Where the report of the --format in the same position goes: a file, or `-` for standard
    /// output. Repeatable.
    #[arg(short, long, value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// Run only these rules: ids, names, aliases, categories or id prefixes such as `IAM1`.
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub select: Vec<String>,

    /// Do not run these rules (same selectors as --select).
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub ignore: Vec<String>,

    /// Declare the type of the policies instead of inferring it.
    #[arg(long, value_enum, value_name = "TYPE")]
    pub policy_type: Option<PolicyType>,

    /// Also run rules in preview.
    #[arg(long)]
    pub preview: bool,

    /// The rule profile: `baseline` adds the checks that an account baseline declares its
    /// controls (a password policy, a trail, an analyzer, GuardDuty, Config, Security Hub, …).
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<ProfileArg>,

    /// Print only the summary line (human format).
    #[arg(short, long)]
    pub quiet: bool,

    /// After the report, list every policy value that could not be known statically (a variable
    /// without default, a value known only after apply) and so was not checked.
    #[arg(long)]
    pub show_unknown: bool,

    /// The date that decides whether the embedded IAM catalogue is stale (default: today, UTC);
    /// for reproducible runs.
    #[arg(long, value_name = "YYYY-MM-DD", hide = true)]
    pub today: Option<jiff::civil::Date>,

    #[command(flatten)]
    pub pipeline: crate::pipeline_args::PipelineArgs,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule id, name or alias, e.g. `IAM106`.
    #[arg(required_unless_present = "all", conflicts_with = "all", value_name = "RULE")]
    pub rule: Option<String>,

    /// List every rule: id, name, severity, category and summary.
    #[arg(long)]
    pub all: bool,

    /// How to print: text for people, JSON (every rule's metadata and doc sections), or the
    /// markdown reference pages.
    #[arg(long, value_enum, default_value_t = RuleFormat::Text, value_name = "FORMAT")]
    pub format: RuleFormat,

    /// With --all --format markdown: write `<ID>.md` for every rule and a `README.md` index into
    /// this directory, e.g. `rein rule --all --format markdown --output-dir docs/rules`.
    #[arg(long, value_name = "DIR", requires = "all")]
    pub output_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `rein.1` and a page per subcommand (`rein-check.1`, …) into this directory instead.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    /// The documentation, or the table of rules.
    Text,
    /// JSON.
    Json,
    /// Markdown reference pages.
    Markdown,
}

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over stdin and stdout (the only transport; accepted because clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours when stdout is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Colours, even into a pipe or a file.
    Always,
    /// Plain text.
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 on errors.
    Error,
    /// Exit 1 on errors and warnings.
    Warning,
    /// Exit 1 on any finding.
    Info,
    /// Exit 0 whatever is found.
    Never,
}

impl FailOn {
    /// The lowest severity that fails the run, or `None` for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames and a summary line.
    Human,
    /// One JSON object (see schemas/report.schema.json).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// JUnit XML: a test suite per file, a failing test case per rule with findings.
    Junit,
    /// GitHub Actions workflow commands, which annotate the pull request.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    Default,
    Baseline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PolicyType {
    Identity,
    Resource,
    Trust,
    Scp,
    Rcp,
    Boundary,
    Session,
}

impl PolicyType {
    pub fn kind(self) -> PolicyKind {
        match self {
            PolicyType::Identity => PolicyKind::Identity,
            PolicyType::Resource => PolicyKind::Resource { service: None },
            PolicyType::Trust => PolicyKind::Trust,
            PolicyType::Scp => PolicyKind::Scp,
            PolicyType::Rcp => PolicyKind::Rcp,
            PolicyType::Boundary => PolicyKind::PermissionsBoundary,
            PolicyType::Session => PolicyKind::Session,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        super::Cli::command().version("0.0.0").debug_assert();
    }
}
