import Foundation
import SessionGraph

/// Instants are microseconds since 1970-01-01T00:00:00Z. Every format a source writes
/// (schemas.md §6) is produced from the integer directly.
typealias Micros = Int64

enum Time {
    static let second: Micros = 1_000_000
    static let minute: Micros = 60_000_000
    static let hour: Micros = 3_600_000_000
    static let day: Micros = 86_400_000_000

    /// Days since 1970-01-01 of a civil date (the library's calendar arithmetic).
    static func days(year: Int, month: Int, day: Int) -> Int {
        UTCInstant.daysFromCivil(year: year, month: month, day: day)
    }

    static func civil(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let (y, m, d) = UTCInstant.civilFromDays(z0)
        return (y, m, d)
    }

    /// Parses `YYYY-MM-DD` to the instant of its midnight UTC.
    static func parseDate(_ text: String) -> Micros? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, (1...12).contains(m), (1...31).contains(d) else { return nil }
        let days = days(year: y, month: m, day: d)
        guard civil(days: days) == (y, m, d) else { return nil }
        return Micros(days) * day
    }

    /// 0 = Monday ... 6 = Sunday.
    static func weekday(_ t: Micros) -> Int {
        let days = Int(floorDiv(t, day))
        return ((days % 7) + 7 + 3) % 7  // 1970-01-01 was a Thursday
    }

    static func floorDiv(_ a: Micros, _ b: Micros) -> Micros {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    struct Parts {
        var year, month, day, hour, minute, second, micro: Int
    }

    static func parts(_ t: Micros) -> Parts {
        let d = floorDiv(t, day)
        let rest = t - d * day
        let (y, m, dd) = civil(days: Int(d))
        let secs = Int(rest / second)
        return Parts(year: y, month: m, day: dd, hour: secs / 3600, minute: secs / 60 % 60, second: secs % 60, micro: Int(rest % second))
    }
}

enum TimeStyle {
    /// `2026-03-02T07:31:12.3456789Z` (Log Analytics, diagnostic envelope, MGAL).
    case iso7Z
    /// `2026-03-02T07:31:12.3456789+00:00` (diagnostic-settings `createdDateTime`).
    case iso7Offset
    /// `2026-03-02T07:31:12.345Z` (Defender `Timestamp`).
    case iso3Z
    /// `2026-03-02T07:31:12Z` (Graph API, CloudAppEvents `RawEventData.CreationTime`).
    case isoSecondsZ
    /// `2026-03-02T07:31:12` (unified audit `CreationTime`, `IssuedAtTime`).
    case isoSecondsNoZone
    /// `3/2/2026 7:31:12 AM` (Purview CSV `CreationDate`).
    case usDate
}

extension ByteBuffer {
    mutating func time(_ t: Micros, _ style: TimeStyle) {
        let p = Time.parts(t)
        if style == .usDate {
            uint(UInt64(p.month)); byte(0x2F)
            uint(UInt64(p.day)); byte(0x2F)
            padded(p.year, width: 4); byte(0x20)
            let h12 = p.hour % 12 == 0 ? 12 : p.hour % 12
            uint(UInt64(h12)); byte(0x3A)
            padded(p.minute, width: 2); byte(0x3A)
            padded(p.second, width: 2)
            raw(p.hour < 12 ? " AM" : " PM")
            return
        }
        padded(p.year, width: 4); byte(0x2D)
        padded(p.month, width: 2); byte(0x2D)
        padded(p.day, width: 2); byte(0x54)
        padded(p.hour, width: 2); byte(0x3A)
        padded(p.minute, width: 2); byte(0x3A)
        padded(p.second, width: 2)
        switch style {
        case .iso7Z:
            byte(0x2E); padded(p.micro * 10, width: 7); byte(0x5A)
        case .iso7Offset:
            byte(0x2E); padded(p.micro * 10, width: 7); raw("+00:00")
        case .iso3Z:
            byte(0x2E); padded(p.micro / 1000, width: 3); byte(0x5A)
        case .isoSecondsZ:
            byte(0x5A)
        case .isoSecondsNoZone, .usDate:
            break
        }
    }

    mutating func quotedTime(_ t: Micros, _ style: TimeStyle) {
        byte(0x22)
        time(t, style)
        byte(0x22)
    }
}
