import Foundation

/// The client family of a user agent: `(client kind, OS family)` with versions ignored
/// (detections.md §1 "uaFamily"). Two requests from one laptop's Edge have the same family;
/// python-requests from a VPS has another.
public enum ClientFamily {
    /// `kind/os`, e.g. `browser:edge/windows`, `office/ios`, `script:python/unknown`, `empty`.
    ///
    /// The needles are lower-case ASCII, looked for with `memmem` in the agent's bytes with
    /// ASCII letters lowered once: Foundation's case-insensitive search took about 0.2 ms an
    /// agent, and a log with a hundred thousand distinct agents (each distinct agent is
    /// classified once) spent 25 s here. Only ASCII letters are lowered, so a look-alike letter
    /// in a hostile agent does not match a needle.
    public static func of(_ userAgent: String?) -> String {
        guard let userAgent, !userAgent.isEmpty else { return "empty" }
        let ua = LoweredAgent(userAgent)
        return "\(kind(ua))/\(os(ua))"
    }

    /// A user agent's bytes with ASCII letters lowered.
    struct LoweredAgent {
        private let bytes: [UInt8]

        init(_ text: String) { bytes = text.utf8.map(lowerASCII) }

        /// Whether the agent contains `needle` (lower-case ASCII, not empty): its first byte
        /// found by `memchr`, the rest compared by `memcmp`.
        func contains(_ needle: StaticString) -> Bool {
            let length = needle.utf8CodeUnitCount
            return bytes.withUnsafeBufferPointer { text in
                text.count >= length && anyPlace(of: needle.utf8Start.pointee, in: text, through: text.count - length) { at in
                    memcmp(text.baseAddress! + at, needle.utf8Start, length) == 0
                }
            }
        }

        func containsAny(_ needles: [StaticString]) -> Bool { needles.contains(where: contains) }
    }

    static func kind(_ ua: LoweredAgent) -> String {
        let scripts: [(StaticString, String)] = [
            ("python-requests", "python"), ("python-urllib", "python"), ("aiohttp", "python"), ("python/", "python"),
            ("axios", "node"), ("undici", "node"), ("node-fetch", "node"), ("node", "node"),
            ("curl/", "curl"), ("wget", "wget"), ("go-http-client", "go"), ("postmanruntime", "postman"),
            ("powershell", "powershell"), ("okhttp", "okhttp"), ("java/", "java"), ("libwww-perl", "perl"),
        ]
        for (needle, name) in scripts where ua.contains(needle) { return "script:\(name)" }
        if ua.containsAny(["windows-azuread-authentication-provider", "microsoft authentication broker", "aadbroker"]) {
            return "broker"
        }
        let office: [StaticString] = ["outlook", "teams", "onedrive", "skydrivesync", "microsoft office", "excel", "winword", "powerpnt", "msoffice", "skype",
                                      "olk/", "mruservice", "client=outlookservice", "client=rest", "client=owa", "client=msexchangerpc", "client=activesync",
                                      "client=exchangewebservices"]
        if ua.containsAny(office) {
            if ua.contains("client=owa") || (ua.contains("mozilla") && !ua.contains("teams") && !ua.contains("outlook")) {
                return "browser:\(browser(ua))"
            }
            return "office"
        }
        if ua.containsAny(["mozilla", "applewebkit", "gecko"]) { return "browser:\(browser(ua))" }
        if ua.containsAny(["dalvik", "cfnetwork", "darwin/"]) { return "mobile-app" }
        return "other"
    }

    static func browser(_ ua: LoweredAgent) -> String {
        if ua.containsAny(["edg/", "edge/", "edga/", "edgios/"]) { return "edge" }
        if ua.containsAny(["firefox/", "fxios/"]) { return "firefox" }
        if ua.containsAny(["opr/", "opera"]) { return "opera" }
        if ua.containsAny(["chrome/", "crios/", "chromium"]) { return "chrome" }
        if ua.contains("safari/") { return "safari" }
        if ua.contains("headless") { return "headless" }
        return "other"
    }

    static func os(_ ua: LoweredAgent) -> String {
        if ua.containsAny(["iphone", "ipad", "ios"]) { return "ios" }
        if ua.contains("android") { return "android" }
        if ua.containsAny(["windows", "win64", "win32"]) { return "windows" }
        if ua.containsAny(["mac os", "macintosh", "macos"]) { return "macos" }
        if ua.containsAny(["linux", "x11"]) { return "linux" }
        return "unknown"
    }
}

/// The network key of an address: `AS<n>` when the ASN is known, else the IPv4 /24 or IPv6 /48
/// prefix (detections.md §1 "net").
public enum NetworkKey {
    public static func of(ip: String?, asn: Int?) -> String {
        if let asn { return "AS\(asn)" }
        guard let ip else { return "unknown" }
        return prefix(ip) ?? "unknown"
    }

    /// `203.0.113.0/24` or `2001:db8:1::/48`.
    public static func prefix(_ ip: String) -> String? {
        if let (network, _) = dottedQuad(ip) { return network + ".0/24" }
        if ip.utf8.contains(UInt8(ascii: ":")) {
            let expanded = expandIPv6(ip)
            guard expanded.count == 8 else { return nil }
            return expanded[0..<3].map { String($0, radix: 16) }.joined(separator: ":") + "::/48"
        }
        let parts = ip.split(separator: ".")
        guard parts.count == 4 else { return nil }
        return "\(parts[0]).\(parts[1]).\(parts[2]).0/24"
    }

    /// An address written as four groups of one to three digits (`203.0.113.7`), as its first
    /// three groups (`203.0.113`) and its last (`7`), read from its bytes; nil for any other
    /// text (which the general path reads).
    static func dottedQuad(_ ip: String) -> (network: String, host: String)? {
        var ip = ip
        return ip.withUTF8 { bytes -> (String, String)? in
            guard bytes.count >= 7, bytes.count <= 15 else { return nil }
            var dots = 0, lastDot = 0, digits = 0
            for (index, byte) in bytes.enumerated() {
                if byte == UInt8(ascii: ".") {
                    guard digits > 0 else { return nil }
                    dots += 1
                    lastDot = index
                    digits = 0
                } else {
                    guard byte &- UInt8(ascii: "0") < 10, digits < 3 else { return nil }
                    digits += 1
                }
            }
            guard dots == 3, digits > 0 else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[..<lastDot]), as: UTF8.self),
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[(lastDot + 1)...]), as: UTF8.self))
        }
    }

    /// Whether the address is IPv6.
    public static func isIPv6(_ ip: String?) -> Bool { ip?.utf8.contains(UInt8(ascii: ":")) ?? false }

    static func expandIPv6(_ ip: String) -> [UInt16] {
        let halves = ip.components(separatedBy: "::")
        guard halves.count <= 2 else { return [] }
        func groups(_ text: String) -> [UInt16]? {
            if text.isEmpty { return [] }
            var out: [UInt16] = []
            for part in text.split(separator: ":", omittingEmptySubsequences: false) {
                if part.utf8.contains(UInt8(ascii: ".")) { return out + [0, 0] }  // embedded IPv4: not needed for /48
                guard let value = UInt16(part, radix: 16) else { return nil }
                out.append(value)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return [] }
        if halves.count == 1 { return head }
        guard let tail = groups(halves[1]) else { return [] }
        let zeros = 8 - head.count - tail.count
        guard zeros >= 0 else { return [] }
        return head + Array(repeating: 0, count: zeros) + tail
    }
}
