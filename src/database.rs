//! The commands on a database: import, export, list, serve, accounts, tokens, the audit log.

use super::*;

/// `guarantor import`.
pub(crate) fn import(file: PathBuf, db: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let campaign = load(&file)?;
    runtime()?.block_on(async {
        let store = db.open().await?;
        store.import(&campaign, &cli_actor()).await?;
        println!(
            "imported {} ({}) with {} proposals",
            campaign.info().id,
            campaign.info().title,
            campaign.proposals().len()
        );
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `guarantor export`.
pub(crate) fn export(
    campaign: String,
    out: Option<PathBuf>,
    db: DatabaseArgs,
) -> anyhow::Result<ExitCode> {
    let (text, head) = runtime()?.block_on(async {
        let store = db.open().await?;
        let head = store.audit_head().await?;
        anyhow::Ok((store.export(&campaign).await?.to_json(), head))
    })?;
    match out {
        Some(path) => write_whole(&path, text.as_bytes())?,
        None => print!("{text}"),
    }
    // On standard error, so the file stays the campaign file byte for byte.
    eprintln!("exported at audit log {head}");
    Ok(ExitCode::SUCCESS)
}

/// `guarantor campaigns`.
pub(crate) fn campaigns(db: DatabaseArgs) -> anyhow::Result<ExitCode> {
    let listing = runtime()?.block_on(async { anyhow::Ok(db.open().await?.campaigns().await?) })?;
    if listing.is_empty() {
        println!("no campaigns stored; `guarantor import FILE` stores one");
    }
    for c in listing {
        println!(
            "{}\t{}\tversion {}\tchanged {}",
            c.id, c.title, c.version, c.updated_at
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `guarantor serve`.
pub(crate) fn serve(
    bind: String,
    demo: bool,
    insecure_cookies: bool,
    anonymous_rate: u32,
    trusted_proxies: Vec<std::net::IpAddr>,
    db: DatabaseArgs,
) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let store = if demo {
            demo_store(&url).await?
        } else {
            db.open().await?
        };
        let config = guarantor_server::Config {
            pdf: Some(std::sync::Arc::new(|brief: &guarantor_assess::Brief| {
                let today = chrono::Utc::now().date_naive();
                typeset_brief(brief, today)
                    .map(|t| t.pdf)
                    .map_err(|e| e.to_string())
            })),
            secure_cookies: !(demo || insecure_cookies),
            anonymous_requests_per_second: anonymous_rate,
            trusted_proxies,
            ..guarantor_server::Config::default()
        };
        println!("Guarantor listening on {url} (web app at /, JSON API at /api)");
        guarantor_server::serve(listener, store, config).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `guarantor account …`.
pub(crate) fn account(command: AccountCommand) -> anyhow::Result<ExitCode> {
    match command {
        AccountCommand::Create { name, role, db } => {
            let password = match std::env::var("GUARANTOR_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("password for {name} (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let role = role.into();
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .create_account(&name, role, &password, &cli_actor(), chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("created the {} account {name}", role.as_str());
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Disable { name, db } => {
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .set_account_disabled(&name, true, &cli_actor(), chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("disabled the account {name}; its sessions have ended");
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Enable { name, db } => {
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .set_account_disabled(&name, false, &cli_actor(), chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("enabled the account {name}");
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Password { name, db } => {
            let mut lines = std::io::stdin().lines();
            let mut secret = |var: &str, what: &str| -> anyhow::Result<String> {
                if let Ok(v) = std::env::var(var) {
                    return Ok(v);
                }
                eprintln!("{what} for {name}, then Enter:");
                Ok(lines
                    .next()
                    .transpose()
                    .context("cannot read standard input")?
                    .unwrap_or_default())
            };
            let current = secret("GUARANTOR_PASSWORD", "current password")?;
            let new = secret(
                "GUARANTOR_NEW_PASSWORD",
                "new password (at least 12 characters)",
            )?;
            runtime()?.block_on(async {
                db.open()
                    .await?
                    .change_password(&name, &current, &new, chrono::Utc::now())
                    .await?;
                anyhow::Ok(())
            })?;
            println!("changed the password of {name}; its sessions have ended");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `guarantor token …`.
pub(crate) fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create {
            name,
            role,
            expires_in_days,
            db,
        } => {
            let role = role.into();
            let token = runtime()?.block_on(async {
                let store = db.open().await?;
                anyhow::Ok(
                    store
                        .create_api_token_for(
                            &name,
                            role,
                            expires_in_days,
                            &cli_actor(),
                            chrono::Utc::now(),
                        )
                        .await?,
                )
            })?;
            println!("{token}");
            eprintln!(
                "created a {} token for {name}, valid {expires_in_days} days; it is shown once: keep it now",
                role.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { db } => {
            let tokens =
                runtime()?.block_on(async { anyhow::Ok(db.open().await?.api_tokens().await?) })?;
            if tokens.is_empty() {
                println!("no API tokens; `guarantor token create NAME --role ROLE` makes one");
            }
            for t in tokens {
                let state = match (&t.revoked_at, &t.expires_at) {
                    (Some(r), _) => format!("revoked {r}"),
                    (None, Some(e)) => format!("expires {e}"),
                    (None, None) => "never expires (made before tokens expired)".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\tcreated {}\t{state}",
                    t.id,
                    t.name,
                    t.role.as_str(),
                    t.created_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id, db } => {
            let revoked = runtime()?.block_on(async {
                anyhow::Ok(
                    db.open()
                        .await?
                        .revoke_api_token(&id, &cli_actor(), chrono::Utc::now())
                        .await?,
                )
            })?;
            if revoked {
                println!("revoked token {id}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: no live token has the id {id} (see `guarantor token list`)");
                Ok(ExitCode::from(2))
            }
        }
    }
}

/// `guarantor audit …`.
pub(crate) fn audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { checkpoint, db } => {
            let checkpoints = checkpoint
                .iter()
                .map(|path| {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    serde_json::from_str::<guarantor_store::Checkpoint>(&text).with_context(|| {
                        format!("{} is not an audit checkpoint file", path.display())
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let report = runtime()?.block_on(async {
                anyhow::Ok(db.open().await?.verify_audit_against(&checkpoints).await?)
            })?;
            for u in &report.unchecked {
                eprintln!("note: {u}");
            }
            if report.intact() {
                println!(
                    "audit log and stored data intact: {} entries; head {}",
                    report.entries, report.head
                );
                if checkpoint.is_empty() {
                    println!(
                        "(keep checkpoints elsewhere, `guarantor audit checkpoint`: cutting off the newest entries can only be detected against one)"
                    );
                }
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "error: the audit log was tampered with ({} problem{}):",
                    report.problems.len(),
                    if report.problems.len() == 1 { "" } else { "s" }
                );
                for p in &report.problems {
                    eprintln!("  {p}");
                }
                Ok(ExitCode::from(EXIT_INVALID))
            }
        }
        AuditCommand::Checkpoint { out, db } => {
            let checkpoint = runtime()?
            .block_on(async { anyhow::Ok(db.open().await?.audit_checkpoint().await?) })?
            .context(
                "a checkpoint is sealed with the audit key: pass --audit-key-file (or set GUARANTOR_AUDIT_KEY_FILE)",
            )?;
            let text = format!("{}\n", serde_json::to_string_pretty(&checkpoint)?);
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Keygen { out } => {
            use std::io::Write as _;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&out).with_context(|| {
                format!(
                    "cannot create {} (an existing key is never overwritten)",
                    out.display()
                )
            })?;
            file.write_all(guarantor_store::AuditKey::generate().as_bytes())
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "audit key written to {}: keep it outside the database and pass it with --audit-key-file or GUARANTOR_AUDIT_KEY_FILE",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
