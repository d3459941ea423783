import Foundation
import Testing
@testable import SessionGraph
@testable import SessionGraphSimulator

// Unit tests of the ingest building blocks: TimestampParser, IdentifierNormalizer, JSONParser,
// JSONValue accessors and CSVReader. Expected instants were computed by hand and checked with
// python3 `datetime`; expected GUIDs with `uuid.UUID(bytes_le=…)`.

// MARK: - TimestampParser

@Suite("TimestampParser")
struct TimestampParserTests {
    /// Parses `text` and returns (ISO in UTC, zone stated), or records why not.
    private func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> (String, Bool)? {
        switch TimestampParser.parse(text) {
        case .success(let parsed): return (parsed.instant.iso8601, parsed.zoneStated)
        case .failure(let error):
            Issue.record("'\(text)' was refused: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test("ISO 8601 with 0 to 9 fraction digits (kept to the microsecond, truncated)", arguments: [
        ("2024-01-15T10:00:00Z", "2024-01-15T10:00:00Z"),
        ("2024-01-15T10:00:00.1Z", "2024-01-15T10:00:00.100Z"),
        ("2024-01-15T10:00:00.12Z", "2024-01-15T10:00:00.120Z"),
        ("2024-01-15T10:00:00.123Z", "2024-01-15T10:00:00.123Z"),
        ("2024-01-15T10:00:00.1234Z", "2024-01-15T10:00:00.123400Z"),
        ("2024-01-15T10:00:00.12345Z", "2024-01-15T10:00:00.123450Z"),
        ("2024-01-15T10:00:00.123456Z", "2024-01-15T10:00:00.123456Z"),
        ("2024-01-15T10:00:00.1234567Z", "2024-01-15T10:00:00.123456Z"),
        ("2024-01-15T10:00:00.12345678Z", "2024-01-15T10:00:00.123456Z"),
        ("2024-01-15T10:00:00.123456789Z", "2024-01-15T10:00:00.123456Z"),
        ("2024-01-15T10:00:00.000Z", "2024-01-15T10:00:00Z"),
        ("2026-07-16T01:04:37.0000000Z", "2026-07-16T01:04:37Z"),
    ])
    func isoFractions(_ input: String, _ expected: String) {
        #expect(parse(input)?.0 == expected)
        #expect(parse(input)?.1 == true)
    }

    @Test("zones: Z, +02:00, -05:00, +0000, -0500, +02, space before the zone, no zone", arguments: [
        ("2024-01-15T10:00:00Z", "2024-01-15T10:00:00Z", true),
        ("2024-01-15T10:00:00z", "2024-01-15T10:00:00Z", true),
        ("2024-01-15T10:00:00+02:00", "2024-01-15T08:00:00Z", true),
        ("2024-01-15T10:00:00-05:00", "2024-01-15T15:00:00Z", true),
        ("2024-01-15T10:00:00+0000", "2024-01-15T10:00:00Z", true),
        ("2024-01-15T10:00:00-0500", "2024-01-15T15:00:00Z", true),
        ("2024-01-15T10:00:00+02", "2024-01-15T08:00:00Z", true),
        ("2024-01-15T00:30:00+05:30", "2024-01-14T19:00:00Z", true),
        ("2022-01-24T05:10:08.6816663+00:00", "2022-01-24T05:10:08.681666Z", true),
        ("2024-01-15 10:00:00Z", "2024-01-15T10:00:00Z", true),
        ("2024-01-15T10:00:00", "2024-01-15T10:00:00Z", false),
        ("2023-09-26T01:56:15", "2023-09-26T01:56:15Z", false),
        ("2024-01-15T10:00", "2024-01-15T10:00:00Z", false),
        ("2024-01-15", "2024-01-15T00:00:00Z", false),
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z", true),
        ("  2024-01-15T10:00:00Z\r\n", "2024-01-15T10:00:00Z", true),
    ])
    func isoZones(_ input: String, _ expected: String, _ zoneStated: Bool) {
        let parsed = parse(input)
        #expect(parsed?.0 == expected)
        #expect(parsed?.1 == zoneStated)
    }

    @Test("US formats, with and without comma, AM/PM and 24-hour", arguments: [
        ("4/28/2021, 2:08:45.221 PM", "2021-04-28T14:08:45.221Z", false),
        ("9/20/2023 4:05:03 AM", "2023-09-20T04:05:03Z", false),
        ("11/14/2025 1:48:53 AM", "2025-11-14T01:48:53Z", false),
        ("12/31/2023 11:59:59 PM", "2023-12-31T23:59:59Z", false),
        ("01/09/2007 09:41:00", "2007-01-09T09:41:00Z", false),
        ("1/9/2007 21:41:00", "2007-01-09T21:41:00Z", false),
        ("1/9/2007 10:41:00 AM +01:00", "2007-01-09T09:41:00Z", true),
        ("1/9/2007 9:41 pm", "2007-01-09T21:41:00Z", false),
        ("4/26/2021, 7:17:10.000 AM", "2021-04-26T07:17:10Z", false),
        ("4/28/2021", "2021-04-28T00:00:00Z", false),
    ])
    func usFormats(_ input: String, _ expected: String, _ zoneStated: Bool) {
        let parsed = parse(input)
        #expect(parsed?.0 == expected)
        #expect(parsed?.1 == zoneStated)
    }

    @Test("12 AM is midnight and 12 PM is noon", arguments: [
        ("1/1/2024 12:00:00 AM", "2024-01-01T00:00:00Z"),
        ("1/1/2024 12:59:59 AM", "2024-01-01T00:59:59Z"),
        ("1/1/2024 12:00:00 PM", "2024-01-01T12:00:00Z"),
        ("1/1/2024 12:30:00 PM", "2024-01-01T12:30:00Z"),
        ("1/1/2024 1:00:00 AM", "2024-01-01T01:00:00Z"),
        ("1/1/2024 11:59:59 PM", "2024-01-01T23:59:59Z"),
        ("2/29/2024, 12:00:01.5 AM", "2024-02-29T00:00:01.500Z"),
    ])
    func meridiemEdges(_ input: String, _ expected: String) {
        #expect(parse(input)?.0 == expected)
    }

    @Test("an hour outside 1–12 with AM/PM is refused", arguments: ["1/1/2024 0:30:00 AM", "1/1/2024 13:00:00 PM", "1/1/2024 00:00:00 PM"])
    func meridiemOutOfRange(_ input: String) {
        #expect(throws: TimestampError.self) { try TimestampParser.parse(input).get() }
    }

    @Test("epoch seconds (10 digits, as C_Iat writes them)")
    func epochSeconds() throws {
        let parsed = try TimestampParser.parse("1759394725").get()
        #expect(parsed.instant.iso8601 == "2025-10-02T08:45:25Z")
        #expect(parsed.zoneStated)
        #expect(try TimestampParser.parse("999999999").get().instant.iso8601 == "2001-09-09T01:46:39Z")
        #expect(try TimestampParser.epoch(1_709_287_200).get().instant == UTCInstant(seconds: 1_709_287_200))
    }

    @Test("out-of-range values are refused: year 0, year 99999, epoch milliseconds, before 1990, after 2199", arguments: [
        "0000-01-01T00:00:00Z",
        "99999-01-01T00:00:00Z",
        "1/1/99999 10:00:00 AM",
        "1759394725000",
        "0",
        "1989-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ])
    func outOfRange(_ input: String) {
        #expect(throws: TimestampError.self) { try TimestampParser.parse(input).get() }
    }

    @Test("epoch milliseconds are refused and named as milliseconds, not misread")
    func epochMillisecondsNamed() {
        #expect(TimestampParser.parse("1759394725000") == .failure(.milliseconds("1759394725000")))
        #expect(TimestampParser.parse("0000-01-01T00:00:00Z") == .failure(.outOfRange("0000-01-01T00:00:00Z")))
        #expect(TimestampParser.parse("") == .failure(.empty))
        #expect(TimestampParser.parse("   ") == .failure(.empty))
    }

    @Test("garbage is refused", arguments: [
        "yesterday", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-15T25:00:00Z",
        "2024-01-15T10:61:00Z", "2024-01-15T10:00:00+15:00", "2024-01-15T10:00:00Zjunk", "2024-01-15T10:00:00.Z",
        "2024-1-15T10:00:00Z", "2024-01-15T10:00:00.1234567890Z", "13/1/2024 10:00:00 AM", "1/32/2024 10:00:00 AM",
        "1/2/3", "--", "-1", "NaN", "2024-01-15T10:00:00+02:0", "4/28/2021, 2:08:45.221 XM",
        String(repeating: "2024-01-15T10:00:00Z", count: 5), "2100-02-29T00:00:00Z", "1/1/2024 24:00:00",
        "2024-01-15T10:00:00+2:00",
    ])
    func garbage(_ input: String) {
        #expect(throws: TimestampError.self) { try TimestampParser.parse(input).get() }
    }

    @Test("a zone offset whose minutes are 60 or more is refused, not added", arguments: [
        "2024-01-15T10:00:00+02:99", "2024-01-15T10:00:00-0175", "1/9/2007 10:41:00 AM +01:60",
    ])
    func zoneMinutesOutOfRange(_ input: String) {
        do {
            #expect(throws: TimestampError.self) { try TimestampParser.parse(input).get() }
        }
    }

    @Test("leap days")
    func leapDays() {
        #expect(parse("2000-02-29T00:00:00Z")?.0 == "2000-02-29T00:00:00Z")
        #expect(parse("2/29/2024 1:00:00 PM")?.0 == "2024-02-29T13:00:00Z")
    }
}

// MARK: - UTCInstant

@Suite("UTCInstant")
struct UTCInstantTests {
    @Test func iso8601Rendering() {
        #expect(UTCInstant(seconds: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(UTCInstant(microseconds: -1).iso8601 == "1969-12-31T23:59:59.999999Z")
        #expect(UTCInstant(microseconds: 1_619_618_925_221_000).iso8601 == "2021-04-28T14:08:45.221Z")
        #expect(UTCInstant(microseconds: 1_784_167_245_015_970).iso8601 == "2026-07-16T02:00:45.015970Z")
        #expect(UTCInstant(civilYear: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59).iso8601 == "2024-02-29T23:59:59Z")
        #expect(UTCInstant(seconds: 10).seconds(until: UTCInstant(seconds: 70)) == 60)
        #expect(UTCInstant(seconds: 10).adding(seconds: 1.5) == UTCInstant(microseconds: 11_500_000))
        #expect(UTCInstant(civilYear: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59).iso8601 == "9999-12-31T23:59:59Z")
        #expect(UTCInstant(civilYear: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0).iso8601 == "0001-01-01T00:00:00Z")
    }

    /// The text agrees with Foundation's Gregorian UTC calendar on instants spread over four
    /// centuries, with every fraction form (none, milliseconds, microseconds).
    @Test func iso8601AgreesWithTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for step in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Int64(state >> 33) % 12_622_780_800 - 6_311_390_400  // 1770 to 2170
            let micros: Int64 = [0, 123_000, 654_321][step % 3]
            let instant = UTCInstant(microseconds: seconds * 1_000_000 + micros)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let fraction = micros == 0 ? "" : micros % 1000 == 0 ? "." + String(format: "%03d", micros / 1000) : "." + String(format: "%06d", micros)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!) + fraction + "Z"
            #expect(instant.iso8601 == expected)
        }
    }
}

// MARK: - IdentifierNormalizer

@Suite("IdentifierNormalizer")
struct IdentifierNormalizerTests {
    @Test("session ids are lower-cased GUIDs; braces and surrounding blanks removed")
    func sessionIdCaseFolding() {
        #expect(IdentifierNormalizer.sessionId("9DFDECB6-59A0-4714-846E-86C0FC911104") == .success("9dfdecb6-59a0-4714-846e-86c0fc911104"))
        #expect(IdentifierNormalizer.sessionId("9dfdecb6-59a0-4714-846e-86c0fc911104") == .success("9dfdecb6-59a0-4714-846e-86c0fc911104"))
        #expect(IdentifierNormalizer.sessionId("{004CA149-C18F-A151-12CF-EBB662153620}") == .success("004ca149-c18f-a151-12cf-ebb662153620"))
        #expect(IdentifierNormalizer.sessionId("  00406c49-6e50-4d97-3a65-780c9c0d8642 \t") == .success("00406c49-6e50-4d97-3a65-780c9c0d8642"))
    }

    @Test("session ids that must not join are refused", arguments: [
        "", "   ", "11111111-1111-1111-1111-111111111111", "00000000-0000-0000-0000-000000000000",
        "ANONYMIZED", "session-1", "xyz000", "1584fd84-0508-419e-b678-ac60c80000000000",
        "9dfdecb6-59a0-4714-846e-86c0fc91110g", "9dfdecb6_59a0_4714_846e_86c0fc911104", "xxxx-xxx-xxx-xxx",
    ])
    func sessionIdRefusals(_ raw: String) {
        guard case .failure(let refusal) = IdentifierNormalizer.sessionId(raw) else {
            Issue.record("'\(raw)' was accepted as a session id")
            return
        }
        #expect(!refusal.reason.isEmpty)
    }

    @Test("a 10 KB session id is refused with a short reason")
    func sessionIdHuge() {
        let huge = String(repeating: "9dfdecb6-", count: 1200)
        guard case .failure(let refusal) = IdentifierNormalizer.sessionId(huge) else {
            Issue.record("10 KB value accepted")
            return
        }
        #expect(refusal.reason.utf8.count < 200)
    }

    @Test("placeholder session ids are refused as placeholders")
    func sessionIdPlaceholderReason() {
        guard case .failure(let refusal) = IdentifierNormalizer.sessionId("22222222-2222-2222-2222-222222222222") else {
            Issue.record("placeholder accepted")
            return
        }
        #expect(refusal.reason.contains("placeholder"))
    }

    @Test("UTI, 22-char form: kept exactly, decoded as a little-endian .NET GUID", arguments: [
        ("3kVZRE8tFkinHtPA7_EFAA", "445945de-2d4f-4816-a71e-d3c0eff10500"),
        ("ByVTDAGxkECy8U12ji81AA", "0c532507-b101-4090-b2f1-4d768e2f3500"),
        ("OPD3UZnmTkud24wRw6ATAA", "51f7f038-e699-4b4e-9ddb-8c11c3a01300"),
        ("A5h-bR2DOUSK9vDxXsQ6AA", "6d7e9803-831d-4439-8af6-f0f15ec43a00"),
        ("mYyWp_-UrEa4Z_pZM7FlAA", "a7968c99-94ff-46ac-b867-fa5933b16500"),
    ])
    func utiShortForm(_ uti: String, _ requestId: String) {
        #expect(IdentifierNormalizer.uniqueTokenId(uti) == .success(uti))
        #expect(IdentifierNormalizer.requestId(fromTokenId: uti) == requestId)
    }

    @Test("UTI, 48-char form: base64 of the ASCII request id", arguments: [
        ("MDg4YjQ0MDktOWU2My00MjVkLWI3NzctMmM4YzZjMzgwYjAw", "088b4409-9e63-425d-b777-2c8c6c380b00"),
        ("OTMzZjIwYzAtZWZkZi00NzdmLTk1ODYtZTVjYzU2NmQyZTAw", "933f20c0-efdf-477f-9586-e5cc566d2e00"),
        ("ZTE0OTk3YTQtZjg5Mi00YjBiLWIwNTEtZmViZTA1YzJhNDli", "e14997a4-f892-4b0b-b051-febe05c2a49b"),
    ])
    func utiLongForm(_ uti: String, _ requestId: String) {
        #expect(IdentifierNormalizer.uniqueTokenId(uti) == .success(uti))
        #expect(IdentifierNormalizer.requestId(fromTokenId: uti) == requestId)
    }

    @Test("UTI padding is stripped and case is kept")
    func utiPaddingAndCase() {
        #expect(IdentifierNormalizer.uniqueTokenId("3kVZRE8tFkinHtPA7_EFAA==") == .success("3kVZRE8tFkinHtPA7_EFAA"))
        #expect(IdentifierNormalizer.uniqueTokenId(" 3kVZRE8tFkinHtPA7_EFAA ") == .success("3kVZRE8tFkinHtPA7_EFAA"))
        // Case-sensitive: a different case is a different token, and decodes differently.
        #expect(IdentifierNormalizer.uniqueTokenId("3KVZRE8TFKINHTPA7_EFAA") == .success("3KVZRE8TFKINHTPA7_EFAA"))
        #expect(IdentifierNormalizer.requestId(fromTokenId: "3KVZRE8TFKINHTPA7_EFAA") != "445945de-2d4f-4816-a71e-d3c0eff10500")
    }

    @Test("invalid and placeholder UTIs are refused", arguments: [
        "", "==", "mmmmmmmmmmmmmmmmm", "0000000000000000000000", "AAAAAAAAAAAAAAAAAAAAAA",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "5555555555555555555555", "abc def", "3kVZ!E8tFkinHtPA7_EFAA",
        String(repeating: "Ab", count: 100),
    ])
    func utiRefusals(_ raw: String) {
        guard case .failure = IdentifierNormalizer.uniqueTokenId(raw) else {
            Issue.record("'\(raw)' was accepted as a token id")
            return
        }
    }

    @Test("UTIs that do not decode to a request id", arguments: [
        "sign-in_ActivityId", "tOkEnIdEnTiFiEr123", "activityId", "mmmmmmmmmmmmmmmmm",
        "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4",  // base64 of 36 'x': ASCII, not a GUID
        "3kVZRE8tFkinHtPA7_EF",  // 15 bytes
        "!!!",
    ])
    func utiNotDecodable(_ raw: String) {
        #expect(IdentifierNormalizer.requestId(fromTokenId: raw) == nil)
    }

    @Test("IP addresses: ports, brackets, zones, IPv4-mapped IPv6, canonical form", arguments: [
        ("185.73.124.135", "185.73.124.135"),
        ("185.73.124.135:19823", "185.73.124.135"),
        ("1.2.3.4:63070", "1.2.3.4"),
        ("[2a01:110:8068:7:9bf8:aa87:e00a:5f1f]:36185", "2a01:110:8068:7:9bf8:aa87:e00a:5f1f"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "2001:db8:85a3::8a2e:370:7334"),
        ("FE80::", "fe80::"),
        ("fe80::1%eth0", "fe80::1"),
        ("fe80:0011:2233:4455:6677:8899:AABB:CCDD", "fe80:11:2233:4455:6677:8899:aabb:ccdd"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:c000:0201", "192.0.2.1"),
        ("[::ffff:203.0.113.10]:443", "203.0.113.10"),
        (" 81.2.69.142 ", "81.2.69.142"),
    ])
    func ipAddresses(_ raw: String, _ expected: String) {
        #expect(IdentifierNormalizer.ipAddress(raw) == .success(expected))
    }

    @Test("IPv6 already in canonical form is kept without the full normalisation; any other spelling is not", arguments: [
        ("2001:db8::1", true), ("2600:4040:a1b2:a39b:9065:3773:61d3:ff31", true), ("::1", true), ("::", true), ("fe80::", true),
        ("2001:db8:0:0:1:0:0:1", false), ("2001:DB8::1", false), ("2001:0db8::1", false), ("2001:db8:0::1", false),
        ("::ffff:192.0.2.1", false), ("fe80::1%eth0", false), ("[2001:db8::1]", false), ("2001:db8::1 ", false),
        ("1:2:3:4:5:6:7:8:9", false), ("2001:db8:::1", false), (":", false), ("abcdef", false),
        ("1111:2222:3333:4444:5555:6666:7777:8888", true), ("1111:2222:3333:4444:5555:6666:7777:88888", false),
    ])
    func canonicalIPv6(_ raw: String, _ canonical: Bool) {
        #expect(IdentifierNormalizer.isCanonicalIPv6(raw) == canonical)
        // The fast path never changes the result: a canonical address normalises to itself.
        if canonical { #expect(IdentifierNormalizer.ipAddress(raw) == .success(raw)) }
    }

    @Test("values that are not IP addresses are refused", arguments: [
        "", "77777777-7777-7777-7777-777777777777", "1.2.3", "256.1.1.1", "[2001:db8::1", "localhost",
        "LW-TBSH006933", String(repeating: "1", count: 100),
    ])
    func ipRefusals(_ raw: String) {
        guard case .failure = IdentifierNormalizer.ipAddress(raw) else {
            Issue.record("'\(raw)' was accepted as an IP address")
            return
        }
    }

    @Test("a GUID in an IP field is refused with a reason naming it")
    func guidInIPField() {
        guard case .failure(let refusal) = IdentifierNormalizer.ipAddress("77777777-7777-7777-7777-777777777777") else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.reason.contains("77777777-7777-7777-7777-777777777777"))
        #expect(refusal.reason.contains("not an IPv4 or IPv6"))
    }

    @Test("GUID-typed ids: canonical lower case, the zero GUID is absent, other text kept")
    func guidOrText() {
        #expect(IdentifierNormalizer.guidOrText("3CF2EC34-D27B-4E15-9D67-1D77873D8FCC") == "3cf2ec34-d27b-4e15-9d67-1d77873d8fcc")
        #expect(IdentifierNormalizer.guidOrText("00000000-0000-0000-0000-000000000000") == nil)
        #expect(IdentifierNormalizer.guidOrText("") == nil)
        #expect(IdentifierNormalizer.guidOrText("ANONYMIZED") == "ANONYMIZED")
        #expect(IdentifierNormalizer.guid("not-a-guid") == nil)
    }
}

// MARK: - JSONParser and JSONValue

@Suite("JSONParser")
struct JSONParserTests {
    private func parse(_ text: String, maxDepth: Int = 256) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    private func error(_ text: String, maxDepth: Int = 256) -> JSONParseError? {
        do {
            _ = try parse(text, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    @Test("escapes are decoded")
    func escapes() throws {
        let value = try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\u0041""#)
        #expect(value == .string("a\"b\\c/d\u{08}\u{0C}\n\r\téA"))
        #expect(try parse(#"{"k\"ey":"v"}"#)["k\"ey"] == .string("v"))
        // Non-ASCII UTF-8 passes through unchanged.
        #expect(try parse(#""Zoë — 東京""#) == .string("Zoë — 東京"))
    }

    @Test("surrogate pairs combine; lone surrogates become U+FFFD")
    func surrogates() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD83D\uDE00 ok""#) == .string("😀 ok"))
        #expect(try parse(#""x\ud83dy""#) == .string("x\u{FFFD}y"))
        #expect(try parse(#""\ude00""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
    }

    @Test("bad escapes and unterminated strings are errors with a position")
    func badStrings() {
        let unterminated = error(#""abc"#)
        #expect(unterminated?.message.contains("unterminated string") == true)
        #expect(unterminated?.offset == 0)
        #expect(error(#"{"a":"b\"}"#)?.message.contains("unterminated string") == true)
        #expect(error(#""\x""#)?.message.contains("invalid escape") == true)
        #expect(error(#""\u12G4""#)?.message.contains("hex") == true)
        #expect(error(#""\u12"#) != nil)
    }

    @Test("100,000 nested arrays give a depth error, not a crash")
    func deepArrays() {
        let depth = 100_000
        let open = String(repeating: "[", count: depth)
        #expect(error(open)?.message.contains("nesting deeper than 256") == true)
        #expect(error(open + String(repeating: "]", count: depth))?.message.contains("nesting") == true)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(error(objects)?.message.contains("nesting") == true)
    }

    @Test("the depth limit is exact")
    func depthLimit() throws {
        #expect(try parse("[[[1]]]", maxDepth: 3) == .array([.array([.array([.number("1")])])]))
        #expect(error("[[[[1]]]]", maxDepth: 3)?.message.contains("nesting deeper than 3") == true)
    }

    @Test("numbers keep their lexeme")
    func numbers() throws {
        #expect(try parse("638949921850717730") == .number("638949921850717730"))
        #expect(try parse("-1.5e3") == .number("-1.5e3"))
        #expect(try parse("[0, 4, -1]").elements == [.number("0"), .number("4"), .number("-1")])
        #expect(error("1.2.3")?.message.contains("malformed number") == true)
        #expect(error("-") != nil)
    }

    @Test("structural errors", arguments: ["", "   ", "[1,]", "[1 2]", #"{"a" 1}"#, #"{"a":}"#, #"{a:1}"#, "tru", "nul", "{} x", "[", "{", "]"])
    func structuralErrors(_ text: String) {
        #expect(error(text) != nil)
    }

    @Test("duplicate keys are kept; lookup is case-insensitive and the last wins")
    func duplicateKeys() throws {
        let value = try parse(#"{"a":1,"A":2,"a":3,"b":null}"#)
        #expect(value["a"] == .number("3"))
        #expect(value["A"] == .number("3"))
        #expect(value.member(exactly: "A") == .number("2"))
        #expect(value.duplicateKeys == ["a"])
        #expect(value.keys == ["a", "A", "a", "b"])
        #expect(value.has("B"))
        #expect(value["b"]?.text == nil)
        #expect(value["c"] == nil)
    }

    @Test("nested data as object, JSON text, or doubly encoded JSON text")
    func structured() throws {
        let object = try parse(#"{"d":{"x":1}}"#)
        let once = try parse(#"{"d":"{\"x\":1}"}"#)
        let twice = try parse(#"{"d":"\"{\\\"x\\\":1}\""}"#)
        for value in [object, once, twice] {
            #expect(value["d"]?.structured?["x"] == .number("1"))
        }
        #expect(try parse(#"{"d":"not json"}"#)["d"]?.structured == nil)
        #expect(try parse(#"{"d":"{broken"}"#)["d"]?.structured == nil)
        #expect(try parse(#"{"d":"[1,2]"}"#)["d"]?.elements.count == 2)
    }

    @Test("booleans and integers written as strings")
    func stringlyTyped() {
        let truthy: [JSONValue] = [.bool(true), .string("true"), .string("TRUE"), .string("True"), .string("1"), .number("1")]
        let falsy: [JSONValue] = [.bool(false), .string("false"), .string("FALSE"), .string("False"), .string("0"), .number("0")]
        #expect(truthy.allSatisfy { $0.boolean == true })
        #expect(falsy.allSatisfy { $0.boolean == false })
        #expect(JSONValue.string("maybe").boolean == nil)
        #expect(JSONValue.null.boolean == nil)
        #expect(JSONValue.string("64500").integer == 64500)
        #expect(JSONValue.number("64500").integer == 64500)
        #expect(JSONValue.string("n/a").integer == nil)
        #expect(JSONValue.string("").text == nil)
        #expect(JSONValue.null.text == nil)
        #expect(JSONValue.number("0").text == "0")
    }
}

// MARK: - CSVReader

@Suite("CSVReader")
struct CSVReaderTests {
    struct Row: Equatable {
        var cells: [String]
        var line: Int
    }

    /// Reads every record of `text`: rows, or the error message and line of a failed record.
    private func read(_ text: String, separator: UInt8 = UInt8(ascii: ","), maxCellBytes: Int = 1 << 20) -> [Result<Row, CSVRecordErrorBox>] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            var reader = CSVReader(bytes: buffer, start: 0, separator: separator, maxCellBytes: maxCellBytes)
            var out: [Result<Row, CSVRecordErrorBox>] = []
            while let next = reader.next() {
                switch next {
                case .success(let row): out.append(.success(Row(cells: row.strings, line: row.line)))
                case .failure(let error): out.append(.failure(CSVRecordErrorBox(line: error.line, message: error.message)))
                }
                if out.count > 1000 { break }
            }
            return out
        }
    }

    struct CSVRecordErrorBox: Error, Equatable {
        var line: Int
        var message: String
    }

    private func rows(_ text: String, separator: UInt8 = UInt8(ascii: ",")) -> [Row] {
        read(text, separator: separator).compactMap { try? $0.get() }
    }

    @Test("a row's unescaped cells stay as read when they outgrow the reader's first block of bytes")
    func cellsLargerThanTheFirstBlock() {
        // Three cells of 10,000 bytes with doubled quotes each (the block starts at 16 KiB), a
        // plain quoted cell between them (the input's own bytes), and the next row.
        let long = (0..<3).map { index in String(repeating: "k\(index)\"", count: 3_333) + "z" }
        let written = long.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let text = [written[0], "\"plain\"", written[1], written[2]].joined(separator: ",") + "\nnext,row\n"
        #expect(rows(text) == [Row(cells: [long[0], "plain", long[1], long[2]], line: 1), Row(cells: ["next", "row"], line: 2)])
    }

    @Test("quoted cells hold separators and doubled quotes")
    func quotes() {
        #expect(rows(#"a,"b,c","d""e",""\#n"#) == [Row(cells: ["a", "b,c", "d\"e", ""], line: 1)])
        #expect(rows("\"\"\"\"\n") == [Row(cells: ["\""], line: 1)])
        #expect(rows(#"{""x"":1},y\#n"#) == [Row(cells: [#"{""x"":1}"#, "y"], line: 1)])  // unquoted cell: quotes kept as written
    }

    @Test("CRLF and LF line ends; the last line may lack one")
    func lineEnds() {
        #expect(rows("a,b\r\nc,d\r\n") == [Row(cells: ["a", "b"], line: 1), Row(cells: ["c", "d"], line: 2)])
        #expect(rows("a,b\nc,d") == [Row(cells: ["a", "b"], line: 1), Row(cells: ["c", "d"], line: 2)])
        #expect(rows("a,b\rc,d\n").first?.cells == ["a", "b"])
    }

    @Test("newlines inside quoted cells stay in the cell and advance the line count")
    func embeddedNewlines() {
        let text = "\"x\ny\",z\r\n\"{\r\n  \"\"k\"\": 1\r\n}\",w\nnext,row\n"
        #expect(rows(text) == [
            Row(cells: ["x\ny", "z"], line: 1),
            Row(cells: ["{\r\n  \"k\": 1\r\n}", "w"], line: 3),
            Row(cells: ["next", "row"], line: 6),
        ])
    }

    @Test("blank lines between records are skipped; empty cells are kept")
    func blankLinesAndEmptyCells() {
        #expect(rows("a,b\n\n\r\n\nc,d\n") == [Row(cells: ["a", "b"], line: 1), Row(cells: ["c", "d"], line: 5)])
        #expect(rows("a,,c\n,\n") == [Row(cells: ["a", "", "c"], line: 1), Row(cells: ["", ""], line: 2)])
        #expect(rows("a,b,\n") == [Row(cells: ["a", "b", ""], line: 1)])
        #expect(rows("\n\n").isEmpty)
        #expect(rows("").isEmpty)
    }

    @Test("an unbalanced quote fails the record at the line where the quote opened")
    func unbalancedQuote() {
        let records = read("h1,h2\nok,1\n\"broken,2\nmore,3\n")
        #expect(records.count == 3)
        #expect(records[1] == .success(Row(cells: ["ok", "1"], line: 2)))
        guard case .failure(let error) = records[2] else {
            Issue.record("no failure")
            return
        }
        #expect(error.line == 3)
        #expect(error.message.contains("unbalanced quote"))
    }

    @Test("an oversized cell fails its record with the limit named")
    func oversizedCell() {
        let records = read("a,\(String(repeating: "x", count: 100))\nb,c\n", maxCellBytes: 16)
        guard case .failure(let error)? = records.first else {
            Issue.record("no failure")
            return
        }
        #expect(error.message.contains("16 bytes"))
        #expect(records.last == .success(Row(cells: ["b", "c"], line: 2)))
    }

    /// The reader's plain definition, a byte at a time (the reader scans runs with `memchr`):
    /// the records of `bytes` as rows or error lines, and where each record left the reader.
    static func definition(_ bytes: [UInt8], separator: UInt8, maxCellBytes: Int) -> [(record: Result<Row, CSVRecordErrorBox>, position: Int)] {
        var out: [(record: Result<Row, CSVRecordErrorBox>, position: Int)] = []
        var position = 0, line = 1
        let quote = UInt8(ascii: "\"")
        records: while true {
            while position < bytes.count, bytes[position] == 0x0A || bytes[position] == 0x0D {
                if bytes[position] == 0x0A { line += 1 }
                position += 1
            }
            guard position < bytes.count else { return out }
            let startLine = line
            var cells: [String] = []
            var oversized = false
            while true {
                var cell: [UInt8] = []
                if bytes[position...].first == quote {
                    let quoteLine = line
                    position += 1
                    var closed = false
                    while position < bytes.count {
                        if bytes[position] == quote {
                            if position + 1 < bytes.count, bytes[position + 1] == quote { cell.append(quote); position += 2; continue }
                            position += 1
                            closed = true
                            break
                        }
                        if bytes[position] == 0x0A { line += 1 }
                        cell.append(bytes[position])
                        position += 1
                    }
                    if !closed {
                        out.append((.failure(CSVRecordErrorBox(line: quoteLine, message: "unbalanced")), position))
                        continue records
                    }
                    while position < bytes.count, ![separator, 0x0A, 0x0D].contains(bytes[position]) { cell.append(bytes[position]); position += 1 }
                } else {
                    while position < bytes.count, ![separator, 0x0A, 0x0D].contains(bytes[position]) { cell.append(bytes[position]); position += 1 }
                }
                if cell.count > maxCellBytes { oversized = true }
                cells.append(String(decoding: cell, as: UTF8.self))
                if position >= bytes.count { break }
                if bytes[position] == separator { position += 1; continue }
                if bytes[position] == 0x0D { position += 1 }
                if position < bytes.count, bytes[position] == 0x0A { position += 1; line += 1 }
                break
            }
            out.append((oversized ? .failure(CSVRecordErrorBox(line: startLine, message: "oversized")) : .success(Row(cells: cells, line: startLine)), position))
        }
    }

    @Test("random texts over quotes, separators, line ends and letters read as the byte-at-a-time definition does")
    func matchesDefinition() {
        var generator = SplitMix64(seed: 0x5EED_C5F)
        let alphabet: [UInt8] = Array("ab,;\"\"\n\r\t".utf8) + [0xC3, 0xA9]
        for round in 0..<4_000 {
            let length = Int.random(in: 0...(round < 2_000 ? 24 : 200), using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let separator = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09].randomElement(using: &generator)!
            let limit = Int.random(in: 0...12, using: &generator)
            let expected = Self.definition(bytes, separator: separator, maxCellBytes: limit)
            var got: [(record: Result<Row, CSVRecordErrorBox>, position: Int)] = []
            bytes.withUnsafeBufferPointer { buffer in
                var reader = CSVReader(bytes: buffer, start: 0, separator: separator, maxCellBytes: limit)
                while let next = reader.next() {
                    switch next {
                    case .success(let row): got.append((.success(Row(cells: row.strings, line: row.line)), reader.position))
                    case .failure(let error):
                        let kind = error.message.hasPrefix("unbalanced") ? "unbalanced" : "oversized"
                        got.append((.failure(CSVRecordErrorBox(line: error.line, message: kind)), reader.position))
                    }
                }
            }
            let same = got.count == expected.count && zip(got, expected).allSatisfy { $0.record == $1.record && $0.position == $1.position }
            #expect(same, "\(bytes) separated by \(separator), limit \(limit)")
            if !same { return }
        }
    }

    @Test("tab and semicolon separators")
    func separators() {
        func detect(_ text: String) -> UInt8 {
            Array(text.utf8).withUnsafeBufferPointer { CSVReader.detectSeparator($0, start: 0) }
        }
        #expect(detect("a\tb\tc\n1,2\t3\t4\n") == 0x09)
        #expect(detect("a;b;c\n") == UInt8(ascii: ";"))
        #expect(detect("a,b;c\n") == UInt8(ascii: ","))
        #expect(detect("\"a,b,c\"\td\te\n") == 0x09)
        #expect(rows("a\t\"b\tc\"\n", separator: 0x09) == [Row(cells: ["a", "b\tc"], line: 1)])
    }

    @Test("header names: [UTC] suffix, surrounding and doubled spaces")
    func headerNormalisation() {
        #expect(FileReader.normaliseHeader("CreatedDateTime [UTC]") == "CreatedDateTime")
        #expect(FileReader.normaliseHeader("Start_Time [UTC]") == "Start_Time")
        #expect(FileReader.normaliseHeader("Application ID ") == "Application ID")
        #expect(FileReader.normaliseHeader("Autonomous system  number") == "Autonomous system number")
        #expect(FileReader.normaliseHeader("Id") == "Id")
    }
}

// MARK: - Byte checks that keep a record's value as it is

@Suite("Identifiers kept as the record holds them")
struct KeptIdentifierTests {
    static let values = [
        "0a1b2c3d-0000-4000-8000-000000000001", "0A1B2C3D-0000-4000-8000-000000000001", "00000000-0000-0000-0000-000000000000",
        "11111111-1111-1111-1111-111111111111", "{0a1b2c3d-0000-4000-8000-000000000001}", " 0a1b2c3d-0000-4000-8000-000000000001",
        "Kht-TD-dUU6KawwtPk9aAA", "AAAAAAAAAAAAAAAAAAAAAA", "Kht-TD-dUU6KawwtPk9aAA==", "abc def", "a+/b", "",
        "1.2.3.4", "01.2.3.4", "256.1.1.1", "1.2.3.4:443", "::1", "2001:db8::1", "2001:DB8::1", "2001:0db8::1", "[2001:db8::1]:80",
        "::ffff:1.2.3.4", "alice@contoso.example", "Alice@Contoso.example",
    ]

    /// Each byte check holds only where the string normaliser keeps the value unchanged, so the
    /// bytes and the string paths give one result.
    @Test func byteChecksAgreeWithTheNormalisers() {
        func kept(_ result: Result<String, IdentifierNormalizer.Refusal>, _ value: String) -> Bool {
            if case .success(let normalised) = result { return normalised.sameBytes(as: value) }
            return false
        }
        var held = 0
        for value in Self.values {
            let bytes = Array(value.utf8)
            bytes.withUnsafeBufferPointer { raw in
                if IdentifierNormalizer.isCanonicalGUID(raw) && !IdentifierNormalizer.isPlaceholderGUID(raw) {
                    held += 1
                    #expect(kept(IdentifierNormalizer.sessionId(value), value), "\(value)")
                }
                if IdentifierNormalizer.isCanonicalGUID(raw) && !IdentifierNormalizer.isZeroGUID(raw) {
                    #expect(IdentifierNormalizer.guidOrText(value) == value, "\(value)")
                }
                if IdentifierNormalizer.isPlainTokenId(raw) {
                    held += 1
                    #expect(kept(IdentifierNormalizer.uniqueTokenId(value), value), "\(value)")
                }
                if IdentifierNormalizer.isCanonicalIPv4(raw) || IdentifierNormalizer.isCanonicalIPv6(raw) {
                    held += 1
                    #expect(kept(IdentifierNormalizer.ipAddress(value), value), "\(value)")
                }
                #expect(FieldText.bytes(raw).lowercased().string == value.lowercased())
            }
        }
        // Each check holds for some values and fails for others: one session id; six token ids
        // (GUID text is base64url too); three addresses.
        #expect(held == 10)
        #expect(!Array("AAAAAAAAAAAAAAAAAAAAAA".utf8).withUnsafeBufferPointer(IdentifierNormalizer.isPlainTokenId))
        #expect(!Array("2001:DB8::1".utf8).withUnsafeBufferPointer(IdentifierNormalizer.isCanonicalIPv6))
        #expect(Array("11111111-1111-1111-1111-111111111111".utf8).withUnsafeBufferPointer(IdentifierNormalizer.isPlaceholderGUID))
    }
}
