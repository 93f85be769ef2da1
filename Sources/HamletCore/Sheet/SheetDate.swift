/// Spreadsheet date serials: days counted from an epoch, as xlsx stores dates.
///
/// The 1900 system (the default) counts 1900-01-01 as 1 and, copying Lotus 1-2-3,
/// believes in a 1900-02-29 (serial 60): serials from 61 on are days since 1899-12-30.
/// The 1904 system (old Mac workbooks, `<workbookPr date1904="1"/>`) counts days since
/// 1904-01-01. Dates are proleptic Gregorian `YYYY-MM-DD` strings, as the register keeps them.
package enum SheetDate {
    /// The serial of a `YYYY-MM-DD` date in the 1900 system.
    /// - Parameter text: the date; anything else (or a date before 1900-03-01, which the
    ///   1900 system numbers wrongly) gives nil.
    /// - Returns: the serial, or nil.
    package static func serial(_ text: String) -> Int? {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D,
              let y = digits(u[0..<4]), let m = digits(u[5..<7]), let d = digits(u[8..<10]),
              (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
        let serial = daysFromCivil(y, m, d) - daysFromCivil(1899, 12, 30)
        return serial >= 61 ? serial : nil
    }

    /// The `YYYY-MM-DD` date of a serial; a fraction (the time of day) is dropped.
    /// - Parameters:
    ///   - serial: the cell's number.
    ///   - date1904: whether the workbook uses the 1904 system.
    /// - Returns: the date, or nil for a serial that is not a date (negative, or past 9999-12-31).
    package static func date(serial: Double, date1904: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let whole = Int(serial.rounded(.down))
        let days: Int
        if date1904 {
            days = daysFromCivil(1904, 1, 1) + whole
        } else if whole == 60 {
            return "1900-02-29"  // the day that never was, shown as the spreadsheet shows it
        } else {
            days = daysFromCivil(1899, 12, whole < 60 ? 31 : 30) + whole
        }
        let (y, m, d) = civil(fromDays: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// Days since 1970-01-01 of a Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The Gregorian date of a day count since 1970-01-01 (`civil_from_days`).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func digits(_ s: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for c in s {
            guard c >= 0x30, c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
