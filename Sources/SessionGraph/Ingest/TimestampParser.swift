/// A timestamp read from a log field.
struct ParsedTimestamp: Equatable {
    var instant: UTCInstant
    /// Whether the text named its zone (`Z`, `+02:00`). When it did not, the value was read as
    /// UTC because every Microsoft source documents its times as UTC; the event says so.
    var zoneStated: Bool
}

/// Parses every timestamp format the sources are known to write (schemas.md §6):
/// ISO 8601 with 0–9 fraction digits and `Z`, `±hh:mm`, `±hhmm` or no zone (`T` or a space
/// between date and time); US `M/d/yyyy[,] h:mm[:ss[.fff]] [AM|PM] [±hh:mm]`; epoch seconds.
enum TimestampParser {
    /// Parses `text`, or returns why it cannot.
    static func parse(_ text: String) -> Result<ParsedTimestamp, TimestampError> {
        text.withUTF8Bytes(parse)
    }

    /// Parses the UTF-8 bytes of a timestamp (a record's value as it is in the file).
    static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Result<ParsedTimestamp, TimestampError> {
        var start = 0, end = text.count
        while end > start, text[end - 1] == 0x20 || text[end - 1] == 0x09 || text[end - 1] == 0x0D || text[end - 1] == 0x0A { end -= 1 }
        while start < end, text[start] == 0x20 || text[start] == 0x09 { start += 1 }
        let bytes = UnsafeBufferPointer(rebasing: text[start..<end])
        // The start of the text, for a refusal.
        func quoted() -> String { String(String(decoding: text, as: UTF8.self).prefix(40)) }
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= 64 else { return .failure(.unrecognised(quoted())) }
        var scanner = ByteScanner(bytes: bytes)
        let result: ParsedTimestamp?
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-") {
            result = parseISO(&scanner)
        } else if bytes.contains(UInt8(ascii: "/")) {
            result = parseUS(&scanner)
        } else if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(String(decoding: bytes, as: UTF8.self)) {
            return epoch(value)
        } else {
            result = nil
        }
        guard let parsed = result, scanner.atEnd else { return .failure(.unrecognised(quoted())) }
        guard parsed.instant >= UTCInstant.earliestAccepted, parsed.instant < UTCInstant.latestAccepted else {
            return .failure(.outOfRange(quoted()))
        }
        return .success(parsed)
    }

    /// Reads epoch seconds (10 digits); 13-digit millisecond values are recognised and refused
    /// explicitly so that a field of the wrong unit is reported, not misread by a factor of 1000.
    static func epoch(_ value: Int64) -> Result<ParsedTimestamp, TimestampError> {
        // Checked before converting: microseconds of a 16-digit value overflow (found by fuzzing).
        if value >= 100_000_000_000 && value < 100_000_000_000_000 { return .failure(.milliseconds(String(value))) }
        guard value >= 0, value < 100_000_000_000 else { return .failure(.outOfRange(String(value))) }
        let instant = UTCInstant(seconds: value)
        guard instant >= UTCInstant.earliestAccepted, instant < UTCInstant.latestAccepted else {
            return .failure(.outOfRange(String(value)))
        }
        return .success(ParsedTimestamp(instant: instant, zoneStated: true))
    }

    private static func parseISO(_ s: inout ByteScanner) -> ParsedTimestamp? {
        guard let year = s.digits(exactly: 4), s.take(UInt8(ascii: "-")),
              let month = s.digits(exactly: 2), s.take(UInt8(ascii: "-")),
              let day = s.digits(exactly: 2)
        else { return nil }
        var hour = 0, minute = 0, second = 0, micro = 0
        if s.take(UInt8(ascii: "T")) || s.take(UInt8(ascii: "t")) || s.take(UInt8(ascii: " ")) {
            guard let h = s.digits(exactly: 2), s.take(UInt8(ascii: ":")), let m = s.digits(exactly: 2) else { return nil }
            hour = h
            minute = m
            if s.take(UInt8(ascii: ":")) {
                guard let sec = s.digits(exactly: 2) else { return nil }
                second = sec
                if s.take(UInt8(ascii: ".")) || s.take(UInt8(ascii: ",")) {
                    guard let fraction = s.fractionMicroseconds() else { return nil }
                    micro = fraction
                }
            }
        }
        s.skipSpaces()
        let offset = s.zoneOffsetSeconds()
        guard let instant = makeInstant(year, month, day, hour, minute, second, micro, offset: offset ?? 0) else { return nil }
        return ParsedTimestamp(instant: instant, zoneStated: offset != nil)
    }

    private static func parseUS(_ s: inout ByteScanner) -> ParsedTimestamp? {
        guard let month = s.digits(min: 1, max: 2), s.take(UInt8(ascii: "/")),
              let day = s.digits(min: 1, max: 2), s.take(UInt8(ascii: "/")),
              let year = s.digits(exactly: 4)
        else { return nil }
        _ = s.take(UInt8(ascii: ","))
        var hour = 0, minute = 0, second = 0, micro = 0
        if s.skipSpaces() > 0, let h = s.digits(min: 1, max: 2) {
            guard s.take(UInt8(ascii: ":")), let m = s.digits(exactly: 2) else { return nil }
            hour = h
            minute = m
            if s.take(UInt8(ascii: ":")) {
                guard let sec = s.digits(exactly: 2) else { return nil }
                second = sec
                if s.take(UInt8(ascii: ".")) {
                    guard let fraction = s.fractionMicroseconds() else { return nil }
                    micro = fraction
                }
            }
            s.skipSpaces()
            if let meridiem = s.meridiem() {
                guard (1...12).contains(hour) else { return nil }
                hour = hour % 12 + (meridiem == .pm ? 12 : 0)
            }
        }
        s.skipSpaces()
        let offset = s.zoneOffsetSeconds()
        guard let instant = makeInstant(year, month, day, hour, minute, second, micro, offset: offset ?? 0) else { return nil }
        return ParsedTimestamp(instant: instant, zoneStated: offset != nil)
    }

    private static func makeInstant(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ micro: Int, offset: Int) -> UTCInstant? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else {
            return nil
        }
        let daysInMonth = [31, (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= daysInMonth[month - 1] else { return nil }
        let local = UTCInstant(civilYear: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: micro)
        return UTCInstant(microseconds: local.microseconds - Int64(offset) * 1_000_000)
    }
}

/// Why a timestamp could not be read.
enum TimestampError: Error, Equatable, CustomStringConvertible {
    case empty
    case unrecognised(String)
    case outOfRange(String)
    case milliseconds(String)

    var description: String {
        switch self {
        case .empty: return "empty timestamp"
        case .unrecognised(let text): return "unrecognised timestamp '\(text)' (expected ISO 8601, M/d/yyyy h:mm:ss AM, or epoch seconds)"
        case .outOfRange(let text): return "timestamp '\(text)' is outside 1990–2199 (expected a plausible log time)"
        case .milliseconds(let text): return "timestamp '\(text)' looks like epoch milliseconds (expected epoch seconds)"
        }
    }
}

/// A tiny cursor over ASCII bytes for the timestamp grammar.
private struct ByteScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    /// True only when every byte was consumed; a malformed zone moves past the end to fail.
    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    @discardableResult
    mutating func skipSpaces() -> Int {
        let start = index
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
        return index - start
    }

    mutating func digits(exactly count: Int) -> Int? { digits(min: count, max: count) }

    mutating func digits(min: Int, max: Int) -> Int? {
        var value = 0
        var n = 0
        while n < max, index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            value = value * 10 + Int(bytes[index] - 0x30)
            index += 1
            n += 1
        }
        return n >= min ? value : nil
    }

    /// Up to 9 fraction digits, returned as microseconds (truncated).
    mutating func fractionMicroseconds() -> Int? {
        var micro = 0
        var n = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            if n < 6 { micro = micro * 10 + Int(bytes[index] - 0x30) }
            n += 1
            index += 1
        }
        guard (1...9).contains(n) else { return nil }
        var scaled = n
        while scaled < 6 {
            micro *= 10
            scaled += 1
        }
        return micro
    }

    enum Meridiem { case am, pm }

    mutating func meridiem() -> Meridiem? {
        guard index + 1 < bytes.count else { return nil }
        let a = bytes[index] | 0x20, m = bytes[index + 1] | 0x20
        guard m == UInt8(ascii: "m"), a == UInt8(ascii: "a") || a == UInt8(ascii: "p") else { return nil }
        index += 2
        return a == UInt8(ascii: "a") ? .am : .pm
    }

    /// `Z`, `UTC`, `±hh:mm`, `±hhmm` or `±hh`: the offset east of UTC, or nil when none is written.
    mutating func zoneOffsetSeconds() -> Int? {
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            index += 1
            return 0
        }
        if bytes.count - index == 3, bytes[index...].elementsEqual("UTC".utf8) {
            index += 3
            return 0
        }
        let sign: Int
        if bytes[index] == UInt8(ascii: "+") { sign = 1 } else if bytes[index] == UInt8(ascii: "-") { sign = -1 } else { return nil }
        index += 1
        guard let hours = digits(exactly: 2), hours <= 14 else { index = bytes.count + 1; return nil }
        var minutes = 0
        if take(UInt8(ascii: ":")) {
            guard let m = digits(exactly: 2) else { index = bytes.count + 1; return nil }
            minutes = m
        } else if let m = digits(exactly: 2) {
            minutes = m
        }
        guard minutes <= 59 else { index = bytes.count + 1; return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
