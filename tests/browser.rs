//! The web app in real headless Chromium, driven through chromedriver against the real binary
//! (`guarantor serve --demo`): what a capital, a coordinator and a decision maker do, step by
//! step. Screenshots of the main pages are written to `target/browser-screenshots/` for a person
//! to look at.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium`, `chromium-driver`). Without them the
//! test says SKIPPED; with `CI` set it fails instead, so a CI run never skips it silently.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

const CAMPAIGN: &str = "ua-guarantee-2025";

/// Kills a child process when the test ends, however it ends.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What `guarantor serve --demo` printed: the address, the sign-ins, the invitation links.
struct Demo {
    url: String,
    coordinator: String,
    decision_maker: String,
    links: Vec<(String, String, bool)>,
    _server: Reaper,
}

impl Demo {
    fn link(&self, code: &str) -> &str {
        &self
            .links
            .iter()
            .find(|(c, _, _)| c == code)
            .unwrap_or_else(|| panic!("no invitation link printed for {code}"))
            .1
    }
}

fn start_demo() -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env_remove("GUARANTOR_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("guarantor serve --demo starts");
    let stdout = child.stdout.take().expect("stdout");
    let reaper = Reaper(child);
    let mut lines = BufReader::new(stdout).lines();
    let (mut url, mut coordinator, mut decision_maker) = (None, None, None);
    let mut links = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("a line of output");
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("Guarantor listening on") {
            url = words.get(3).map(|s| (*s).to_owned());
            break;
        } else if line.trim_start().starts_with("coordinator ") {
            coordinator = words.last().map(|s| (*s).to_owned());
        } else if line.trim_start().starts_with("decision maker") {
            decision_maker = words.last().map(|s| (*s).to_owned());
        } else if words.len() >= 3 && words[1].contains("/invitation/") {
            links.push((
                words[0].to_owned(),
                words[1].to_owned(),
                !line.contains("not answered"),
            ));
        }
    }
    // Keep draining the server's output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Demo {
        url: url.expect("the demo printed its URL"),
        coordinator: coordinator.expect("a coordinator sign-in"),
        decision_maker: decision_maker.expect("a decision-maker sign-in"),
        links,
        _server: reaper,
    }
}

/// chromedriver on a free port, or `None` (SKIPPED) when it or Chromium is missing.
fn start_chromedriver() -> Option<(Reaper, u16)> {
    let missing = ["chromedriver", "chromium"]
        .into_iter()
        .find(|b| which(b).is_none());
    if let Some(b) = missing {
        assert!(
            std::env::var_os("CI").is_none(),
            "{b} must be installed on CI (Debian packages chromium and chromium-driver)"
        );
        eprintln!("browser tests SKIPPED: {b} is not installed");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some((Reaper(child), port))
}

fn which(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(binary))
        .find(|p| p.is_file())
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

async fn browser(port: u16, downloads: &Path) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary("/usr/bin/chromium").expect("binary");
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,900",
    ] {
        caps.add_arg(arg).expect("argument");
    }
    caps.add_experimental_option(
        "prefs",
        serde_json::json!({
            "download.default_directory": downloads.to_str().expect("UTF-8 path"),
            "download.prompt_for_download": false,
        }),
    )
    .expect("prefs");
    WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .expect("a Chromium session")
}

async fn shot(driver: &WebDriver, name: &str) {
    driver
        .screenshot(&screenshots().join(format!("{name}.png")))
        .await
        .expect("screenshot");
}

/// The page's text, or `None` while it is between two pages (no body yet).
async fn try_body_text(driver: &WebDriver) -> Option<String> {
    driver.find(By::Tag("body")).await.ok()?.text().await.ok()
}

async fn body_text(driver: &WebDriver) -> String {
    driver
        .find(By::Tag("body"))
        .await
        .expect("a body")
        .text()
        .await
        .expect("its text")
}

/// Scrolls `element` to the middle of the window, as a person does before pressing it: at the
/// bottom edge it would sit under the proposal form's sticky save bar.
async fn centred(driver: &WebDriver, element: &WebElement) {
    driver
        .execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![element.to_json().expect("an element reference")],
        )
        .await
        .expect("scrolled");
}

/// Clicks `element` and waits for the page it leads to (the old page's root goes stale).
async fn click_and_wait(driver: &WebDriver, element: WebElement) {
    centred(driver, &element).await;
    let old = driver.find(By::Tag("html")).await.expect("a page");
    element.click().await.expect("click");
    let deadline = Instant::now() + Duration::from_secs(60);
    while old.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "the click led to no new page");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn sign_in(driver: &WebDriver, demo: &Demo, name: &str, password: &str) {
    driver.delete_all_cookies().await.expect("cookies cleared");
    driver
        .goto(format!("{}/login", demo.url))
        .await
        .expect("login page");
    driver
        .find(By::Id("name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    driver
        .find(By::Id("password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    click_and_wait(
        driver,
        driver
            .find(By::Css("form button[type=submit]"))
            .await
            .unwrap(),
    )
    .await;
    let text = body_text(driver).await;
    assert!(text.contains("Campaigns"), "signed in as {name}: {text}");
}

/// The number of units offered for a requirement line, from the coordinator's dashboard.
async fn offered(driver: &WebDriver, demo: &Demo, requirement: &str) -> u64 {
    driver
        .goto(format!("{}/campaigns/{CAMPAIGN}", demo.url))
        .await
        .unwrap();
    driver
        .find(By::Css(format!(
            "tr[data-requirement='{requirement}'] td[data-offered]"
        )))
        .await
        .expect("the requirement's coverage row")
        .attr("data-offered")
        .await
        .unwrap()
        .expect("data-offered")
        .parse()
        .expect("a number")
}

/// Waits for a file ending in `suffix` to finish downloading into `dir`.
fn downloaded(dir: &Path, suffix: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(suffix));
        if let Some(p) = found {
            return p;
        }
        assert!(Instant::now() < deadline, "no {suffix} was downloaded");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A copy of an XLSX workbook with one cell of the `Offers` sheet replaced by `cell_xml`, as
/// a person editing it in a spreadsheet program would leave it.
fn edit_offers_cell(xlsx: &Path, cell: &str, cell_xml: &str, out: &Path) {
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).expect("an XLSX zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let pattern = regex::Regex::new(&format!(r#"<c r="{cell}"[^>]*?(/>|>.*?</c>)"#)).unwrap();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().expect("a UTF-8 entry name").to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        // The sheets are written in order: Read me, Offers, Answers, Lists.
        if name == "xl/worksheets/sheet2.xml" {
            let xml = String::from_utf8(data).unwrap();
            assert!(pattern.is_match(&xml), "cell {cell} is in the Offers sheet");
            data = pattern.replace(&xml, cell_xml).into_owned().into_bytes();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&data).unwrap();
    }
    writer.finish().unwrap();
}

/// "Review and submit" on the proposal form, then, on the review page that lists what will be
/// sent, the button that submits it.
async fn review_and_submit(driver: &WebDriver, screenshot: &str) {
    click_and_wait(
        driver,
        driver
            .find(By::Css("button[name=action][value=review]"))
            .await
            .unwrap(),
    )
    .await;
    let text = body_text(driver).await;
    assert!(text.contains("Review before submitting"), "{text}");
    shot(driver, screenshot).await;
    // The review page is reached by a form, not a link: checked here, as the others are.
    let violations = axe_violations(driver).await;
    assert!(violations.is_empty(), "the review page: {violations:#?}");
    click_and_wait(
        driver,
        driver
            .find(By::Css("button[name=action][value=submit]"))
            .await
            .unwrap(),
    )
    .await;
}

async fn upload(driver: &WebDriver, file: &Path) -> String {
    driver
        .find(By::Id("xlsx-file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click_and_wait(
        driver,
        driver
            .find(By::XPath("//button[normalize-space(.)='Upload']"))
            .await
            .unwrap(),
    )
    .await;
    body_text(driver).await
}

/// Runs `steps` in Chromium against a fresh `guarantor serve --demo` (SKIPPED without Chromium,
/// a failure on CI). The steps run as their own task so that a failed assertion still leaves a
/// screenshot (`failure_shot`) and closes the browser.
async fn in_chromium<F, Fut>(failure_shot: &str, steps: F)
where
    F: FnOnce(WebDriver, Demo, PathBuf) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((_chromedriver, port)) = start_chromedriver() else {
        return;
    };
    let demo = start_demo();
    let downloads = tempfile::tempdir().unwrap();
    let driver = browser(port, downloads.path()).await;
    let (d, dir) = (driver.clone(), downloads.path().to_owned());
    let outcome = tokio::spawn(steps(d, demo, dir)).await;
    if outcome.is_err() {
        shot(&driver, failure_shot).await;
    }
    driver.quit().await.expect("the browser closes");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capitals_coordinators_and_decision_makers_in_chromium() {
    in_chromium("failure", |d, demo, dir| async move {
        journey(&d, &demo, &dir).await;
    })
    .await;
}

async fn journey(driver: &WebDriver, demo: &Demo, downloads: &Path) {
    let base = &demo.url;
    // A capital that has not answered: Cyprus in the demo.
    let (code, link, answered) = demo
        .links
        .iter()
        .find(|(_, _, answered)| !answered)
        .cloned()
        .expect("a capital that has not answered");
    assert!(!answered);

    // The coordinator notes what is offered for the first requirement line (R01).
    sign_in(driver, demo, "coordinator", &demo.coordinator).await;
    shot(driver, "01-campaigns").await;
    let before = offered(driver, demo, "R01").await;
    shot(driver, "02-coordinator-dashboard").await;
    let capability = driver
        .find(By::Css("tr[data-requirement='R01'] td"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    // 1. The capital opens its link and lands on its own proposal.
    driver.delete_all_cookies().await.unwrap();
    driver.goto(&link).await.unwrap();
    let url = driver.current_url().await.unwrap().to_string();
    assert!(
        url.ends_with(&format!("/campaigns/{CAMPAIGN}/proposals/{code}")),
        "the link lands on the proposal: {url}"
    );
    let text = body_text(driver).await;
    assert!(text.contains("Not started"), "{text}");
    assert!(text.contains("ILLUSTRATIVE DATA"), "{text}");
    shot(driver, "03-respondent-empty-proposal").await;

    // Orientation: who asks, what for, the deadline with the time left or past, whom to ask,
    // and the sections with how far the capital has got.
    for words in [
        "Who asks",
        "What for",
        "Questions to",
        "coordination@example.org",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    assert!(text.contains(" left)") || text.contains(" ago)"), "{text}");
    let sections = driver
        .find(By::Css("nav.section-list"))
        .await
        .expect("the section list")
        .text()
        .await
        .unwrap();
    assert!(sections.contains("0 lines"), "{sections}");
    // Where and how units serve is asked only of lines that deploy units: not of a funding
    // line or a guarantee.
    for (section, expected) in [("troops", true), ("funding", false), ("arrangement", false)] {
        let asked = !driver
            .find_all(By::Css(format!(
                "[data-offers='{section}'] fieldset[id$='-sectors']"
            )))
            .await
            .unwrap()
            .is_empty();
        assert_eq!(asked, expected, "sectors asked in {section}");
    }
    // Capitals an offer waits for are picked, not typed.
    assert!(
        driver
            .find_all(By::Css("input[type=text][name$='.if_commits']"))
            .await
            .unwrap()
            .is_empty()
    );
    // Save and submit stay in reach while the form scrolls.
    let position = driver
        .execute(
            "return getComputedStyle(document.getElementById('submit-bar')).position;",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(position.json().as_str(), Some("sticky"));
    // A change is saved as a draft automatically (the script does so each minute; the test
    // asks it now).
    driver
        .find(By::Css("textarea[name^='answer.']"))
        .await
        .unwrap()
        .send_keys("Saved without pressing a button.")
        .await
        .unwrap();
    driver
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.guarantorAutosave().then(() => done(true));",
            Vec::new(),
        )
        .await
        .expect("autosave runs");
    let status = driver
        .find(By::Id("autosave"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("Draft saved automatically"), "{status}");
    driver.refresh().await.unwrap();
    assert!(
        body_text(driver)
            .await
            .contains("Saved without pressing a button."),
        "the autosaved draft is what the page now shows"
    );

    // 2. It adds an offer line for R01's capability and saves a draft.
    let select = driver
        .find(By::XPath(format!(
            "//fieldset[legend='New line']//select[contains(@name,'.capability')][option[starts-with(normalize-space(.), '{capability}')]]"
        )))
        .await
        .expect("a new line whose capability picker offers R01's capability");
    let row = select.attr("name").await.unwrap().unwrap();
    let row = row.trim_end_matches(".capability").to_owned();
    select
        .find(By::XPath(format!(
            "./option[starts-with(normalize-space(.), '{capability}')]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    driver
        .find(By::Css(format!("input[name='{row}.quantity']")))
        .await
        .unwrap()
        .send_keys("1")
        .await
        .unwrap();
    driver
        .find(By::Css(format!(
            "select[name='{row}.earliest_phase'] option:nth-child(2)"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_and_wait(
        driver,
        driver
            .find(By::Css("button[name=action][value=save]"))
            .await
            .unwrap(),
    )
    .await;
    let text = body_text(driver).await;
    assert!(text.contains("Draft saved"), "{text}");
    assert!(text.contains(&format!("Line {code}-1")), "{text}");

    // The script adds a line; the keyboard reaches it.
    let lines_before = driver
        .find_all(By::Css("fieldset.offer"))
        .await
        .unwrap()
        .len();
    let add = driver.find(By::Css("button[data-add-line]")).await.unwrap();
    centred(driver, &add).await;
    add.click().await.unwrap();
    let lines_after = driver
        .find_all(By::Css("fieldset.offer"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        lines_after,
        lines_before + 1,
        "Add another line adds a line"
    );

    // 3. It submits.
    driver
        .find(By::Id("note"))
        .await
        .unwrap()
        .send_keys("first offer")
        .await
        .unwrap();
    review_and_submit(driver, "04a-respondent-review").await;
    let text = body_text(driver).await;
    assert!(text.contains("Proposal submitted"), "{text}");
    assert!(text.contains("Revision 1"), "{text}");
    shot(driver, "04-respondent-submitted").await;

    // 4. Another capital's page, even by editing the URL, does not exist for it.
    for path in [
        format!("/campaigns/{CAMPAIGN}/proposals/GBR"),
        format!("/campaigns/{CAMPAIGN}"),
        format!("/campaigns/{CAMPAIGN}/options"),
        format!("/campaigns/{CAMPAIGN}/proposals/GBR/template.xlsx"),
        "/campaigns".to_owned(),
    ] {
        driver.goto(format!("{base}{path}")).await.unwrap();
        let text = body_text(driver).await;
        assert!(
            text.contains("Not found") && !text.contains("United Kingdom"),
            "{path} must not be reachable by {code}: {text}"
        );
    }
    shot(driver, "05-respondent-other-capital-not-found").await;

    // 5. Excel: download, change the quantity, upload; a broken upload changes nothing.
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/proposals/{code}"))
        .await
        .unwrap();
    driver
        .find(By::Id("download-xlsx"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let workbook = downloaded(downloads, ".xlsx");
    let line_quantity =
        format!("//fieldset[legend='Line {code}-1']//input[contains(@name, '.quantity')]");
    let edited = downloads.join("edited.xlsx.upload");
    edit_offers_cell(&workbook, "C2", r#"<c r="C2"><v>3</v></c>"#, &edited);
    let text = upload(driver, &edited).await;
    assert!(text.contains("Spreadsheet read"), "{text}");
    let quantity = driver
        .find(By::XPath(&line_quantity))
        .await
        .unwrap()
        .value()
        .await
        .unwrap();
    assert_eq!(
        quantity.as_deref(),
        Some("3"),
        "the upload changed the quantity"
    );
    let broken = downloads.join("broken.xlsx.upload");
    edit_offers_cell(
        &workbook,
        "C2",
        r#"<c r="C2" t="inlineStr"><is><t>lots</t></is></c>"#,
        &broken,
    );
    let text = upload(driver, &broken).await;
    assert!(
        text.contains("Offers!C2"),
        "the broken cell is named: {text}"
    );
    assert!(text.contains("\"lots\""), "{text}");
    shot(driver, "06-respondent-broken-upload").await;
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/proposals/{code}"))
        .await
        .unwrap();
    let quantity = driver
        .find(By::XPath(&line_quantity))
        .await
        .unwrap()
        .value()
        .await
        .unwrap();
    assert_eq!(
        quantity.as_deref(),
        Some("3"),
        "the broken upload changed nothing"
    );
    review_and_submit(driver, "06a-respondent-review").await;
    let text = body_text(driver).await;
    assert!(text.contains("Revision 2"), "{text}");
    assert!(
        text.contains("units 1 → 3"),
        "the revision says what changed: {text}"
    );

    // A narrow screen.
    driver.set_window_rect(0, 0, 390, 844).await.unwrap();
    shot(driver, "07-respondent-narrow").await;
    driver.set_window_rect(0, 0, 1280, 900).await.unwrap();

    // 6. The coordinator sees the submission in the tracker and the coverage move.
    sign_in(driver, demo, "coordinator", &demo.coordinator).await;
    let after = offered(driver, demo, "R01").await;
    assert_eq!(
        after,
        before + 3,
        "R01's offered units rise by the 3 submitted"
    );
    let status = driver
        .find(By::Css(format!("tr[data-respondent='{code}'] .status")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains("Submitted (revision 2)"), "{status}");
    shot(driver, "08-coordinator-tracker-after").await;
    // "New link" kills the capital's link: it asks first, and answering no changes nothing.
    let new_link = driver
        .find(By::Css(format!(
            "tr[data-respondent='{code}'] form[data-confirm] button"
        )))
        .await
        .expect("the capital's New link button");
    centred(driver, &new_link).await;
    new_link.click().await.unwrap();
    let question = driver
        .get_alert_text()
        .await
        .expect("a confirmation is asked");
    assert!(question.contains("stops working"), "{question}");
    driver.dismiss_alert().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !body_text(driver).await.contains("Invitation link for"),
        "nothing was sent"
    );
    assert_eq!(
        driver.current_url().await.unwrap().path(),
        format!("/campaigns/{CAMPAIGN}")
    );
    for (tab, name) in [
        ("assessment", "09-assessment"),
        ("setup", "10-setup"),
        ("audit", "11-audit-log"),
    ] {
        driver
            .goto(format!("{base}/campaigns/{CAMPAIGN}/{tab}"))
            .await
            .unwrap();
        shot(driver, name).await;
    }
    let text = body_text(driver).await;
    assert!(
        text.contains("hash chain") && text.contains("intact"),
        "{text}"
    );

    // 7. The decision maker: options per scenario, the comparison, the brief as PDF.
    sign_in(driver, demo, "decision-maker", &demo.decision_maker).await;
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/options"))
        .await
        .unwrap();
    let scenarios = driver.find_all(By::Css(".picker a")).await.unwrap();
    assert!(scenarios.len() >= 2, "a scenario picker");
    shot(driver, "12-options").await;
    click_and_wait(driver, scenarios[1].clone()).await;
    let current = driver
        .find(By::Css(".picker a[aria-current=true]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!current.is_empty());
    assert!(body_text(driver).await.contains("Option 1"));
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/compare"))
        .await
        .unwrap();
    assert!(body_text(driver).await.contains("Scenarios compared"));
    shot(driver, "13-compare-scenarios").await;
    // The envoy's plan: hypothetical asks, a visit list, a posture to pick.
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/engagement"))
        .await
        .unwrap();
    let text = body_text(driver).await;
    for expected in [
        "Engagement plan",
        "HYPOTHETICAL",
        "Visit list",
        "Why this capital",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    shot(driver, "13b-engagement").await;
    let large = driver
        .find(By::XPath(
            "//nav[contains(@class,'picker')]//a[contains(., 'Posture: ')][last()]",
        ))
        .await
        .unwrap();
    click_and_wait(driver, large).await;
    assert!(
        body_text(driver)
            .await
            .contains("measured against the force posture"),
        "the posture's plan"
    );
    // An ask tried as a what-if: saved, and the options open under it, marked hypothetical.
    let try_it = driver
        .find(By::XPath(
            "//section[contains(@class,'try-asks')]//button[contains(., 'Try it')]",
        ))
        .await
        .unwrap();
    click_and_wait(driver, try_it).await;
    let text = body_text(driver).await;
    assert!(
        text.contains("WHAT-IF (HYPOTHETICAL)") && text.contains("The offers as they are"),
        "{text}"
    );
    shot(driver, "13c-what-if-options").await;
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/brief"))
        .await
        .unwrap();
    shot(driver, "14-brief").await;
    driver
        .find(By::XPath("//a[contains(., 'Download the brief (PDF)')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pdf = downloaded(downloads, ".pdf");
    let mut head = [0u8; 5];
    std::fs::File::open(&pdf)
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    assert_eq!(&head, b"%PDF-", "the brief downloads as a PDF");
    // Read-only: the proposal form is disabled and the setup page is not theirs.
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/proposals/{code}"))
        .await
        .unwrap();
    let disabled = driver
        .find(By::Css("#proposal-form fieldset.plain"))
        .await
        .unwrap()
        .attr("disabled")
        .await
        .unwrap();
    assert!(
        disabled.is_some(),
        "a decision maker cannot edit a proposal"
    );
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/setup"))
        .await
        .unwrap();
    assert!(body_text(driver).await.contains("Not allowed"));
    let _ = demo.link(&code);

    // 8. The plan: pledged against delivered over time, one requirement line at a time; the
    // decision maker adopts anew (asked first, a plan stands) and a capital confirms a pledge
    // of the new plan on its page.
    driver
        .goto(format!("{base}/campaigns/{CAMPAIGN}/plan"))
        .await
        .unwrap();
    let text = body_text(driver).await;
    for expected in [
        "Plan 1: option",
        "on each day something was recorded",
        "units pledged against delivered",
        "Every standing pledge still rests on its offer line as adopted.",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }
    let lines = driver
        .find_all(By::XPath(
            "//nav[contains(@class,'picker')]//a[contains(@href,'line=')]",
        ))
        .await
        .unwrap();
    let last = lines.last().expect("a picker of lines").clone();
    let line = last.text().await.unwrap();
    click_and_wait(driver, last).await;
    assert!(
        body_text(driver)
            .await
            .contains(&format!("{line}: pledged against delivered")),
        "the line picked is drawn"
    );
    shot(driver, "13d-plan").await;
    let adopt = driver
        .find(By::XPath(
            "//button[contains(., 'Adopt the recommended option under \"US backstop\"')]",
        ))
        .await
        .unwrap();
    centred(driver, &adopt).await;
    adopt.click().await.unwrap();
    let question = driver.get_alert_text().await.expect("adopting asks first");
    assert!(question.contains("supersede"), "{question}");
    driver.accept_alert().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    // The page is navigating after the confirmation: until it has a body, keep waiting.
    while !try_body_text(driver)
        .await
        .is_some_and(|t| t.contains("Plan 2: option"))
    {
        assert!(Instant::now() < deadline, "plan 2 was not adopted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver.delete_all_cookies().await.unwrap();
    driver.goto(demo.link("GBR")).await.unwrap();
    let confirm = driver
        .find(By::XPath(
            "//form[contains(@class,'pledge-step')][.//button[contains(., 'Confirm this pledge')]]",
        ))
        .await
        .expect("a pledge of plan 2 to confirm");
    let date = confirm.find(By::Css("input[type=date]")).await.unwrap();
    driver
        .execute(
            "arguments[0].value = '2026-03-01';",
            vec![date.to_json().expect("an element reference")],
        )
        .await
        .unwrap();
    let button = confirm.find(By::Tag("button")).await.unwrap();
    click_and_wait(driver, button).await;
    let text = body_text(driver).await;
    assert!(
        text.contains("Pledge updated") && text.contains("ready from 2026-03-01"),
        "{text}"
    );
    shot(driver, "13e-capital-confirms-a-pledge").await;
}

/// axe-core's violations on the page shown, one line each (impact, rule, where).
async fn axe_violations(driver: &WebDriver) -> Vec<String> {
    driver
        .execute(include_str!("support/axe/axe.min.js"), Vec::new())
        .await
        .expect("axe-core loads");
    let ret = driver
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ["violations"] })
                 .then(r => done(r.violations.map(v =>
                   `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)))
                 .catch(e => done([`axe failed: ${e}`]));"#,
            Vec::new(),
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(ret.json().clone()).expect("a list of violations")
}

/// Whether the page is wider than the window (it scrolls sideways).
async fn scrolls_sideways(driver: &WebDriver) -> bool {
    driver
        .execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            Vec::new(),
        )
        .await
        .expect("measured")
        .json()
        .as_bool()
        .expect("a boolean")
}

/// Every page a person reads, as each kind of user sees it, passes axe-core with no violation
/// of any impact at a laptop's and a phone's window size, and none scrolls sideways on the
/// phone. The list is checked against the server's page routes, so a new page cannot escape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_at_both_window_sizes() {
    in_chromium("axe-failure", |d, demo, _| async move {
        accessibility(&d, &demo).await;
    })
    .await;
}

async fn accessibility(driver: &WebDriver, demo: &Demo) {
    let base = &demo.url;
    let c = format!("/campaigns/{CAMPAIGN}");
    let answered = demo
        .links
        .iter()
        .find(|(_, _, a)| *a)
        .expect("a capital that answered")
        .clone();
    let unanswered = demo
        .links
        .iter()
        .find(|(_, _, a)| !*a)
        .expect("a capital that has not answered")
        .clone();
    // (who, path): who is "coordinator", "decision-maker", a capital's code, or "" for anyone.
    let mut visits: Vec<(String, String)> = vec![
        (String::new(), "/login".into()),
        (String::new(), "/no-such-page".into()),
    ];
    for page in [
        "/campaigns".to_owned(),
        c.clone(),
        format!("{c}/setup"),
        format!("{c}/audit"),
        "/access".into(),
        "/account".into(),
        format!("{c}/assessment"),
        format!("{c}/options"),
        format!("{c}/compare"),
        format!("{c}/engagement"),
        format!("{c}/plan"),
        format!("{c}/brief"),
        format!("{c}/brief.html"),
        format!("{c}/proposals/{}", answered.0),
    ] {
        visits.push(("coordinator".into(), page));
    }
    for page in [
        c.clone(),
        format!("{c}/options"),
        format!("{c}/engagement?scenario=un-mandate-capped&posture=large"),
        format!("{c}/options?what_if=spain-brigade"),
        format!("{c}/proposals/{}", answered.0),
    ] {
        visits.push(("decision-maker".into(), page));
    }
    visits.push((answered.0.clone(), format!("{c}/proposals/{}", answered.0)));
    visits.push((
        unanswered.0.clone(),
        format!("{c}/proposals/{}", unanswered.0),
    ));

    // Every HTML page the server has is visited (files, redirects and form posts aside).
    let visited: Vec<String> = visits
        .iter()
        .map(|(_, p)| {
            p.replace(&c, "/campaigns/{campaign}")
                .replace(
                    &format!("/proposals/{}", answered.0),
                    "/proposals/{respondent}",
                )
                .replace(
                    &format!("/proposals/{}", unanswered.0),
                    "/proposals/{respondent}",
                )
        })
        .collect();
    for route in guarantor_server::web::page_routes() {
        let file = [".xlsx", ".csv", ".pdf", ".css", ".js"]
            .iter()
            .any(|s| route.path.ends_with(s));
        if route.method != "GET" || file || route.path == "/" || route.path.contains("{token}") {
            continue;
        }
        assert!(
            visited.iter().any(|v| v == route.path),
            "the page {} is not checked for accessibility",
            route.path
        );
    }

    let mut failures = Vec::new();
    for (width, height, size) in [(1366, 900, "laptop"), (390, 844, "phone")] {
        driver
            .set_window_rect(0, 0, width, height)
            .await
            .expect("window resized");
        let mut signed_in = String::from("-");
        for (who, path) in &visits {
            if *who != signed_in {
                match who.as_str() {
                    "coordinator" => sign_in(driver, demo, "coordinator", &demo.coordinator).await,
                    "decision-maker" => {
                        sign_in(driver, demo, "decision-maker", &demo.decision_maker).await;
                    }
                    "" => driver.delete_all_cookies().await.expect("signed out"),
                    code => {
                        driver.delete_all_cookies().await.expect("signed out");
                        driver
                            .goto(demo.link(code))
                            .await
                            .expect("the capital's link");
                    }
                }
                signed_in.clone_from(who);
            }
            driver.goto(format!("{base}{path}")).await.expect("page");
            for v in axe_violations(driver).await {
                failures.push(format!("{size} {path} ({who}): {v}"));
            }
            if size == "phone" && scrolls_sideways(driver).await {
                failures.push(format!("{size} {path} ({who}): the page scrolls sideways"));
            }
            // For a person to look at: every page as each size shows it.
            let slug: String = format!("{who} {path}")
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' })
                .collect();
            shot(driver, &format!("pages-{size}-{}", slug.trim_matches('-'))).await;
        }
    }
    assert!(
        failures.is_empty(),
        "{} accessibility problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
