import Foundation
import SessionGraph

public enum SimulatorLayout: String, Sendable, CaseIterable {
    /// The four NDJSON files of peers/README.md (Log Analytics column names).
    case ndjson
    /// The same kinds of events spread over the export shapes analysts receive.
    case mixed
}

public struct SimulatorConfiguration: Sendable {
    public var users: Int
    public var days: Int
    public var seed: UInt64
    public var layout: SimulatorLayout
    /// First day, `YYYY-MM-DD` (UTC midnight).
    public var startDate: String
    public var outputDirectory: String
    /// Where the ground truth goes; `nil` = `<outputDirectory>/truth.json`.
    public var truthPath: String?
    /// Worker threads; `nil` = the number of active processors. The output does not depend on it.
    public var threads: Int?

    public init(users: Int, days: Int, seed: UInt64, layout: SimulatorLayout, startDate: String, outputDirectory: String,
                truthPath: String? = nil, threads: Int? = nil) {
        self.users = users
        self.days = days
        self.seed = seed
        self.layout = layout
        self.startDate = startDate
        self.outputDirectory = outputDirectory
        self.truthPath = truthPath
        self.threads = threads
    }
}

/// What a run wrote.
public struct SimulationSummary: Sendable {
    public struct FileCount: Sendable {
        public var path: String
        public var records: Int
        public var bytes: Int
    }

    public struct Incident: Sendable {
        public var scenario: String
        public var user: String
        public var sessionId: String
        public var attackerIPs: [String]
        public var families: [String]
    }

    public var files: [FileCount]
    public var signIns: Int
    public var interactive: Int
    public var nonInteractive: Int
    public var servicePrincipal: Int
    public var graph: Int
    public var cloudApp: Int
    public var audit: Int
    /// Diagnostic-settings records delivered twice (mixed layout); not counted above.
    public var redelivered: Int
    public var bytes: Int
    public var incidents: [Incident]
    public var truthPath: String
}

/// Generates a synthetic tenant's exports: deterministic for a seed, streamed to disk.
public enum Simulator {
    static let usersPerChunk = 16

    /// Whether `text` is a `YYYY-MM-DD` date the simulator can start on.
    public static func isValidStartDate(_ text: String) -> Bool { Time.parseDate(text) != nil }

    public static func run(_ config: SimulatorConfiguration) throws -> SimulationSummary {
        guard config.users >= 1 else { throw SimulatorError.invalidArgument("--users must be at least 1") }
        guard config.days >= 1, config.days <= 366 else { throw SimulatorError.invalidArgument("--days must be between 1 and 366") }
        guard let start = Time.parseDate(config.startDate) else {
            throw SimulatorError.invalidArgument("--start '\(config.startDate)' is not a date (expected YYYY-MM-DD)")
        }
        let tenant = Tenant(seed: config.seed, userCount: config.users, days: config.days, start: start)
        let plan = LayoutPlan(layout: config.layout, tenant: tenant)
        let root = config.outputDirectory
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)

        // Sinks are created lazily, so hours without records leave no file.
        var sinks: [FileSink?] = plan.streams.map { _ in nil }
        var counts = [Int](repeating: 0, count: plan.streams.count)
        func sink(_ stream: Int) throws -> FileSink {
            if let existing = sinks[stream] { return existing }
            let spec = plan.streams[stream]
            let hourly = config.layout == .mixed && stream >= LayoutPlan.mixedHourly
            let s = FileSink(path: root + "/" + spec.path, capacity: hourly ? 1 << 18 : 4 << 20)
            if spec.jsonArray { try s.write("[\n") }
            if let header = spec.header { try s.write(header) }
            sinks[stream] = s
            return s
        }

        var stats = ChunkEmitter.Stats()
        var incidents: [IncidentTruth] = []
        var benign: [BenignNote] = []
        var benignTotals: [String: Int] = [:]
        func absorb(_ emitter: ChunkEmitter) throws {
            for stream in 0..<emitter.buffers.count where !emitter.buffers[stream].isEmpty {
                let s = try sink(stream)
                var bytes = emitter.buffers[stream].bytes[...]
                if plan.streams[stream].jsonArray, counts[stream] == 0 { bytes = bytes.dropFirst(2) }
                try s.write(bytes)
                counts[stream] += emitter.counts[stream]
            }
            stats.add(emitter.stats)
            incidents += emitter.incidents
            for note in emitter.benign {
                benignTotals[note.kind, default: 0] += 1
                if benign.filter({ $0.kind == note.kind }).count < 20 { benign.append(note) }
            }
        }

        // Users, in chunks generated in parallel and written in order.
        let chunkCount = (config.users + usersPerChunk - 1) / usersPerChunk
        let threads = max(1, config.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let wave = threads * 4
        var first = 0
        while first < chunkCount {
            let last = min(first + wave, chunkCount)
            let slots = ParallelSlots<ChunkEmitter>(count: last - first)
            let base = first
            DispatchQueue.concurrentPerform(iterations: last - first) { offset in
                let chunk = base + offset
                let emitter = ChunkEmitter(tenant: tenant, plan: plan, chunk: chunk)
                let lower = chunk * usersPerChunk
                for index in lower..<min(lower + usersPerChunk, tenant.users.count) {
                    var simulator = UserSimulator(tenant: tenant, userIndex: index, out: emitter)
                    simulator.run()
                }
                slots.store(emitter, at: offset)
            }
            for emitter in slots.take() { try absorb(emitter) }
            first = last
        }

        // Service principals: app-only sign-ins and Graph calls.
        let spEmitter = ChunkEmitter(tenant: tenant, plan: plan, chunk: chunkCount)
        for sp in tenant.servicePrincipals {
            var simulator = ServicePrincipalSimulator(tenant: tenant, index: sp.index, out: spEmitter)
            simulator.run()
        }
        let pageRecords = spEmitter.graphPageRecords
        try absorb(spEmitter)

        var files: [SimulationSummary.FileCount] = []
        for stream in 0..<sinks.count {
            guard let s = sinks[stream] else { continue }
            if plan.streams[stream].jsonArray { try s.write("\n]\n") }
            try s.flush()
            files.append(.init(path: plan.streams[stream].path, records: counts[stream], bytes: s.bytesWritten))
        }

        // Graph API pages of service-principal sign-ins (1,000 per page, gzip), mixed layout.
        if config.layout == .mixed, !pageRecords.isEmpty {
            let pageSize = 1000
            let pageCount = (pageRecords.count + pageSize - 1) / pageSize
            for page in 0..<pageCount {
                var b = ByteBuffer(capacity: 1 << 20)
                b.raw("{\"@odata.context\":\"https://graph.microsoft.com/beta/$metadata#auditLogs/signIns\"")
                if page + 1 < pageCount {
                    b.raw(",\"@odata.nextLink\":\"https://graph.microsoft.com/beta/auditLogs/signIns?$filter=signInEventTypes/any(t:t%20eq%20%27servicePrincipal%27)&$top=1000&$skiptoken=")
                    b.raw(randomHexFromSeed(config.seed, page: page))
                    b.raw("\"")
                }
                b.raw(",\"value\":[\n")
                let lower = page * pageSize
                for i in lower..<min(lower + pageSize, pageRecords.count) {
                    if i > lower { b.raw(",\n") }
                    b.raw(pageRecords[i])
                }
                b.raw("\n]}\n")
                let name = "GraphAPI/servicePrincipalSignIns_page\(page + 1 < 10 ? "00" : (page + 1 < 100 ? "0" : ""))\(page + 1).json.gz"
                let compressed = Gzip.stored(b.bytes)
                try FileSink.writeWhole(compressed, to: root + "/" + name)
                files.append(.init(path: name, records: min(pageSize, pageRecords.count - lower), bytes: compressed.count))
            }
        }

        let truthPath = config.truthPath ?? root + "/truth.json"
        let truth = Truth.document(config: config, tenant: tenant, files: files, stats: stats, incidents: incidents,
                                   benign: benign, benignTotals: benignTotals)
        try FileSink.writeWhole(Array(truth.utf8), to: truthPath)

        return SimulationSummary(
            files: files, signIns: stats.interactive + stats.nonInteractive + stats.servicePrincipal,
            interactive: stats.interactive, nonInteractive: stats.nonInteractive, servicePrincipal: stats.servicePrincipal,
            graph: stats.graph, cloudApp: stats.cloudApp, audit: stats.audit, redelivered: stats.redelivered, bytes: files.reduce(0) { $0 + $1.bytes },
            incidents: incidents.map { .init(scenario: $0.scenario.rawValue, user: $0.user, sessionId: $0.sessionId, attackerIPs: $0.attackerIPs, families: $0.families) },
            truthPath: truthPath)
    }

    static func randomHexFromSeed(_ seed: UInt64, page: Int) -> String {
        var rng = SplitMix64(seed: seed, stream: UInt64(page), salt: 99)
        return randomHex(&rng, count: 64)
    }
}

/// App-only sign-ins of a service principal (a distinct session id on every one, as in real
/// data) and the Graph calls made with each token.
struct ServicePrincipalSimulator {
    let tenant: Tenant
    let sp: ServicePrincipal
    let out: ChunkEmitter
    var rng: SplitMix64

    init(tenant: Tenant, index: Int, out: ChunkEmitter) {
        self.tenant = tenant
        sp = tenant.servicePrincipals[index]
        self.out = out
        rng = SplitMix64(seed: tenant.seed, stream: UInt64(index), salt: 11)
    }

    mutating func run() {
        let app = App(id: sp.appId.string, name: sp.name)
        var t = tenant.start + rng.minutes(0...59)
        let end = tenant.start + Micros(tenant.days) * Time.day
        let ip = sp.network.ipv4(&rng)
        while t < end {
            let id = GUID.requestId(&rng)
            let row = SignInRow(
                kind: .servicePrincipal, time: t, lag: rng.seconds(20...600), id: id, uti: id.uniqueTokenIdentifier,
                correlationId: GUID.random(&rng), originalRequestId: nil, sessionId: GUID.sessionId(&rng), principal: .servicePrincipal(sp.index),
                app: app, resource: Resources.graph, ip: ip, network: sp.network,
                device: .unregistered(os: "", browser: ""), userAgent: "", clientAppUsed: "", incomingTokenType: "none",
                authProtocol: "none", transferMethod: "none", resultType: 0, failureReason: "", additionalDetails: nil, multiFactor: false,
                authMethod: "", secondFactor: nil, tokenProtection: "none", trustedLocation: nil, credentialType: sp.credentialType,
                processingMs: -1, caeToken: false)
            out.signIn(row)
            let calls = rng.int(sp.callsPerToken)
            let lifetime = rng.minutes(55...59)
            for i in 0..<calls {
                let call = rng.pick(GraphCalls.appOnly)
                var path = call.path
                if path.contains("{user}") {
                    path = path.replacingOccurrences(of: "{user}", with: tenant.users[rng.below(tenant.users.count)].objectId.string)
                }
                let time = t + 2 * Time.second + lifetime / Micros(calls) * Micros(i) + rng.seconds(0...30)
                out.graph(GraphCall(
                    time: time, requestId: GUID.random(&rng), clientRequestId: GUID.random(&rng), method: call.method,
                    uri: "https://graph.microsoft.com" + path, apiVersion: path.hasPrefix("/beta") ? "beta" : "v1.0", status: call.status,
                    durationMs: rng.int(30...2500), responseSize: call.status == 204 ? 0 : rng.int(500...250_000), ip: ip, userAgent: "",
                    appId: sp.appId.string, principal: .servicePrincipal(sp.index), uti: row.uti, sessionId: nil, deviceId: nil,
                    tokenIssuedAt: t - 5 * Time.minute, scopes: "", roles: sp.roles, region: "West Europe"))
            }
            t += rng.minutes(58...62)
        }
    }
}
