import Foundation
import Testing
@testable import SessionGraph

// Fixtures for the detection tests: an abstract event list (sign-ins, Graph requests, audit
// records) that renders into several export shapes, so each labelled scenario of
// detections.md §5 is checked through every reader path:
//
// - `.logAnalytics`: Log Analytics NDJSON rows (SigninLogs nested columns as objects,
//   AADNonInteractiveUserSignInLogs / AADServicePrincipalSignInLogs nested columns as JSON
//   strings), MicrosoftGraphActivityLogs rows, audit records as Management Activity API objects;
// - `.diagnosticSettings`: Azure Monitor diagnostic-settings records (envelope + camelCase
//   `properties`) for sign-ins and Graph activity, audit records as a Purview CSV export;
// - `.graphAPIAndDefender`: sign-ins as a Graph beta `auditLogs/signIns` page, Graph activity as a
//   Log Analytics JSON array, audit records as Defender CloudAppEvents streaming records.
//
// Field names follow schemas.md. Times are whole seconds (UTC); every token id is the 22-char
// base64url form that decodes to its sign-in's request id (schemas.md §1.1).

/// The export shape a scenario is written in.
enum DetectionShape: String, CaseIterable, CustomStringConvertible, Sendable {
    case logAnalytics
    case diagnosticSettings
    case graphAPIAndDefender

    var description: String { rawValue }

    /// The ingest shapes the files of this rendering must be recognised as.
    var expectedShapes: Set<ExportShape> {
        switch self {
        case .logAnalytics: return [.logAnalyticsNDJSON, .managementAPI]
        case .diagnosticSettings: return [.diagnosticSettings, .purviewCSV]
        case .graphAPIAndDefender: return [.graphAPIPage, .logAnalyticsJSON, .defenderStreaming]
        }
    }
}

// MARK: - Time, identifiers, JSON

/// Time helpers: instants are Unix seconds.
enum DTime {
    /// Seconds since 1970 of `yyyy-MM-ddTHH:mm:ssZ`.
    static func at(_ text: String) -> Int {
        let digits = text.split(whereSeparator: { !$0.isNumber }).map { Int($0)! }
        precondition(digits.count >= 6, "bad time \(text)")
        return days(digits[0], digits[1], digits[2]) * 86_400 + digits[3] * 3600 + digits[4] * 60 + digits[5]
    }

    static func days(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(_ t: Int) -> (y: Int, m: Int, d: Int, h: Int, min: Int, s: Int) {
        let z = (t >= 0 ? t : t - 86_399) / 86_400 + 719_468
        let rest = t - (z - 719_468) * 86_400
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rest / 3600, rest / 60 % 60, rest % 60)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `2026-03-02T09:02:10` (no zone: the unified audit log's form).
    static func plain(_ t: Int) -> String {
        let c = civil(t)
        return "\(c.y)-\(two(c.m))-\(two(c.d))T\(two(c.h)):\(two(c.min)):\(two(c.s))"
    }

    /// `2026-03-02T09:02:10Z`.
    static func iso(_ t: Int) -> String { plain(t) + "Z" }

    /// `2026-03-02T09:02:10.0000000+00:00` (diagnostic-settings createdDateTime).
    static func diag(_ t: Int) -> String { plain(t) + ".0000000+00:00" }

    /// `2026-03-02T09:02:10.0000000Z`.
    static func seven(_ t: Int) -> String { plain(t) + ".0000000Z" }

    /// `3/2/2026 9:02:10 AM` (Purview CSV CreationDate).
    static func purview(_ t: Int) -> String {
        let c = civil(t)
        let hour12 = c.h % 12 == 0 ? 12 : c.h % 12
        return "\(c.m)/\(c.d)/\(c.y) \(hour12):\(two(c.min)):\(two(c.s)) \(c.h < 12 ? "AM" : "PM")"
    }
}

enum DIds {
    /// A 22-character token id that decodes to `requestId` (schemas.md §1.1: base64url of the
    /// 16 GUID bytes in .NET little-endian order).
    static func uti(for requestId: String) -> String {
        let hex = Array(requestId.replacingOccurrences(of: "-", with: ""))
        var bytes: [UInt8] = stride(from: 0, to: 32, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
        bytes.swapAt(0, 3); bytes.swapAt(1, 2); bytes.swapAt(4, 5); bytes.swapAt(6, 7)
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A GUID made of a 16-bit tag, a kind and a counter (all lower-case hex).
    static func guid(_ tag: Int, _ kind: Int, _ n: Int) -> String {
        func hex(_ value: Int, _ width: Int) -> String {
            let s = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(hex(tag, 4))\(hex(kind, 4))-\(hex(n % 0x10000, 4))-4\(hex(kind % 0x1000, 3))-8\(hex(tag % 0x1000, 3))-\(hex(n, 12))"
    }

    static let tenant = "c0a7e000-1111-4222-8333-444455556666"
    static let workspace = "5a5a0000-2222-4333-8444-555566667777"
}

/// A tiny JSON value with deterministic key order.
indirect enum DJ: Sendable {
    case s(String)
    case i(Int)
    case d(Double)
    case b(Bool)
    case null
    case a([DJ])
    case o([(String, DJ)])

    var text: String {
        switch self {
        case .s(let value): return DJ.quote(value)
        case .i(let value): return String(value)
        case .d(let value): return String(value)
        case .b(let value): return value ? "true" : "false"
        case .null: return "null"
        case .a(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .o(let pairs): return "{" + pairs.map { DJ.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// The value as a JSON string holding this JSON (Log Analytics "string" columns).
    var asString: DJ { .s(text) }

    /// A JSON string literal (the library's escaping).
    static func quote(_ value: String) -> String {
        var out = ""
        appendJSONString(value, to: &out)
        return out
    }

    static func optional(_ value: String?) -> DJ { value.map { .s($0) } ?? .null }
}

/// A CSV cell, quoted when needed.
func detectionCSVCell(_ value: String) -> String {
    if value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r") {
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return value
}

// MARK: - Vocabulary (detections.md §1 well-known ids, documentation IP ranges)

struct DUser: Sendable {
    var oid: String
    var upn: String
    var name: String

    static let alice = DUser(oid: "a1ce0000-aaaa-4bbb-8ccc-00000000a11c", upn: "alice@contoso.com", name: "Alice Example")
    static let admin = DUser(oid: "ad300000-aaaa-4bbb-8ccc-0000000000ad", upn: "admin@contoso.com", name: "Tenant Admin")
}

struct DApp: Sendable {
    var id: String
    var name: String

    static let officeHome = DApp(id: "4765445b-32c6-49b0-83e6-1d93765276ca", name: "OfficeHome")
    static let broker = DApp(id: "29d9ed98-a469-4536-ade2-f981bc1d605e", name: "Microsoft Authentication Broker")
    static let azureCLI = DApp(id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", name: "Microsoft Azure CLI")
    static let graphPowerShell = DApp(id: "14d82eec-204b-4c2f-b7e8-296a70dab67e", name: "Microsoft Graph Command Line Tools")
    static let office = DApp(id: "d3590ed6-52b3-4102-aeff-aad2292ab01c", name: "Microsoft Office")
    static let exchange = DApp(id: "00000002-0000-0ff1-ce00-000000000000", name: "Office 365 Exchange Online")
    static let graph = DApp(id: "00000003-0000-0000-c000-000000000000", name: "Microsoft Graph")
    static let sharePoint = DApp(id: "00000003-0000-0ff1-ce00-000000000000", name: "Office 365 SharePoint Online")
    static let aadGraph = DApp(id: "00000002-0000-0000-c000-000000000000", name: "Windows Azure Active Directory")
    static let drs = DApp(id: "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", name: "Device Registration Service")
    static let windowsSignIn = DApp(id: "38aa3b87-a06d-4817-b275-7a316988d93b", name: "Windows Sign In")
    static let teams = DApp(id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264", name: "Microsoft Teams")
    static let outlookMobile = DApp(id: "27922004-5251-4030-b22d-91ecd9a37ea4", name: "Outlook Mobile")
    static let teamsServices = DApp(id: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", name: "Microsoft Teams Services")
    static let oneDrive = DApp(id: "ab9b8c07-8f02-4f72-87fa-80105867a763", name: "OneDrive SyncEngine")
}

/// Where a sign-in came from (geo is the sign-in's `LocationDetails.geoCoordinates`).
struct DNet: Sendable {
    var ip: String
    var asn: Int
    var country: String
    var city: String
    var lat: Double
    var lon: Double

    /// The same network and place, another address.
    func with(ip: String) -> DNet { var copy = self; copy.ip = ip; return copy }

    static let zurichCorp = DNet(ip: "203.0.113.10", asn: 64500, country: "CH", city: "Zurich", lat: 47.3769, lon: 8.5417)
    static let digitalOceanNY = DNet(ip: "159.203.10.20", asn: 14061, country: "US", city: "Clifton", lat: 40.8584, lon: -74.1638)
    static let m247Amsterdam = DNet(ip: "185.220.101.5", asn: 9009, country: "NL", city: "Amsterdam", lat: 52.3676, lon: 4.9041)
    static let digitalOceanFrankfurt = DNet(ip: "45.55.1.2", asn: 14061, country: "DE", city: "Frankfurt am Main", lat: 50.1109, lon: 8.6821)
    static let m247Frankfurt = DNet(ip: "91.132.1.1", asn: 9009, country: "DE", city: "Frankfurt am Main", lat: 50.1109, lon: 8.6821)
    static let telekomBerlin = DNet(ip: "198.51.100.7", asn: 3320, country: "DE", city: "Berlin", lat: 52.5200, lon: 13.4050)
    static let orangeParis = DNet(ip: "192.0.2.44", asn: 3215, country: "FR", city: "Paris", lat: 48.8566, lon: 2.3522)
    static let azureAmsterdam = DNet(ip: "20.50.1.9", asn: 8075, country: "NL", city: "Amsterdam", lat: 52.3676, lon: 4.9041)
    static let btLondon = DNet(ip: "198.51.100.200", asn: 2856, country: "GB", city: "London", lat: 51.5072, lon: -0.1276)
    static let init7Home = DNet(ip: "198.51.100.50", asn: 13030, country: "CH", city: "Winterthur", lat: 47.4988, lon: 8.7237)
    static let sunriseCellular = DNet(ip: "2001:db8:4a::17", asn: 6730, country: "CH", city: "Winterthur", lat: 47.5001, lon: 8.7300)
    static let corpISPv6 = DNet(ip: "2001:db8:100::5", asn: 64501, country: "CH", city: "Bern", lat: 46.9480, lon: 7.4474)
    static let homeISP = DNet(ip: "198.51.100.80", asn: 6830, country: "CH", city: "Zurich", lat: 47.3900, lon: 8.5100)
    static let azureJumpHost = DNet(ip: "20.61.2.3", asn: 8075, country: "CH", city: "Zurich", lat: 47.3769, lon: 8.5417)
    static let githubRunner = DNet(ip: "20.20.1.1", asn: 8075, country: "US", city: "Boydton", lat: 36.6676, lon: -78.3875)
    static let swisscomOffice = DNet(ip: "203.0.113.50", asn: 3303, country: "CH", city: "Zurich", lat: 47.3769, lon: 8.5417)
    static let newYork = DNet(ip: "198.51.100.99", asn: 7922, country: "US", city: "New York", lat: 40.7128, lon: -74.0060)
    static let munich = DNet(ip: "192.0.2.200", asn: 3320, country: "DE", city: "Munich", lat: 48.1351, lon: 11.5820)
}

/// The device side of a sign-in: its user agent and `DeviceDetail`.
struct DDevice: Sendable {
    var ua: String
    var id: String = ""
    var name: String = ""
    var os: String
    var browser: String
    var trust: String = ""
    var compliant: Bool? = nil
    var managed: Bool? = nil

    func registered(_ id: String, name: String, trust: String = "Hybrid Azure AD joined", compliant: Bool = true, managed: Bool = true) -> DDevice {
        var copy = self
        copy.id = id; copy.name = name; copy.trust = trust; copy.compliant = compliant; copy.managed = managed
        return copy
    }

    func with(ua: String, browser: String? = nil) -> DDevice {
        var copy = self
        copy.ua = ua
        if let browser { copy.browser = browser }
        return copy
    }
}

enum DUA {
    static let edgeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67"
    static let edgeWindowsNewer = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.51"
    static let chromeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    static let chromeMac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    static let python31 = "python-requests/2.31.0"
    static let python32 = "python-requests/2.32.3"
    static let axios = "axios/1.6.8"
    static let windowsBroker = "Windows-AzureAD-Authentication-Provider/1.0"
    static let trident = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) like Gecko"
    static let teamsWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.7.00.13456 Chrome/108.0.5359.215 Electron/22.3.27 Safari/537.36"
    static let outlookDesktop = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)"
    static let oneDriveWindows = "Microsoft SkyDriveSync 24.050.0310.0001 ship; Windows NT 10.0 (22631)"
    static let outlookIOS = "Outlook-iOS/2.0"
    static let powerShell = "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.20348; en-US) PowerShell/7.4.1"
    static let owaMac = "Client=OWA;Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36;"
    static let owaEdge = "Client=OWA;Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67;"
    static let outlookServiceIOS = "Client=OutlookService;Outlook-iOS/2.0;"
    static let outlookDesktopExchange = "Client=MSExchangeRPC;Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)"
}

extension DDevice {
    static let edgeLaptop = DDevice(ua: DUA.edgeWindows, os: "Windows10", browser: "Edge 124.0.2478")
    static let chromeWindows = DDevice(ua: DUA.chromeWindows, os: "Windows10", browser: "Chrome 124.0.0")
    static let chromeMac = DDevice(ua: DUA.chromeMac, os: "MacOs", browser: "Chrome 124.0.0")
    static let python = DDevice(ua: DUA.python31, os: "", browser: "python-requests 2.31")
    static let iPhone = DDevice(ua: DUA.outlookIOS, os: "Ios 17.4", browser: "Mobile Safari")
}

// MARK: - Abstract events

enum DSignInKind: Sendable {
    case interactive
    case nonInteractive
    case servicePrincipal
}

struct DSignIn: Sendable {
    var id: String
    var time: Int
    var kind: DSignInKind
    var user: DUser?
    var sid: String?
    var net: DNet
    var device: DDevice
    var app: DApp
    var resource: DApp
    var result: Int = 0
    var tokenType: String = "none"
    var authProtocol: String = "none"
    var transferMethod: String = "none"
    var correlationId: String
    var protection: String? = nil
    var protectionCode: Int? = nil
    var trustedLocation: Bool = false
    var processing: [(String, String)] = []
    var servicePrincipal: (id: String, name: String)? = nil
    /// Replaces the token id (nil: derived from the request id).
    var utiOverride: String? = nil

    var uti: String { utiOverride ?? DIds.uti(for: id) }
    var table: String {
        switch kind {
        case .interactive: return "SigninLogs"
        case .nonInteractive: return "AADNonInteractiveUserSignInLogs"
        case .servicePrincipal: return "AADServicePrincipalSignInLogs"
        }
    }
}

struct DGraphCall: Sendable {
    var id: String
    var time: Int
    var uti: String?
    var sid: String?
    var user: DUser?
    var servicePrincipalId: String?
    var ip: String
    var method: String
    var uri: String
    var ua: String
    var app: DApp
    var iat: Int?
    var status: Int
    var deviceId: String?
}

struct DAudit: Sendable {
    var id: String
    var time: Int
    var operation: String
    var recordType: Int
    var workload: String
    var user: DUser
    var ip: String?
    var sid: String?
    var uti: String?
    var iat: Int?
    var app: DApp?
    var ua: String?
    var parameters: [(String, String)]
    /// Other AuditData fields.
    var extra: [(String, DJ)]
}

enum DEvent: Sendable {
    case signIn(DSignIn)
    case graph(DGraphCall)
    case audit(DAudit)

    var time: Int {
        switch self {
        case .signIn(let s): return s.time
        case .graph(let g): return g.time
        case .audit(let a): return a.time
        }
    }
}

// MARK: - Scenario builder

/// A labelled scenario as a list of abstract events.
struct DScenario: Sendable {
    /// A tag that makes the request ids of this scenario unique.
    let tag: Int
    var events: [DEvent] = []
    private var counter = 0

    init(tag: Int) { self.tag = tag }

    mutating func nextID(_ kind: Int) -> String {
        counter += 1
        return DIds.guid(tag, kind, counter)
    }

    /// A session id for this scenario (GUID-shaped, `00`-prefixed like recent sids).
    func sid(_ n: Int) -> String { "00\(String(format: "%02x", tag % 256))\(String(format: "%04x", n))-5e55-4000-8000-\(String(format: "%012x", tag * 1000 + n))" }

    @discardableResult
    mutating func signIn(
        _ time: Int, _ kind: DSignInKind = .nonInteractive, user: DUser = .alice, sid: String?, net: DNet, device: DDevice,
        app: DApp, resource: DApp = .graph, result: Int = 0, tokenType: String = "none", authProtocol: String = "none",
        transferMethod: String = "none", correlation: String? = nil, protection: String? = nil, protectionCode: Int? = nil,
        trustedLocation: Bool = false, processing: [(String, String)] = []
    ) -> DSignIn {
        let id = nextID(0x51)
        let signIn = DSignIn(
            id: id, time: time, kind: kind, user: user, sid: sid, net: net, device: device, app: app, resource: resource,
            result: result, tokenType: tokenType, authProtocol: authProtocol, transferMethod: transferMethod,
            correlationId: correlation ?? nextID(0xc0), protection: protection, protectionCode: protectionCode,
            trustedLocation: trustedLocation, processing: processing)
        events.append(.signIn(signIn))
        return signIn
    }

    /// A service-principal sign-in (its session id is unique per token, schemas.md §1.3).
    @discardableResult
    mutating func servicePrincipalSignIn(_ time: Int, spId: String, spName: String, app: DApp, net: DNet, resource: DApp = .graph) -> DSignIn {
        let id = nextID(0x5b)
        var signIn = DSignIn(
            id: id, time: time, kind: .servicePrincipal, user: nil, sid: nextID(0x5d), net: net,
            device: DDevice(ua: "", os: "", browser: ""), app: app, resource: resource, correlationId: nextID(0xc0))
        signIn.servicePrincipal = (spId, spName)
        events.append(.signIn(signIn))
        return signIn
    }

    /// A Graph request. `token` links it by `SignInActivityId` (iat = sign-in − 5 min unless told).
    mutating func graph(
        _ time: Int, token: DSignIn?, uti: String? = nil, sid: String?, user: DUser? = .alice, servicePrincipalId: String? = nil,
        ip: String, method: String = "GET", uri: String, ua: String = "", app: DApp? = nil, iat: Int? = nil, status: Int = 200,
        deviceId: String? = nil
    ) {
        let call = DGraphCall(
            id: nextID(0x9a), time: time, uti: uti ?? token?.uti, sid: sid, user: user, servicePrincipalId: servicePrincipalId, ip: ip,
            method: method, uri: uri.hasPrefix("https://") ? uri : "https://graph.microsoft.com" + uri, ua: ua,
            app: app ?? token?.app ?? .office, iat: iat ?? token.map { $0.time - 300 }, status: status, deviceId: deviceId)
        events.append(.graph(call))
    }

    /// An audit record (Exchange, SharePoint, Entra directory).
    mutating func audit(
        _ time: Int, _ operation: String, recordType: Int, workload: String = "Exchange", user: DUser = .alice, ip: String?,
        token: DSignIn?, uti: String? = nil, sid: String?, iat: Int? = nil, app: DApp? = nil, ua: String? = nil,
        parameters: [(String, String)] = [], extra: [(String, DJ)] = []
    ) {
        let record = DAudit(
            id: nextID(0xa0), time: time, operation: operation, recordType: recordType, workload: workload, user: user, ip: ip,
            sid: sid, uti: uti ?? token?.uti, iat: iat ?? token.map { $0.time - 300 }, app: app ?? token?.app, ua: ua,
            parameters: parameters, extra: extra)
        events.append(.audit(record))
    }

    /// A `MailItemsAccessed` record (RecordType 50) for one item.
    mutating func mailItemsAccessed(_ time: Int, ip: String, token: DSignIn?, sid: String?, accessType: String = "Bind", ua: String? = nil, app: DApp? = nil) {
        let itemId = nextID(0x17)
        audit(time, "MailItemsAccessed", recordType: 50, ip: ip, token: token, sid: sid, app: app, ua: ua,
              parameters: [("MailAccessType", accessType), ("IsThrottled", "False")],
              extra: [("OperationCount", .i(1)), ("MailboxOwnerUPN", .s("alice@contoso.com")),
                      ("Folders", .a([.o([("Path", .s("\\Inbox")), ("FolderItems", .a([.o([("Id", .s(itemId)), ("SizeInBytes", .i(48213))])]))])]))])
    }

    // MARK: Rendering

    /// The files of this scenario in `shape` (name → content).
    func render(_ shape: DetectionShape) -> [(String, String)] {
        let ordered = events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        let signIns = ordered.compactMap { if case .signIn(let s) = $0 { return s } else { return nil } }
        let calls = ordered.compactMap { if case .graph(let g) = $0 { return g } else { return nil } }
        let audits = ordered.compactMap { if case .audit(let a) = $0 { return a } else { return nil } }
        var countryByIP: [String: String] = [:]
        for s in signIns where countryByIP[s.net.ip] == nil { countryByIP[s.net.ip] = s.net.country }
        var files: [(String, String)] = []
        switch shape {
        case .logAnalytics:
            if !signIns.isEmpty { files.append(("la/signins.ndjson", signIns.map { DRender.laSignIn($0).text }.joined(separator: "\n") + "\n")) }
            if !calls.isEmpty { files.append(("la/graph.ndjson", calls.map { DRender.laGraph($0).text }.joined(separator: "\n") + "\n")) }
            if !audits.isEmpty { files.append(("ual/management.json", audits.map { DRender.auditData($0, zone: false).text }.joined(separator: "\n") + "\n")) }
        case .diagnosticSettings:
            if !signIns.isEmpty { files.append(("diag/signins-PT1H.json", signIns.map { DRender.diagSignIn($0).text }.joined(separator: "\r\n") + "\r\n")) }
            if !calls.isEmpty { files.append(("diag/graph-PT1H.json", calls.map { DRender.diagGraph($0).text }.joined(separator: "\r\n") + "\r\n")) }
            if !audits.isEmpty { files.append(("ual/purview.csv", DRender.purviewCSV(audits))) }
        case .graphAPIAndDefender:
            if !signIns.isEmpty {
                let page = DJ.o([
                    ("@odata.context", .s("https://graph.microsoft.com/beta/$metadata#auditLogs/signIns")),
                    ("value", .a(signIns.map { DRender.graphSignIn($0, withEventTypes: true) })),
                ])
                files.append(("graph/signins-page.json", page.text + "\n"))
            }
            if !calls.isEmpty { files.append(("la/graph.json", "[\n" + calls.map { DRender.laGraph($0).text }.joined(separator: ",\n") + "\n]\n")) }
            if !audits.isEmpty { files.append(("defender/cloudappevents.json", audits.map { DRender.cloudAppEvent($0, countryByIP: countryByIP).text }.joined(separator: "\n") + "\n")) }
        }
        return files
    }
}

/// Renders abstract events as records of each export shape.
enum DRender {
    static func location(_ s: DSignIn) -> DJ {
        .o([("city", .s(s.net.city)), ("state", .s(s.net.city)), ("countryOrRegion", .s(s.net.country)),
            ("geoCoordinates", .o([("altitude", .null), ("latitude", .d(s.net.lat)), ("longitude", .d(s.net.lon))]))])
    }

    static func deviceDetail(_ s: DSignIn) -> DJ {
        var pairs: [(String, DJ)] = [("deviceId", .s(s.device.id)), ("displayName", .s(s.device.name)),
                                      ("operatingSystem", .s(s.device.os)), ("browser", .s(s.device.browser))]
        if let compliant = s.device.compliant { pairs.append(("isCompliant", .b(compliant))) }
        if let managed = s.device.managed { pairs.append(("isManaged", .b(managed))) }
        pairs.append(("trustType", .s(s.device.trust)))
        return .o(pairs)
    }

    static func status(_ s: DSignIn) -> DJ {
        .o([("errorCode", .i(s.result)), ("failureReason", .s(s.result == 0 ? "Other." : "Authentication failed.")), ("additionalDetails", .null)])
    }

    static func networkLocations(_ s: DSignIn) -> DJ {
        s.trustedLocation ? .a([.o([("networkType", .s("trustedNamedLocation")), ("networkNames", .a([.s("Corporate egress")]))])]) : .a([])
    }

    static func tokenProtection(_ s: DSignIn) -> DJ {
        .o([("signInSessionStatus", .s(s.protection ?? "none")), ("signInSessionStatusCode", s.protectionCode.map { .i($0) } ?? .null)])
    }

    static func processing(_ s: DSignIn) -> DJ {
        .a(s.processing.map { .o([("key", .s($0.0)), ("value", .s($0.1))]) })
    }

    /// A Log Analytics row (`SigninLogs` nested columns as objects; the other sign-in tables type
    /// them as strings, schemas.md §2.2).
    static func laSignIn(_ s: DSignIn) -> DJ {
        let nested: (DJ) -> DJ = { s.kind == .interactive ? $0 : $0.asString }
        var pairs: [(String, DJ)] = [
            ("TenantId", .s(DIds.workspace)), ("Type", .s(s.table)),
            ("TimeGenerated", .s(DTime.seven(s.time + 240))), ("CreatedDateTime", .s(DTime.seven(s.time))),
            ("Id", .s(s.id)), ("CorrelationId", .s(s.correlationId)), ("OriginalRequestId", .s(s.id)),
            ("SessionId", .s(s.sid ?? "")), ("UniqueTokenIdentifier", .s(s.uti)),
        ]
        if let user = s.user {
            pairs += [("UserId", .s(user.oid)), ("UserPrincipalName", .s(user.upn)), ("UserDisplayName", .s(user.name)), ("UserType", .s("Member"))]
        }
        if let sp = s.servicePrincipal {
            pairs += [("ServicePrincipalId", .s(sp.id)), ("ServicePrincipalName", .s(sp.name)), ("ClientCredentialType", .s("federatedIdentityCredential"))]
        }
        pairs += [
            ("AppId", .s(s.app.id)), ("AppDisplayName", .s(s.app.name)),
            ("ResourceIdentity", .s(s.resource.id)), ("ResourceDisplayName", .s(s.resource.name)),
            ("ResourceId", .s("/tenants/\(DIds.tenant)/providers/Microsoft.aadiam")), ("ResourceTenantId", .s(DIds.tenant)),
            ("IPAddress", .s(s.net.ip)), ("AutonomousSystemNumber", .s(String(s.net.asn))),
            ("Location", .s(s.net.country)), ("LocationDetails", nested(location(s))),
            ("UserAgent", .s(s.device.ua)),
            ("IsInteractive", .b(s.kind == .interactive)),
            ("IncomingTokenType", .s(s.tokenType)), ("AuthenticationProtocol", .s(s.authProtocol)),
            ("OriginalTransferMethod", .s(s.transferMethod)),
            ("ClientAppUsed", .s(s.device.browser.isEmpty || s.kind != .interactive ? "Mobile Apps and Desktop clients" : "Browser")),
            ("ResultType", .s(String(s.result))), ("ResultDescription", .s(s.result == 0 ? "Other." : "Authentication failed.")),
            ("Status", nested(status(s))),
            ("NetworkLocationDetails", networkLocations(s).asString),
            ("TokenProtectionStatusDetails", tokenProtection(s).asString),
            ("AuthenticationProcessingDetails", processing(s).asString),
        ]
        if s.kind != .servicePrincipal { pairs.append(("DeviceDetail", nested(deviceDetail(s)))) }
        return .o(pairs)
    }

    /// The Graph `signIn` object (also the diagnostic-settings `properties`).
    static func graphSignIn(_ s: DSignIn, withEventTypes: Bool) -> DJ {
        var pairs: [(String, DJ)] = [
            ("id", .s(s.id)), ("createdDateTime", .s(withEventTypes ? DTime.iso(s.time) : DTime.diag(s.time))),
            ("userDisplayName", DJ.optional(s.user?.name)), ("userPrincipalName", .s(s.user?.upn ?? "")), ("userId", .s(s.user?.oid ?? "")),
            ("appId", .s(s.app.id)), ("appDisplayName", .s(s.app.name)),
            ("ipAddress", .s(s.net.ip)), ("autonomousSystemNumber", .i(s.net.asn)),
            ("clientAppUsed", .s(s.kind == .interactive ? "Browser" : "Mobile Apps and Desktop clients")),
            ("correlationId", .s(s.correlationId)), ("originalRequestId", .s(s.id)),
            ("isInteractive", .b(s.kind == .interactive)),
            ("resourceDisplayName", .s(s.resource.name)), ("resourceId", .s(s.resource.id)), ("resourceTenantId", .s(DIds.tenant)),
            ("homeTenantId", .s(DIds.tenant)),
            ("sessionId", .s(s.sid ?? "")), ("uniqueTokenIdentifier", .s(s.uti)),
            ("incomingTokenType", .s(s.tokenType)), ("authenticationProtocol", .s(s.authProtocol)),
            ("originalTransferMethod", .s(s.transferMethod)),
            ("userAgent", .s(s.device.ua)),
            ("status", status(s)), ("location", location(s)),
            ("networkLocationDetails", networkLocations(s)),
            ("tokenProtectionStatusDetails", tokenProtection(s)),
            ("authenticationProcessingDetails", processing(s)),
        ]
        if withEventTypes {
            let type: String
            switch s.kind {
            case .interactive: type = "interactiveUser"
            case .nonInteractive: type = "nonInteractiveUser"
            case .servicePrincipal: type = "servicePrincipal"
            }
            pairs.append(("signInEventTypes", .a([.s(type)])))
        }
        if let sp = s.servicePrincipal {
            pairs += [("servicePrincipalId", .s(sp.id)), ("servicePrincipalName", .s(sp.name)), ("clientCredentialType", .s("federatedIdentityCredential"))]
        } else {
            pairs.append(("deviceDetail", deviceDetail(s)))
        }
        return .o(pairs)
    }

    static func diagSignIn(_ s: DSignIn) -> DJ {
        let category: String
        switch s.kind {
        case .interactive: category = "SignInLogs"
        case .nonInteractive: category = "NonInteractiveUserSignInLogs"
        case .servicePrincipal: category = "ServicePrincipalSignInLogs"
        }
        return .o([
            ("time", .s(DTime.seven(s.time + 600))), ("resourceId", .s("/tenants/\(DIds.tenant)/providers/Microsoft.aadiam")),
            ("operationName", .s("Sign-in activity")), ("operationVersion", .s("1.0")), ("category", .s(category)),
            ("tenantId", .s(DIds.tenant)), ("resultType", .s(String(s.result))), ("resultSignature", .s("None")),
            ("durationMs", .i(0)), ("callerIpAddress", .s(s.net.ip)), ("correlationId", .s(s.correlationId)),
            ("identity", .s(s.user?.name ?? s.servicePrincipal?.name ?? "")), ("Level", .i(4)), ("location", .s(s.net.country)),
            ("properties", graphSignIn(s, withEventTypes: false)),
        ])
    }

    static func laGraph(_ g: DGraphCall) -> DJ {
        var pairs: [(String, DJ)] = [
            ("TenantId", .s(DIds.workspace)), ("Type", .s("MicrosoftGraphActivityLogs")),
            ("TimeGenerated", .s(DTime.seven(g.time))), ("Location", .s("Switzerland North")),
            ("RequestId", .s(g.id)), ("OperationId", .s(g.id)), ("ClientRequestId", .s(g.id)),
            ("UserId", DJ.optional(g.user?.oid)), ("ServicePrincipalId", DJ.optional(g.servicePrincipalId)),
            ("ApiVersion", .s(g.uri.contains("/beta/") ? "beta" : "v1.0")),
            ("RequestMethod", .s(g.method)), ("ResponseStatusCode", .i(g.status)),
            ("ResponseSizeBytes", .i(2_048)), ("DurationMs", .i(120)),
            ("RequestUri", .s(g.uri)), ("IPAddress", .s(g.ip)), ("UserAgent", .s(g.ua)),
            ("AppId", .s(g.app.id)), ("SignInActivityId", DJ.optional(g.uti)), ("SessionId", DJ.optional(g.sid)),
            ("DeviceId", DJ.optional(g.deviceId)),
            ("TokenIssuedAt", g.iat.map { .s(DTime.seven($0)) } ?? .null),
            ("Roles", .s(g.user == nil ? "Application.Read.All" : "")),
            ("Scopes", .s(g.user == nil ? "" : "Mail.Read User.Read.All Directory.Read.All")),
            ("ClientAuthMethod", .i(g.user == nil ? 2 : 0)), ("AadTenantId", .s(DIds.tenant)),
        ]
        pairs.append(("IdentityProvider", .s("https://sts.windows.net/\(DIds.tenant)/")))
        return .o(pairs)
    }

    static func diagGraph(_ g: DGraphCall) -> DJ {
        var properties: [(String, DJ)] = [
            ("timeGenerated", .s(DTime.seven(g.time))), ("location", .s("Switzerland North")),
            ("requestId", .s(g.id)), ("operationId", .s(g.id)), ("clientRequestId", .s(g.id)),
            ("apiVersion", .s(g.uri.contains("/beta/") ? "beta" : "v1.0")),
            ("requestMethod", .s(g.method)), ("responseStatusCode", .i(g.status)), ("tenantId", .s(DIds.tenant)),
            ("durationMs", .i(120)), ("responseSizeBytes", .i(2_048)),
            ("servicePrincipalId", DJ.optional(g.servicePrincipalId)),
            ("requestUri", .s(g.uri)), ("ipAddress", .s(g.ip)), ("userAgent", .s(g.ua)),
            ("roles", .s(g.user == nil ? "Application.Read.All" : "")),
            ("scopes", .s(g.user == nil ? "" : "Mail.Read User.Read.All Directory.Read.All")),
            ("identityProvider", .s("https://sts.windows.net/\(DIds.tenant)/")),
            ("clientAuthMethod", .s(g.user == nil ? "2" : "0")),
            ("appId", .s(g.app.id)), ("signInActivityId", DJ.optional(g.uti)),
            ("C_Idtyp", .s(g.user == nil ? "app" : "user")),
        ]
        if let user = g.user { properties += [("userId", .s(user.oid)), ("UserPrincipalObjectID", .s(user.oid))] }
        if let sp = g.servicePrincipalId { properties.append(("UserPrincipalObjectID", .s(sp))) }
        if let sid = g.sid { properties.append(("C_Sid", .s(sid))) }
        if let device = g.deviceId { properties.append(("C_DeviceId", .s(device))) }
        if let iat = g.iat { properties += [("tokenIssuedAt", .s(DTime.seven(iat))), ("C_Iat", .s(String(iat)))] }
        return .o([
            ("time", .s(DTime.seven(g.time))), ("resourceId", .s("/TENANTS/\(DIds.tenant.uppercased())/PROVIDERS/MICROSOFT.AADIAM")),
            ("operationName", .s("Microsoft Graph Activity")), ("operationVersion", .s(g.uri.contains("/beta/") ? "beta" : "v1.0")),
            ("category", .s("MicrosoftGraphActivityLogs")), ("resultSignature", .s(String(g.status))), ("durationMs", .s("120")),
            ("callerIpAddress", .s(g.ip)), ("correlationId", .s(g.id)), ("level", .s("Informational")), ("location", .s("Switzerland North")),
            ("properties", .o(properties)),
        ])
    }

    /// The AuditData object (Management Activity API, Purview's AuditData column, CloudAppEvents
    /// RawEventData; `zone` adds the `Z` CloudAppEvents writes).
    static func auditData(_ a: DAudit, zone: Bool) -> DJ {
        var pairs: [(String, DJ)] = [
            ("CreationTime", .s(zone ? DTime.iso(a.time) : DTime.plain(a.time))), ("Id", .s(a.id)), ("Operation", .s(a.operation)),
            ("OrganizationId", .s(DIds.tenant)), ("RecordType", .i(a.recordType)),
            ("ResultStatus", .s(a.workload == "AzureActiveDirectory" ? "Success" : "True")),
            ("UserKey", .s(a.user.oid)), ("UserType", .i(0)), ("Version", .i(1)), ("Workload", .s(a.workload)),
            ("UserId", .s(a.workload == "Exchange" ? a.user.upn.prefix(1).uppercased() + a.user.upn.dropFirst() : a.user.upn)),
        ]
        if let ip = a.ip {
            // Exchange admin records carry a port (schemas.md §5.5); mailbox records use ClientIPAddress.
            if a.recordType == 50 {
                pairs += [("ClientIPAddress", .s(ip)), ("ClientIP", .s(ip))]
            } else if a.workload == "Exchange" {
                pairs.append(("ClientIP", .s(ip.contains(":") ? "[\(ip)]:50123" : "\(ip):50123")))
            } else {
                pairs.append(("ClientIP", .s(ip)))
            }
        }
        if let app = a.app { pairs += [("AppId", .s(app.id)), ("ClientAppId", .s(app.id))] }
        if let ua = a.ua {
            pairs.append((a.workload == "Exchange" ? "ClientInfoString" : "UserAgent", .s(ua)))
        }
        if a.sid != nil || a.uti != nil || a.workload == "Exchange" || a.workload == "SharePoint" || a.workload == "OneDrive" {
            pairs += [("TokenObjectId", .s(a.user.oid)), ("TokenTenantId", .s(DIds.tenant))]
            var context: [(String, DJ)] = []
            if let sid = a.sid { context.append(("AADSessionId", .s(sid))) }
            if let app = a.app { context += [("APIId", .s("")), ("ClientAppId", .s(app.id))] }
            if let iat = a.iat { context.append(("IssuedAtTime", .s(zone ? DTime.iso(iat) : DTime.plain(iat)))) }
            context.append(("UniqueTokenId", .s(a.uti ?? "")))
            pairs.append(("AppAccessContext", .o(context)))
        }
        if !a.parameters.isEmpty {
            let list = DJ.a(a.parameters.map { .o([("Name", .s($0.0)), ("Value", .s($0.1))]) })
            pairs.append((a.recordType == 50 ? "OperationProperties" : "Parameters", list))
        }
        return .o(pairs + a.extra)
    }

    static func purviewCSV(_ audits: [DAudit]) -> String {
        var lines = ["RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames"]
        for a in audits {
            lines.append([a.id, DTime.purview(a.time), String(a.recordType), a.operation, a.user.upn, auditData(a, zone: false).text, "", ""].map(detectionCSVCell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The `ISP` CloudAppEvents gives for the addresses the fixtures use (detections.md §1: an
    /// action's ASN may come from the CloudAppEvents ISP when no sign-in row has its IP).
    static let ispByIP: [String: String] = [
        "52.98.34.17": "Microsoft Corporation", "52.112.10.20": "Microsoft Corporation", "20.50.1.9": "Microsoft Corporation",
        "185.220.101.5": "M247 Europe SRL", "91.132.1.1": "M247 Europe SRL", "45.55.1.2": "DigitalOcean, LLC",
        "159.203.10.20": "DigitalOcean, LLC", "203.0.113.10": "Contoso Corporate Egress", "198.51.100.80": "Swiss Home ISP",
        "198.51.100.200": "British Telecommunications PLC", "203.0.113.77": "CorpISP",
    ]

    static func cloudAppEvent(_ a: DAudit, countryByIP: [String: String]) -> DJ {
        let application: String
        switch a.workload {
        case "Exchange": application = "Microsoft Exchange Online"
        case "SharePoint": application = "Microsoft SharePoint Online"
        case "OneDrive": application = "Microsoft OneDrive for Business"
        default: application = "Microsoft 365"
        }
        var row: [(String, DJ)] = [
            ("Timestamp", .s(DTime.plain(a.time) + ".000Z")), ("ActionType", .s(a.operation)), ("Application", .s(application)),
            ("ApplicationId", .i(20_893)), ("AccountObjectId", .s(a.user.oid)), ("AccountId", .s(a.user.oid)),
            ("AccountDisplayName", .s(a.user.name)), ("IsAdminOperation", .i(0)), ("DeviceType", .s("")), ("OSPlatform", .s("")),
            ("IPAddress", DJ.optional(a.ip)), ("IsAnonymousProxy", .b(false)),
        ]
        if let ip = a.ip, let country = countryByIP[ip] { row.append(("CountryCode", .s(country))) }
        if let ip = a.ip, let isp = ispByIP[ip] { row.append(("ISP", .s(isp))) }
        row += [
            ("UserAgent", DJ.optional(a.ua)), ("ActivityType", .s("Run")), ("ActivityObjects", .s("")),
            ("ReportId", .s("r-" + a.id)), ("AccountType", .s("Regular")), ("IsExternalUser", .b(false)), ("IsImpersonated", .b(false)),
            ("IPTags", .a([])), ("UserAgentTags", .a([])), ("AuditSource", .s("Defender for Cloud Apps access control")),
            ("SessionData", .o([("InLineSessionId", .s("11aa22bb-3344-5566-7788-99aabbccddee"))])),
            ("RawEventData", auditData(a, zone: true)), ("AdditionalFields", .o([])),
        ]
        if let app = a.app { row.append(("OAuthAppId", .s(app.id))) }
        return .o([
            ("time", .s(DTime.seven(a.time + 90))), ("tenantId", .s(DIds.tenant)), ("operationName", .s("Publish")),
            ("category", .s("AdvancedHunting-CloudAppEvents")), ("Tenant", .s("DefaultTenant")), ("properties", .o(row)),
        ])
    }
}

// MARK: - Running and asserting

/// The contract family of every rule (Finding.swift: "These names are a stable contract").
let detectionRuleFamilies: [String: String] = [
    "sess-branch-new-net": "context-divergence", "sess-branch-new-country": "context-divergence",
    "sess-device-mismatch": "context-divergence", "sess-client-change": "context-divergence",
    "sess-concurrent-branches": "context-divergence", "sess-impossible-travel": "impossible-travel",
    "sess-root-absent": "root-absent",
    "tok-use-ip-mismatch": "token-replay", "tok-lifetime-exceeded": "token-replay", "tok-sp-replay": "token-replay",
    "tok-orphan-use": "orphan-token",
    "root-device-code-split": "device-code-root", "root-aitm-officehome": "device-code-root",
    "root-aitm-kit-ua": "device-code-root", "root-foci-client-switch": "device-code-root",
    "act-inbox-rule-hiding": "risky-action", "act-mail-forwarding": "risky-action", "act-persistence": "risky-action",
    "act-bulk-collection": "risky-action", "act-graph-recon": "risky-action", "act-mass-send": "risky-action",
]

/// One detection run over a rendered scenario.
struct DRun {
    let shape: DetectionShape
    let ingest: IngestResult
    let graph: InvestigationGraph
    let findings: [Finding]

    func of(_ rule: String) -> [Finding] { findings.filter { $0.rule == rule } }
    var rules: Set<String> { Set(findings.map(\.rule)) }
    func highest(_ rule: String) -> Severity? { of(rule).map(\.severity).max() }

    /// `rule:severity@branch` for every finding, for failure messages.
    var summary: String {
        findings.map { "\($0.rule):\($0.severity.rawValue)@\($0.branch.map(String.init) ?? "-")" }.joined(separator: ", ")
    }

    /// (rule, severity, branch) of every finding, sorted: equal across export shapes of one scenario.
    var signature: [String] {
        findings.map { "\($0.rule)|\($0.severity.rawValue)|\($0.branch.map(String.init) ?? "-")|\($0.sessionId ?? "-")" }.sorted()
    }
}

enum DetectionHarness {
    /// Writes the files into a fresh temporary folder, ingests it, builds the graph and runs the
    /// detector.
    static func run(_ files: [(String, String)], config: DetectionConfig = DetectionConfig(), shape: DetectionShape = .logAnalytics,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> DRun {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sg-detect-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let ingest = try Ingestor.ingest(paths: [folder.path])
        #expect(ingest.totals.rejected == 0, "[\(shape)] every fixture record must be read: \(ingest.files.flatMap(\.rejections))", sourceLocation: sourceLocation)
        #expect(ingest.totals.unrecognisedFiles == 0, "[\(shape)] unrecognised: \(ingest.files.compactMap(\.unrecognised))", sourceLocation: sourceLocation)
        let graph = GraphBuilder.build(ingest)
        let findings = Detector.run(graph, config: config)
        return DRun(shape: shape, ingest: ingest, graph: graph, findings: findings)
    }

    static func run(_ scenario: DScenario, _ shape: DetectionShape, config: DetectionConfig = DetectionConfig(),
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> DRun {
        let run = try run(scenario.render(shape), config: config, shape: shape, sourceLocation: sourceLocation)
        let shapes = Set(run.ingest.files.flatMap { $0.sources.map(\.shape) })
        #expect(shapes.isSubset(of: shape.expectedShapes), "[\(shape)] files read as \(shapes)", sourceLocation: sourceLocation)
        let total = scenario.events.count
        #expect(run.ingest.totals.used == total, "[\(shape)] \(run.ingest.totals.used) events used of \(total) written", sourceLocation: sourceLocation)
        return run
    }
}

// MARK: Expectations

/// The rule fired, every finding of it carries the rule's contract family, and the highest is at
/// least `atLeast`.
func expectFires(_ run: DRun, _ rule: String, atLeast: Severity, sourceLocation: SourceLocation = #_sourceLocation) {
    let found = run.of(rule)
    let fired = !found.isEmpty
    #expect(fired, "[\(run.shape)] \(rule) should fire (≥ \(atLeast.rawValue)); findings: \(run.summary)", sourceLocation: sourceLocation)
    guard fired else { return }
    let family = detectionRuleFamilies[rule]
    let families = Set(found.map(\.family.rawValue))
    #expect(families == [family ?? "?"], "[\(run.shape)] \(rule) family \(families) ≠ \(family ?? "?")", sourceLocation: sourceLocation)
    let top = found.map(\.severity).max()!
    #expect(top >= atLeast, "[\(run.shape)] \(rule) at \(top.rawValue), expected ≥ \(atLeast.rawValue); findings: \(run.summary)", sourceLocation: sourceLocation)
}

/// The rule fired at exactly `severity` (its highest finding).
func expectFiresExactly(_ run: DRun, _ rule: String, _ severity: Severity, sourceLocation: SourceLocation = #_sourceLocation) {
    expectFires(run, rule, atLeast: severity, sourceLocation: sourceLocation)
    if let top = run.highest(rule) {
        #expect(top == severity, "[\(run.shape)] \(rule) at \(top.rawValue), expected exactly \(severity.rawValue); findings: \(run.summary)", sourceLocation: sourceLocation)
    }
}

/// The rule produced no finding (at all, or at `atOrAbove` or higher).
func expectSilent(_ run: DRun, _ rule: String, atOrAbove: Severity = .info, sourceLocation: SourceLocation = #_sourceLocation) {
    let found = run.of(rule).filter { $0.severity >= atOrAbove }
    let silent = found.isEmpty
    #expect(silent, "[\(run.shape)] \(rule) must not fire ≥ \(atOrAbove.rawValue): \(found.map { "\($0.severity.rawValue)@\($0.branch.map(String.init) ?? "-"): \($0.reason)" })", sourceLocation: sourceLocation)
}

/// No finding of any rule at `severity` or higher.
func expectNothing(_ run: DRun, atOrAbove severity: Severity, sourceLocation: SourceLocation = #_sourceLocation) {
    let found = run.findings.filter { $0.severity >= severity }
    let quiet = found.isEmpty
    #expect(quiet, "[\(run.shape)] nothing may fire ≥ \(severity.rawValue): \(found.map { "\($0.rule):\($0.severity.rawValue) \($0.reason) \($0.adjustments)" })", sourceLocation: sourceLocation)
}

/// Every rule that fired is in `allowed` ("a test passes only if every rule not listed produces no
/// finding", detections.md §5).
func expectOnly(_ run: DRun, _ allowed: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) {
    let extra = run.rules.subtracting(allowed)
    let onlyAllowed = extra.isEmpty
    #expect(onlyAllowed, "[\(run.shape)] unexpected rules \(extra.sorted()): \(run.findings.filter { extra.contains($0.rule) }.map { "\($0.rule):\($0.severity.rawValue) \($0.reason)" })", sourceLocation: sourceLocation)
}
