//! `tp-mcp`: the MCP server binary (and a small CLI over the same tools).

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use rmcp::ServiceExt;
use tp_mcp::{ServerContext, TpServer, cli};

/// TrainingPeaks for Claude: an MCP server over stdio.
///
/// With no command, serves MCP on stdin/stdout (what Claude Desktop runs).
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Use the built-in demo athlete (no account, no network). Also
    /// `TP_MCP_DEMO=1` (or `true`), e.g. from the bundle's "demo athlete" option.
    #[arg(long, global = true, env = "TP_MCP_DEMO", value_parser = clap::builder::FalseyValueParser::new())]
    demo: bool,
    /// Do not use the local history cache: every question goes to TrainingPeaks.
    #[arg(long, global = true)]
    no_cache: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

impl Cli {
    /// `tp-mcp` or `tp-mcp serve` with nothing else — how Claude Desktop
    /// starts the sidecar, once per conversation — without building the
    /// argument parser: it is the largest piece of start-up work, and every
    /// page of code it touches stays resident for the life of the process
    /// (bench/RESULTS.md, peak RSS). Anything else goes to clap.
    fn for_serving() -> Option<Cli> {
        let mut args = std::env::args_os().skip(1);
        let serving = match (args.next(), args.next()) {
            (None, _) => true,
            (Some(a), None) => a == "serve",
            _ => false,
        };
        // TP_MCP_DEMO is clap's to read (its truthy and falsey spellings).
        (serving && std::env::var_os("TP_MCP_DEMO").is_none()).then_some(Cli {
            demo: false,
            no_cache: false,
            command: None,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP over stdio (the default).
    Serve,
    /// List the tools.
    Tools {
        /// Print the full MCP definitions (schemas included) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Call one tool and print its answer, e.g. `tp-mcp call tp_get_fitness '{"days":42}'`.
    Call {
        /// Tool name, e.g. tp_get_fitness.
        tool: String,
        /// Arguments as a JSON object.
        #[arg(default_value = "{}")]
        args: String,
        /// Print the structured output (JSON) instead of the text.
        #[arg(long)]
        json: bool,
    },
    /// Your TrainingPeaks login: `auth import` takes it from your browser into
    /// the system keychain; `auth status`, `auth set` (stdin), `auth clear`.
    Auth {
        #[command(subcommand)]
        command: tp_mcp::auth_cli::AuthCommand,
    },
    /// Fetch the athlete's whole history into the local cache now (resumes
    /// an interrupted run; later questions then need no download).
    Sync {
        /// Also fetch every completed workout's device file (second-by-second
        /// data), newest first: resumable, at least 150 ms between requests,
        /// Ctrl-C stops cleanly after the workout in hand.
        #[arg(long)]
        streams: bool,
    },
}

fn main() -> anyhow::Result<()> {
    tp_mcp::memory::configure_allocator();
    let cli = Cli::for_serving().unwrap_or_else(Cli::parse);
    tp_mcp::logging::init();
    if let Some(Command::Tools { json }) = &cli.command {
        print!("{}", cli::print_tools(*json));
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Auth { command }) = cli.command {
        std::process::exit(tp_mcp::auth_cli::run(command, cli.demo).await);
    }
    let mut ctx = if cli.demo {
        ServerContext::demo().await?
    } else {
        ServerContext::from_env()?
    };
    if cli.no_cache {
        ctx = ctx.without_cache();
    }
    match cli.command {
        None | Some(Command::Serve) => {
            tracing::info!(demo = cli.demo, "serving MCP on stdio");
            let service = TpServer::new(ctx)
                .serve(rmcp::transport::stdio())
                .await
                .context("MCP initialization failed")?;
            service
                .waiting()
                .await
                .context("MCP session ended with an error")?;
            Ok(())
        }
        Some(Command::Call { tool, args, json }) => {
            let out = cli::call(&ctx, &tool, &args, json).await;
            if out.is_error {
                eprintln!("{}", out.text);
                std::process::exit(2);
            }
            println!("{}", out.text.trim_end());
            Ok(())
        }
        Some(Command::Sync { streams: true }) => sync_streams(&ctx).await,
        Some(Command::Sync { streams: false }) => {
            let sink: tp_mcp::progress::ProgressSink =
                std::sync::Arc::new(|done, total, _what: &str| {
                    eprintln!("synced window {done}/{total}");
                });
            let report = tp_mcp::progress::with_sink(Some(sink), ctx.backfill())
                .await
                .map_err(|e| anyhow::anyhow!(tp_mcp::ToolError::from(e).message()))?;
            match report {
                Some(r) => println!(
                    "History synced: {} windows fetched, {} workouts stored, {} removed.",
                    r.windows, r.upserted, r.deleted
                ),
                None => println!("The history cache is disabled (--no-cache); nothing to sync."),
            }
            Ok(())
        }
        Some(Command::Tools { .. }) => unreachable!("handled before the runtime starts"),
        Some(Command::Auth { .. }) => unreachable!("handled before the context is built"),
    }
}

/// `tp-mcp sync --streams`: the history, then every device file, with
/// progress on stderr; the first Ctrl-C stops after the workout in hand
/// (each workout is one transaction), a second one exits at once.
async fn sync_streams(ctx: &ServerContext) -> anyhow::Result<()> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("stopping after the workout in hand (Ctrl-C again to quit now)");
            flag.store(true, Ordering::Relaxed);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let started = std::time::Instant::now();
    let progress = |done: usize, total: usize| {
        if done == total || done.is_multiple_of(10) {
            eprintln!("device files {done}/{total}");
        }
    };
    let sink: tp_mcp::progress::ProgressSink = Arc::new(|done, total, _what: &str| {
        eprintln!("synced window {done}/{total}");
    });
    let outcome = tp_mcp::progress::with_sink(Some(sink), ctx.backfill_streams(&cancel, &progress))
        .await
        .map_err(|e| anyhow::anyhow!(tp_mcp::ToolError::from(e).message()))?;
    let Some((report, coverage)) = outcome else {
        println!("The history cache is disabled (--no-cache); nothing to sync.");
        return Ok(());
    };
    println!(
        "Device files: {} of {} completed workouts have second-by-second data ({} entered by hand, {} unreadable, {} still to fetch). \
This run: {} stored, {} without a file, {} unreadable, {} failed in {:.0} s.",
        coverage.stored,
        coverage.workouts,
        coverage.no_file,
        coverage.unreadable,
        coverage.missing,
        report.stored,
        report.no_file,
        report.unreadable,
        report.failed,
        started.elapsed().as_secs_f64()
    );
    if let Some(why) = report.stopped {
        println!(
            "Stopped early: {why}. Run `tp-mcp sync --streams` again to go on where it stopped."
        );
    }
    Ok(())
}
