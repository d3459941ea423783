import Foundation

/// The client family of a user agent: `(client kind, OS family)` with versions ignored
/// (detections.md §1 "uaFamily"). Two requests from one laptop's Edge have the same family;
/// python-requests from a VPS has another.
public enum ClientFamily {
    /// `kind/os`, e.g. `browser:edge/windows`, `office/ios`, `script:python/unknown`, `empty`.
    public static func of(_ userAgent: String?) -> String {
        guard let raw = userAgent, !raw.isEmpty else { return "empty" }
        let ua = raw.lowercased()
        return "\(kind(ua))/\(os(ua))"
    }

    static func kind(_ ua: String) -> String {
        let scripts: [(String, String)] = [
            ("python-requests", "python"), ("python-urllib", "python"), ("aiohttp", "python"), ("python/", "python"),
            ("axios", "node"), ("undici", "node"), ("node-fetch", "node"), ("node", "node"),
            ("curl/", "curl"), ("wget", "wget"), ("go-http-client", "go"), ("postmanruntime", "postman"),
            ("powershell", "powershell"), ("okhttp", "okhttp"), ("java/", "java"), ("libwww-perl", "perl"),
        ]
        for (needle, name) in scripts where ua.contains(needle) { return "script:\(name)" }
        if ua.contains("windows-azuread-authentication-provider") || ua.contains("microsoft authentication broker") || ua.contains("aadbroker") {
            return "broker"
        }
        let office = ["outlook", "teams", "onedrive", "skydrivesync", "microsoft office", "excel", "winword", "powerpnt", "msoffice", "skype", "olk/", "mruservice",
                      "client=outlookservice", "client=rest", "client=owa", "client=msexchangerpc", "client=activesync", "client=exchangewebservices"]
        if office.contains(where: { ua.contains($0) }) {
            if ua.contains("client=owa") || (ua.contains("mozilla") && !ua.contains("teams") && !ua.contains("outlook")) {
                return "browser:\(browser(ua))"
            }
            return "office"
        }
        if ua.contains("mozilla") || ua.contains("applewebkit") || ua.contains("gecko") { return "browser:\(browser(ua))" }
        if ua.contains("dalvik") || ua.contains("cfnetwork") || ua.contains("darwin/") { return "mobile-app" }
        return "other"
    }

    static func browser(_ ua: String) -> String {
        if ua.contains("edg/") || ua.contains("edge/") || ua.contains("edga/") || ua.contains("edgios/") { return "edge" }
        if ua.contains("firefox/") || ua.contains("fxios/") { return "firefox" }
        if ua.contains("opr/") || ua.contains("opera") { return "opera" }
        if ua.contains("chrome/") || ua.contains("crios/") || ua.contains("chromium") { return "chrome" }
        if ua.contains("safari/") { return "safari" }
        if ua.contains("headless") { return "headless" }
        return "other"
    }

    static func os(_ ua: String) -> String {
        if ua.contains("iphone") || ua.contains("ipad") || ua.contains("ios") { return "ios" }
        if ua.contains("android") { return "android" }
        if ua.contains("windows") || ua.contains("win64") || ua.contains("win32") { return "windows" }
        if ua.contains("mac os") || ua.contains("macintosh") || ua.contains("macos") { return "macos" }
        if ua.contains("linux") || ua.contains("x11") { return "linux" }
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
        if ip.contains(":") {
            let expanded = expandIPv6(ip)
            guard expanded.count == 8 else { return nil }
            return expanded[0..<3].map { String($0, radix: 16) }.joined(separator: ":") + "::/48"
        }
        let parts = ip.split(separator: ".")
        guard parts.count == 4 else { return nil }
        return "\(parts[0]).\(parts[1]).\(parts[2]).0/24"
    }

    /// Whether the address is IPv6.
    public static func isIPv6(_ ip: String?) -> Bool { ip?.contains(":") ?? false }

    static func expandIPv6(_ ip: String) -> [UInt16] {
        let halves = ip.components(separatedBy: "::")
        guard halves.count <= 2 else { return [] }
        func groups(_ text: String) -> [UInt16]? {
            if text.isEmpty { return [] }
            var out: [UInt16] = []
            for part in text.split(separator: ":", omittingEmptySubsequences: false) {
                if part.contains(".") { return out + [0, 0] }  // embedded IPv4: not needed for /48
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
