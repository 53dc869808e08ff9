//! The JUnit reports of the golden scenarios are well-formed XML: quick-xml reads each back to
//! the end with matching end tags, and finds a test case in it.

use std::fs;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

#[test]
fn golden_junit_reports_are_well_formed() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../cli"));
    let mut n_checked = 0;
    let mut scenarios: Vec<_> = fs::read_dir(root).unwrap().flatten().map(|entry| entry.path()).collect();
    scenarios.sort();
    for scenario in scenarios {
        let args = fs::read_to_string(scenario.join("args")).unwrap_or_default();
        let mut reports = Vec::new();
        if args.lines().collect::<Vec<_>>().windows(2).any(|pair| pair == ["--format", "junit"])
            && !args.contains("--output")
        {
            reports.push(scenario.join("expected.txt"));
        }
        if let Ok(entries) = fs::read_dir(scenario.join("expected_files")) {
            reports.extend(
                entries.flatten().map(|entry| entry.path()).filter(|path| path.extension() == Some("xml".as_ref())),
            );
        }
        for path in reports {
            let xml = fs::read_to_string(&path).unwrap();
            let mut reader = Reader::from_str(&xml);
            reader.config_mut().check_end_names = true;
            let mut n_cases = 0;
            let mut depth = 0usize;
            loop {
                match reader.read_event() {
                    Ok(Event::Start(tag)) => {
                        depth += 1;
                        n_cases += usize::from(tag.name().into_inner() == "testcase");
                    }
                    Ok(Event::Empty(tag)) => n_cases += usize::from(tag.name().into_inner() == "testcase"),
                    Ok(Event::End(_)) => depth -= 1,
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(err) => panic!("{} is not well-formed: {err}", path.display()),
                }
            }
            assert_eq!(depth, 0, "{}: unclosed elements", path.display());
            assert!(n_cases > 0, "{}: no test case", path.display());
            n_checked += 1;
        }
    }
    assert!(n_checked >= 2, "only {n_checked} golden JUnit reports");
}
