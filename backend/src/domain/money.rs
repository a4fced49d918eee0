//! Amounts of money as integer millionths of the currency unit ("micros"): exact to add
//! and compare, fine enough for per-image prices of a fraction of a cent.

use super::{ErrorCode, FieldError};

pub(crate) const MICROS_PER_UNIT: i64 = 1_000_000;

/// Formats `micros` as a decimal with at least two places: `1_500_000` → `"1.50"`,
/// `11_000` → `"0.011"`.
pub(crate) fn format_micros(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let units = abs / MICROS_PER_UNIT as u64;
    let fraction = format!("{:06}", abs % MICROS_PER_UNIT as u64);
    let trimmed = fraction.trim_end_matches('0');
    let fraction = if trimmed.len() < 2 {
        &fraction[..2]
    } else {
        trimmed
    };
    format!("{sign}{units}.{fraction}")
}

/// Reads a non-negative decimal amount such as `"250"`, `"99.5"` or `"0.011"`.
pub(crate) fn parse_amount(field: &'static str, text: &str) -> Result<i64, FieldError> {
    let invalid = || {
        FieldError::new(
            field,
            ErrorCode::Invalid,
            format!("{text:?} is not an amount; write it like 250 or 99.50."),
        )
    };
    let text = text.trim();
    let (units, fraction) = text.split_once('.').unwrap_or((text, ""));
    if units.is_empty() && fraction.is_empty()
        || !units.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return Err(invalid());
    }
    if fraction.len() > 6 {
        return Err(FieldError::new(
            field,
            ErrorCode::Invalid,
            "An amount has at most six decimal places.",
        ));
    }
    let units: i64 = if units.is_empty() {
        0
    } else {
        units.parse().map_err(|_| invalid())?
    };
    let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| invalid())?;
    units
        .checked_mul(MICROS_PER_UNIT)
        .and_then(|u| u.checked_add(fraction))
        .ok_or_else(|| FieldError::new(field, ErrorCode::OutOfRange, "This amount is too large."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_format_with_at_least_two_places() {
        assert_eq!(format_micros(1_500_000), "1.50");
        assert_eq!(format_micros(11_000), "0.011");
        assert_eq!(format_micros(0), "0.00");
        assert_eq!(format_micros(250 * MICROS_PER_UNIT), "250.00");
        assert_eq!(format_micros(-40_000), "-0.04");
    }

    #[test]
    fn amounts_parse_from_decimal_text() {
        assert_eq!(parse_amount("budget", "250").unwrap(), 250_000_000);
        assert_eq!(parse_amount("budget", "99.5").unwrap(), 99_500_000);
        assert_eq!(parse_amount("budget", " 0.011 ").unwrap(), 11_000);
        assert_eq!(parse_amount("budget", ".5").unwrap(), 500_000);
    }

    #[test]
    fn text_that_is_not_an_amount_is_rejected() {
        for text in ["", "-5", "1,5", "abc", "1.2.3", "1.0000001", "."] {
            assert!(parse_amount("budget", text).is_err(), "{text}");
        }
    }
}
