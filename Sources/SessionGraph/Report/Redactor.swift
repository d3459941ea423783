import Foundation

/// Pseudonymises one run's outputs (`--redact`) so a diagram or report can be shown to people
/// outside the incident: users (UPN, object id, display name), IP addresses, device ids and
/// names, and tenant ids are replaced consistently across DOT, SVG, HTML and JSON, while what an
/// analyst reads from them stays visible: the same value always gets the same pseudonym, two IPs
/// of one /24 (or /48) keep a shared pseudonymous prefix and their own last octet, and ASNs,
/// countries, apps and times are kept. The mapping goes to a separate file for the analyst.
///
/// Redaction is applied to the outputs, after detection, so that trusted-network and
/// service-range checks still see the real addresses: to each text of a diagram, of the report
/// and of the findings table before it is escaped and cut to its length (``apply(_:)-(String)``
/// as a text filter, ``apply(_:)-(Finding)``), to each line of the JSON documents as it is
/// encoded (the line's keys included, the documents' outer keys not), and to ingest.json whole.
public struct Redactor: Sendable {
    /// Original → pseudonym, longest originals first (so no value is replaced inside another).
    public private(set) var mapping: [(original: String, pseudonym: String)]

    public init(events: [Event]) {
        var table: [String: String] = [:]
        var counters: [String: Int] = [:]
        func assign(_ value: String?, _ kind: String) {
            guard let value, value.count >= 3, table[value] == nil else { return }
            counters[kind, default: 0] += 1
            table[value] = "\(kind)-\(counters[kind]!)"
        }
        var prefixes: [String: Int] = [:]
        func assignIP(_ ip: String?) {
            guard let ip, table[ip] == nil, let prefix = NetworkKey.prefix(ip) else { return }
            if prefixes[prefix] == nil { prefixes[prefix] = prefixes.count + 1 }
            (table[ip], table[prefix]) = Self.addressPseudonyms(ip, network: prefixes[prefix]!)
        }
        // Values are numbered in the order they first occur, event by event. Every event names
        // a few values that many others name too: a value is taken once for each field it is
        // in, recognised again by its vocabulary code, without its text (the text of seven
        // fields of every event, hashed into the table, was most of a redacted run's time).
        // A value's second time in a field changed nothing: the table only grows, and what a
        // value adds depends on the table's entry for it (and, for a UPN, for its site form).
        // A UPN left out (under three characters) could be given a pseudonym later only as an
        // address of the same text, `::`, whose site form is itself. The fields are taken in
        // the order below: UPN, user id, display name, device id, device name, tenant, address.
        // First on every core, a share of the events at a time: each value's first time in a
        // field within the share, in event order (reading three million events' objects was
        // most of the table's 2.7 s at 4.9 GB). Then in order: the first time overall.
        let shares = parallelChunks(count: events.count, chunkSize: max(1 << 16, (events.count + 7) / 8)) { range -> [(field: Int, code: UInt32)] in
            var seen = [CodeBits](repeating: CodeBits(), count: 7)
            var firsts: [(field: Int, code: UInt32)] = []
            func note(_ field: Int, _ code: UInt32) {
                if code != TextVocabulary.none && seen[field].insert(code) { firsts.append((field, code)) }
            }
            for index in range {
                events.prefetch(index + [Event].prefetchDistance, lines: 4)
                let event = events[index]
                note(0, event.userPrincipalNameCode)
                note(1, event.userIdCode)
                note(2, event.userDisplayNameCode)
                note(3, event.deviceIdCode)
                note(4, event.deviceNameCode)
                note(5, event.tenantIdCode)
                note(6, event.ipAddressCode)
            }
            return firsts
        }
        let vocabulary = TextVocabulary.shared
        var seen = [CodeBits](repeating: CodeBits(), count: 7)
        for (field, code) in shares.joined() where seen[field].insert(code) {
            let value = vocabulary.text(code)
            switch field {
            case 0:
                guard let upn = value else { continue }
                assign(upn, "user")
                // The UPN as a OneDrive site names it (`…/personal/alice_contoso_example/…`, in
                // the object names of file events). Not the local part alone: as a whole word it
                // is often a common one (`user`, `office`), and replacing it rewrote keys and text.
                let site = String(upn.map { $0 == "@" || $0 == "." ? "_" : $0 })
                if site != upn, let pseudonym = table[upn], table[site] == nil { table[site] = pseudonym.replacingOccurrences(of: "user", with: "site") }
            case 1: assign(value, "oid")
            case 2: assign(value, "person")
            case 3: assign(value, "device")
            case 4: assign(value, "host")
            case 5: assign(value, "tenant")
            default: assignIP(value)
            }
        }
        // Each length counted once: a character count walks the whole text.
        mapping = table.map { (length: $0.key.count, original: $0.key, pseudonym: $0.value) }
            .sorted { ($0.length, $0.original) > ($1.length, $1.original) }
            .map { ($0.original, $0.pseudonym) }
        let started = DispatchTime.now().uptimeNanoseconds
        replacer = PatternReplacer(mapping.flatMap { original, pseudonym in
            Self.writtenForms(of: original).map { (Array($0.utf8), Array(pseudonym.utf8)) }
        })
        automatonSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }

    /// How long the replacer's automaton took to make, for the profile (it is one core's work).
    public private(set) var automatonSeconds = 0.0

    /// The pseudonyms of address `ip` and of its /24 or /48, the `network`-th one seen: a
    /// reserved prefix of that number, and the address's own last octet or groups.
    static func addressPseudonyms(_ ip: String, network n: Int) -> (address: String, network: String) {
        if ip.contains(":") {
            let groups = NetworkKey.expandIPv6(ip)
            let tail = groups.count == 8 ? groups[3...].map { String($0, radix: 16) }.joined(separator: ":") : "0"
            return ("fd00:\(String(n, radix: 16)):0:\(tail)", "fd00:\(String(n, radix: 16))::/48")
        }
        let last = ip.split(separator: ".").last.map(String.init) ?? "0"
        return ("240.\(n / 256).\(n % 256).\(last)", "240.\(n / 256).\(n % 256).0/24")
    }

    /// Every value, replaced in one pass (``PatternReplacer``), as each output writes it.
    private let replacer: PatternReplacer

    /// `value` as each output writes it: as it is (text, and JSON, DOT and HTML when it has
    /// nothing to escape), and escaped for JSON, DOT, HTML and SVG (Graphviz writes `-` as
    /// `&#45;`, so a hyphenated name or any GUID would otherwise show). The analyze command
    /// filters the texts of its diagrams and report before it escapes them, and the lines of its
    /// JSON documents once encoded; the escaped DOT, HTML and SVG forms serve a caller who
    /// redacts a finished diagram or page.
    static func writtenForms(of value: String) -> [String] {
        if let forms = plainWrittenForms(of: value) { return forms }
        return writtenFormsByEscaping(value)
    }

    /// ``writtenForms(of:)`` of a value of printable ASCII that no output escapes and no diagram
    /// cuts (an address, a GUID, a UPN, most names): the value, and Graphviz's spelling when it
    /// has a hyphen. Nil for any other value. Forty thousand values at 488 MB each made five
    /// strings through the escapers, all but one equal to the value.
    static func plainWrittenForms(of value: String) -> [String]? {
        var hyphens = false
        let plain = value.utf8.count <= DOTText.maxLineLength && value.withUTF8Bytes { bytes in
            bytes.allSatisfy { byte in
                if byte == UInt8(ascii: "-") { hyphens = true }
                return byte >= 0x20 && byte < 0x7F && !Self.isEscaped(byte)
            }
        }
        guard plain, !value.isEmpty else { return nil }
        guard hyphens else { return [value] }
        var graphviz: [UInt8] = []
        graphviz.reserveCapacity(value.utf8.count + 16)
        for byte in value.utf8 {
            if byte == UInt8(ascii: "-") { graphviz.append(contentsOf: "&#45;".utf8) } else { graphviz.append(byte) }
        }
        return [value, String(decoding: graphviz, as: UTF8.self)]
    }

    /// The printable ASCII bytes some output escapes: JSON `"` and `\`, DOT `&`, `\` and `"`,
    /// HTML `&`, `<`, `>`, `"` and `'`.
    private static func isEscaped(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "'"): return true
        default: return false
        }
    }

    /// ``writtenForms(of:)`` by each output's own escaping.
    static func writtenFormsByEscaping(_ value: String) -> [String] {
        var forms = [value]
        func add(_ form: String) { if !form.isEmpty, !forms.contains(form) { forms.append(form) } }
        add(String(jsonString(value).dropFirst().dropLast()))
        // JSONEncoder (ingest.json, the data errors of sessions.json) spells some control
        // characters otherwise (`\b`, not `\u0008`).
        if value.utf8.contains(where: { $0 < 0x20 }) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            if let data = try? encoder.encode(value) { add(String(decoding: data.dropFirst().dropLast(), as: UTF8.self)) }
        }
        add(DOTText.label(value))
        add(HTMLText.escape(value))
        // Graphviz escapes as HTML does, and `-` as well.
        add(HTMLText.escape(value).replacingOccurrences(of: "-", with: "&#45;"))
        return forms
    }

    /// `text` with every original value replaced by its pseudonym, in one pass: at each place the
    /// longest value starting there, whole words only, never one inside another. ASCII letters
    /// match in either case, other letters only as the value has them (a UPN is lower-cased when
    /// read, so `Öliver@…` written elsewhere in its original case is not matched).
    public func apply(_ text: String) -> String {
        var text = text
        return text.withUTF8 { String(decoding: replacer.replace($0), as: UTF8.self) }
    }

    public func apply(_ data: Data) -> Data {
        data.withUnsafeBytes { Data(replacer.replace($0.bindMemory(to: UInt8.self))) }
    }

    /// `finding` with every text in it redacted, before an output cuts any of it to a length
    /// (the terminal table shows 60 characters of a user): a value cut short would not match.
    public func apply(_ finding: Finding) -> Finding {
        var finding = finding
        finding.user = finding.user.map(apply)
        finding.summary = apply(finding.summary)
        finding.reason = apply(finding.reason)
        finding.adjustments = finding.adjustments.map(apply)
        finding.evidence = finding.evidence.map { item in
            var item = item
            item.summary = apply(item.summary)
            item.file = item.file.map(apply)
            return item
        }
        return finding
    }

    /// The mapping as JSON, for the analyst only: pseudonym to original, keys in sorted order,
    /// as this platform's `JSONEncoder` (swift-foundation, which sorts keys by their bytes)
    /// writes it pretty-printed; a string with anything to escape is escaped
    /// by `JSONEncoder` itself. Written directly: `JSONEncoder` took 1.7 s over the 400,000 or
    /// so values of a 4.9 GB run, after every other output was done.
    public func mappingDocument() -> Data {
        var entries = ["schemaVersion": "1", "note": "pseudonym mapping of a --redact run; keep it with the case file, do not share"]
        entries.reserveCapacity(mapping.count + 2)
        for (original, pseudonym) in mapping where entries[pseudonym] == nil { entries[pseudonym] = original }
        var text: [UInt8] = Array("{\n".utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // By the bytes of the keys, as `JSONEncoder` sorts them here (Swift's `<` compares a key
        // that is not in Unicode's composed form by its composition).
        for (index, (key, value)) in entries.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { text.append(contentsOf: ",\n".utf8) }
            text.append(contentsOf: "  ".utf8)
            Self.appendEncoded(key, to: &text, encoder: encoder)
            text.append(contentsOf: " : ".utf8)
            Self.appendEncoded(value, to: &text, encoder: encoder)
        }
        text.append(contentsOf: "\n}".utf8)
        return Data(text)
    }

    /// `value` as a JSON string the way `encoder` (`JSONEncoder`, slashes not escaped) writes it:
    /// printable ASCII with nothing to escape is copied as it is, anything else encoded.
    private static func appendEncoded(_ value: String, to text: inout [UInt8], encoder: JSONEncoder) {
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            text.append(UInt8(ascii: "\""))
            text.append(contentsOf: value.utf8)
            text.append(UInt8(ascii: "\""))
            return
        }
        text.append(contentsOf: (try? encoder.encode(value)) ?? Data("\"\"".utf8))
    }
}

/// A set of vocabulary codes as one bit each (the codes are dense, from 1; 0 is
/// ``TextVocabulary/none``, which no caller adds). It takes an eighth of a byte for each code up
/// to the largest added.
struct CodeBits {
    private var words: [UInt64] = []

    /// Adds `code`; whether it was absent.
    mutating func insert(_ code: UInt32) -> Bool {
        let word = Int(code >> 6), bit = UInt64(1) << (code & 63)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: max(word + 1 - words.count, words.count))) }
        guard words[word] & bit == 0 else { return false }
        words[word] |= bit
        return true
    }
}
