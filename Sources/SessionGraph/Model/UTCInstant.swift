/// A point in time, in microseconds since 1970-01-01T00:00:00Z.
///
/// Every time in SessionGraph is an instant in UTC; it is printed with its zone (`Z`). Instants
/// are compared as numbers, never as strings: the same moment is serialised half a dozen ways
/// across the sources.
public struct UTCInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(seconds: Int64) { self.microseconds = seconds * 1_000_000 }

    /// Earliest and latest instants the readers accept (a wider value is a broken record).
    public static let earliestAccepted = UTCInstant(civilYear: 1990, month: 1, day: 1)
    public static let latestAccepted = UTCInstant(civilYear: 2200, month: 1, day: 1)

    init(civilYear year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.microseconds = seconds * 1_000_000 + Int64(microsecond)
    }

    public static func < (lhs: UTCInstant, rhs: UTCInstant) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Seconds between two instants (positive when `other` is later).
    public func seconds(until other: UTCInstant) -> Double {
        Double(other.microseconds - microseconds) / 1_000_000
    }

    public func adding(seconds: Double) -> UTCInstant {
        UTCInstant(microseconds: microseconds + Int64(seconds * 1_000_000))
    }

    /// ISO 8601 in UTC with the zone shown: `2023-09-26T01:52:34Z`, `2021-04-28T14:08:45.221Z`.
    public var iso8601: String {
        var seconds = microseconds / 1_000_000
        var micros = microseconds % 1_000_000
        if micros < 0 {
            micros += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (y, m, d) = Self.civilFromDays(Int(days))
        let hh = Int(secondOfDay / 3600), mm = Int(secondOfDay / 60 % 60), ss = Int(secondOfDay % 60)
        if y >= 0 && y <= 9999 {
            // Written in place: the outputs format hundreds of thousands of times.
            return String(unsafeUninitializedCapacity: 27) { out in
                var at = 0
                func put(_ value: Int, _ width: Int) {
                    var divisor = 1
                    for _ in 1..<width { divisor *= 10 }
                    while divisor > 0 {
                        out[at] = UInt8(truncatingIfNeeded: 0x30 + value / divisor % 10)
                        at += 1
                        divisor /= 10
                    }
                }
                // A byte, not a `Character`: `asciiValue` looked at the character's scalars each time.
                func put(_ byte: UInt8) {
                    out[at] = byte
                    at += 1
                }
                put(y, 4); put(UInt8(ascii: "-")); put(m, 2); put(UInt8(ascii: "-")); put(d, 2); put(UInt8(ascii: "T"))
                put(hh, 2); put(UInt8(ascii: ":")); put(mm, 2); put(UInt8(ascii: ":")); put(ss, 2)
                if micros != 0 {
                    put(UInt8(ascii: "."))
                    if micros % 1000 == 0 { put(Int(micros / 1000), 3) } else { put(Int(micros), 6) }
                }
                put(UInt8(ascii: "Z"))
                return at
            }
        }
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2))"
        if micros != 0 {
            if micros % 1000 == 0 {
                text += ".\(pad(Int(micros / 1000), 3))"
            } else {
                text += ".\(pad(Int(micros), 6))"
            }
        }
        return text + "Z"
    }

    public var description: String { iso8601 }

    /// ISO 8601 to the second, for diagrams: `2023-09-26T01:52:34Z`.
    public var iso8601Seconds: String {
        UTCInstant(microseconds: microseconds - ((microseconds % 1_000_000) + 1_000_000) % 1_000_000).iso8601
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The (year, month, day) of a day count since 1970-01-01.
    public static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
