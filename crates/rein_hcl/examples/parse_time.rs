//! Times the parse and the whole analysis of a file (development aid): `parse_time FILE [ROUNDS]`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]
fn main() {
    let mut args = std::env::args().skip(1);
    let text = std::fs::read_to_string(args.next().unwrap()).unwrap();
    let rounds: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(20);
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(rein_hcl::syntax_issues(rein_text::FileId(0), &text));
    }
    let parse = start.elapsed() / rounds;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(rein_hcl::analyze_file(rein_text::FileId(0), &text));
    }
    println!("{} bytes: parse {:?}, analyze {:?}", text.len(), parse, start.elapsed() / rounds);
}
