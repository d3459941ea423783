import Foundation

/// A file written through a large in-memory buffer. The file is created (truncated) on the
/// first flush and appended to on later ones, so thousands of hourly files need no open
/// descriptors between flushes.
final class FileSink {
    let path: String
    private var buffer: [UInt8] = []
    private let capacity: Int
    private var created = false
    private(set) var bytesWritten = 0

    init(path: String, capacity: Int) {
        self.path = path
        self.capacity = capacity
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(_ bytes: ArraySlice<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    func flush() throws {
        if !created {
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw SimulatorError.cannotWrite(path)
            }
            created = true
        }
        guard !buffer.isEmpty else { return }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw SimulatorError.cannotWrite(path) }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: buffer)
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    static func writeWhole(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw SimulatorError.cannotWrite(path) }
    }
}

public enum SimulatorError: Error, CustomStringConvertible {
    case cannotWrite(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path): return "cannot write \(path)"
        case .invalidArgument(let message): return message
        }
    }
}

/// gzip with stored (uncompressed) deflate blocks: a valid `.gz` that any reader inflates,
/// written without a compression library (Foundation has none on Linux).
enum Gzip {
    static func stored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF]
        out.reserveCapacity(data.count + data.count / 65535 * 5 + 32)
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final = offset + length >= data.count
            out.append(final ? 1 : 0)
            out.append(UInt8(length & 0xFF)); out.append(UInt8(length >> 8))
            out.append(UInt8(~length & 0xFF)); out.append(UInt8((~length >> 8) & 0xFF))
            out.append(contentsOf: data[offset..<offset + length])
            offset += length
        } while offset < data.count
        let crc = crc32(data)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        let size = UInt32(truncatingIfNeeded: data.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return out
    }

    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// One output stream: a file, how its records are framed, and its header.
struct StreamSpec {
    var path: String
    /// Records are written `,\n{...}`; the file is `[` ... `]`.
    var jsonArray = false
    var header: String?
}

/// Where each kind of record goes, for one layout.
struct LayoutPlan {
    let layout: SimulatorLayout
    let streams: [StreamSpec]
    /// Hours covered by the hourly diagnostic-settings files (mixed layout).
    let hours: Int
    let start: Micros

    static let signIns = 0, graph = 1, cloudApp = 2, audit = 3
    static let mixedSignInLogs = 0, mixedCloudApp = 1, mixedPurview = 2, mixedHourly = 3

    init(layout: SimulatorLayout, tenant: Tenant) {
        self.layout = layout
        start = tenant.start
        hours = (tenant.days + 1) * 24
        switch layout {
        case .ndjson:
            streams = [StreamSpec(path: "signins.ndjson"), StreamSpec(path: "graph.ndjson"),
                       StreamSpec(path: "cloudapp.ndjson"), StreamSpec(path: "ual.ndjson")]
        case .mixed:
            var b = ByteBuffer(capacity: 64)
            b.time(tenant.start, .isoSecondsZ)
            let first = String(b.string.prefix(10))
            b.removeAll()
            b.time(tenant.start + Micros(max(tenant.days, 1) - 1) * Time.day, .isoSecondsZ)
            let last = String(b.string.prefix(10))
            var specs = [
                StreamSpec(path: "SigninLogs/SigninLogs_\(first)_\(last).json", jsonArray: true),
                StreamSpec(path: "DefenderXDR/CloudAppEvents_\(first)_\(last).csv",
                           header: "Timestamp,ReportId,ActionType,Application,ApplicationId,AccountObjectId,AccountId,AccountDisplayName,IPAddress,CountryCode,City,Isp,UserAgent,ActivityType,ObjectName,IsAnonymousProxy,RawEventData\r\n"),
                StreamSpec(path: "Purview/AuditLog_\(first)_\(last).csv",
                           header: "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n"),
            ]
            let tid = tenant.tenantId.string
            for category in ["noninteractiveusersigninlogs", "microsoftgraphactivitylogs"] {
                for hour in 0..<hours {
                    let p = Time.parts(tenant.start + Micros(hour) * Time.hour)
                    var path = ByteBuffer(capacity: 128)
                    path.raw("insights-logs-\(category)/tenantId=\(tid)/y=")
                    path.padded(p.year, width: 4); path.raw("/m="); path.padded(p.month, width: 2)
                    path.raw("/d="); path.padded(p.day, width: 2); path.raw("/h="); path.padded(p.hour, width: 2)
                    path.raw("/m=00/PT1H.json")
                    specs.append(StreamSpec(path: path.string))
                }
            }
            streams = specs
        }
    }

    func hourStream(_ t: Micros, graph: Bool) -> Int {
        let hour = Int(min(max(Time.floorDiv(t - start, Time.hour), 0), Micros(hours - 1)))
        return LayoutPlan.mixedHourly + (graph ? hours : 0) + hour
    }
}
