//! IAM action wildcards: `*` matches any run of characters (including none), `?` exactly one;
//! matching is ASCII case-insensitive, as IAM compares action names.

/// Whether the text contains `*` or `?`.
pub(crate) fn has_wildcard(text: &str) -> bool {
    text.bytes().any(|b| b == b'*' || b == b'?')
}

/// Whether an IAM action pattern (`s3:Get*`, `*:Describe*`, `iam:*Policy*`) matches a full
/// action name (`s3:GetObject`), ASCII case-insensitively.
pub fn action_pattern_matches(pattern: &str, full_name: &str) -> bool {
    matches_ci(pattern.trim().as_bytes(), full_name.as_bytes())
}

/// Byte-wise glob match with backtracking to the last `*` only, so it runs in
/// O(pattern × text) at worst and never recurses.
pub(crate) fn matches_ci(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p_idx, mut t_idx) = (0usize, 0usize);
    // Position after the last `*` seen, and the text position it is currently absorbing up to.
    let mut star: Option<(usize, usize)> = None;
    loop {
        match (pattern.get(p_idx), text.get(t_idx)) {
            (Some(b'*'), _) => {
                star = Some((p_idx + 1, t_idx));
                p_idx += 1;
                continue;
            }
            (Some(&p_byte), Some(&t_byte)) if p_byte == b'?' || p_byte.eq_ignore_ascii_case(&t_byte) => {
                p_idx += 1;
                t_idx += 1;
                continue;
            }
            (None, None) => return true,
            _ => {}
        }
        // Mismatch (or one side exhausted): let the last `*` absorb one more byte.
        match star {
            Some((after_star, absorbed)) if absorbed < text.len() => {
                star = Some((after_star, absorbed + 1));
                p_idx = after_star;
                t_idx = absorbed + 1;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_cases() {
        let cases = [
            ("*", "s3:GetObject", true),
            ("s3:Get*", "s3:GetObject", true),
            ("S3:GET*", "s3:GetObject", true),
            ("s3:Get*", "s3:PutObject", false),
            ("*:Describe*", "ec2:DescribeInstances", true),
            ("iam:*Policy*", "iam:PutRolePolicy", true),
            ("iam:*Policy*", "iam:PassRole", false),
            ("s3:Get?bject", "s3:GetObject", true),
            ("s3:Get?bject", "s3:GetObjects", false),
            ("s3:GetObject", "s3:GetObject", true),
            ("s3:GetObject", "s3:GetObjectAcl", false),
            ("s3:*Object", "s3:GetObject", true),
            ("s3:*Object", "s3:GetObjectAcl", false),
            ("**", "", true),
            ("?", "", false),
            ("", "", true),
            ("", "a", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(matches_ci(pattern.as_bytes(), text.as_bytes()), expected, "{pattern} vs {text}");
        }
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let pattern = "*a".repeat(200) + "b";
        let text = "a".repeat(5000);
        assert!(!matches_ci(pattern.as_bytes(), text.as_bytes()));
    }
}
