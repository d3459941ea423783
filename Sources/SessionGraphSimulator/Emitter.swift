import Foundation

/// Serialises records as they are generated into the byte buffers of one chunk of users, per
/// output stream. Chunks are generated in parallel and written in order, so the output does
/// not depend on the number of threads.
final class ChunkEmitter {
    let tenant: Tenant
    let plan: LayoutPlan
    var buffers: [ByteBuffer]
    var counts: [Int]
    /// Service-principal sign-ins as Graph objects (mixed layout: Graph API pages).
    var graphPageRecords: [ByteBuffer] = []
    var stats = Stats()
    var incidents: [IncidentTruth] = []
    var benign: [BenignNote] = []
    private var scratch = ByteBuffer(capacity: 8192)

    struct Stats {
        var interactive = 0, nonInteractive = 0, servicePrincipal = 0, failures = 0
        var graph = 0, cloudApp = 0, audit = 0
        /// Diagnostic-settings records written twice (at-least-once delivery, mixed layout).
        var redelivered = 0

        mutating func add(_ o: Stats) {
            interactive += o.interactive; nonInteractive += o.nonInteractive; servicePrincipal += o.servicePrincipal
            failures += o.failures; graph += o.graph; cloudApp += o.cloudApp; audit += o.audit; redelivered += o.redelivered
        }
    }

    /// Decides re-deliveries; seeded per chunk so the output stays deterministic.
    private var delivery: SplitMix64
    static let redeliveryRate = 0.02

    init(tenant: Tenant, plan: LayoutPlan, chunk: Int) {
        self.tenant = tenant
        self.plan = plan
        delivery = SplitMix64(seed: tenant.seed, stream: UInt64(chunk), salt: 13)
        buffers = plan.streams.map { _ in ByteBuffer(capacity: 0) }
        counts = [Int](repeating: 0, count: plan.streams.count)
    }

    private func append(_ stream: Int, lineEnd: StaticString = "\n") {
        buffers[stream].raw(scratch)
        buffers[stream].raw(lineEnd)
        counts[stream] += 1
        scratch.removeAll()
    }

    func signIn(_ r: SignInRow) {
        switch r.kind {
        case .interactive: stats.interactive += 1
        case .nonInteractive: stats.nonInteractive += 1
        case .servicePrincipal: stats.servicePrincipal += 1
        }
        if r.resultType != 0 { stats.failures += 1 }
        switch plan.layout {
        case .ndjson:
            scratch.signInLogAnalytics(r, tenant: tenant, compact: true)
            append(LayoutPlan.signIns)
        case .mixed:
            switch r.kind {
            case .interactive:
                buffers[LayoutPlan.mixedSignInLogs].raw(",\n")
                scratch.signInLogAnalytics(r, tenant: tenant)
                append(LayoutPlan.mixedSignInLogs, lineEnd: "")
            case .nonInteractive:
                scratch.signInDiagnostic(r, tenant: tenant)
                append(plan.hourStream(r.time + r.lag, graph: false), lineEnd: "\r\n")
                if delivery.chance(ChunkEmitter.redeliveryRate) {
                    // At-least-once delivery: the same record again, fresh envelope time (schemas.md §2.4).
                    let delay = delivery.minutes(1...40)
                    scratch.signInDiagnostic(r, tenant: tenant, redelivery: delay)
                    append(plan.hourStream(r.time + r.lag + delay, graph: false), lineEnd: "\r\n")
                    stats.redelivered += 1
                }
            case .servicePrincipal:
                var record = ByteBuffer(capacity: 3000)
                record.signInGraphObject(r, tenant: tenant, graphStyle: true)
                graphPageRecords.append(record)
            }
        }
    }

    func graph(_ c: GraphCall) {
        stats.graph += 1
        switch plan.layout {
        case .ndjson:
            scratch.graphLogAnalytics(c, tenant: tenant)
            append(LayoutPlan.graph)
        case .mixed:
            scratch.graphDiagnostic(c, tenant: tenant)
            append(plan.hourStream(c.time, graph: true), lineEnd: "\r\n")
            if delivery.chance(ChunkEmitter.redeliveryRate) {
                let delay = delivery.minutes(1...40)
                scratch.graphDiagnostic(c, tenant: tenant, redelivery: delay)
                append(plan.hourStream(c.time + delay, graph: true), lineEnd: "\r\n")
                stats.redelivered += 1
            }
        }
    }

    func audit(_ a: AuditRecord) {
        stats.audit += 1
        switch plan.layout {
        case .ndjson:
            scratch.auditData(a, tenant: tenant, zoned: false)
            append(LayoutPlan.audit)
        case .mixed:
            // Purview: RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames
            var json = ByteBuffer(capacity: 2048)
            json.auditData(a, tenant: tenant, zoned: false)
            scratch.guid(a.id); scratch.byte(0x2C)
            scratch.time(a.time, .usDate); scratch.byte(0x2C)
            scratch.int(a.recordType); scratch.byte(0x2C)
            scratch.csvField(a.operation); scratch.byte(0x2C)
            let user = tenant.users[a.userIndex]
            switch a.body {
            case .setMailbox: scratch.csvField("NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)")
            case .file: scratch.csvField(user.upn)
            default: scratch.csvField(user.upnOriginal)
            }
            scratch.byte(0x2C)
            scratch.csvField(json)
            scratch.raw(",,")
            append(LayoutPlan.mixedPurview, lineEnd: "\r\n")
        }
    }

    func cloudApp(_ e: CloudAppEvent) {
        stats.cloudApp += 1
        switch plan.layout {
        case .ndjson:
            scratch.cloudAppLogAnalytics(e, tenant: tenant, compact: true)
            append(LayoutPlan.cloudApp)
        case .mixed:
            let user = tenant.users[e.audit.userIndex]
            var json = ByteBuffer(capacity: 2048)
            json.auditData(e.audit, tenant: tenant, zoned: true)
            scratch.time(e.audit.time, .iso3Z); scratch.byte(0x2C)
            scratch.csvField(e.reportId); scratch.byte(0x2C)
            scratch.csvField(e.audit.operation); scratch.byte(0x2C)
            scratch.csvField(e.application); scratch.byte(0x2C)
            scratch.int(e.applicationId); scratch.byte(0x2C)
            scratch.guid(user.objectId); scratch.byte(0x2C)
            scratch.guid(user.objectId); scratch.byte(0x2C)
            scratch.csvField(user.displayName); scratch.byte(0x2C)
            scratch.csvField(e.ip); scratch.byte(0x2C)
            scratch.csvField(e.network.country); scratch.byte(0x2C)
            scratch.csvField(e.network.city); scratch.byte(0x2C)
            scratch.csvField(e.network.isp); scratch.byte(0x2C)
            scratch.csvField(e.userAgent); scratch.byte(0x2C)
            scratch.raw("Basic,")
            scratch.csvField(e.objectName); scratch.byte(0x2C)
            scratch.raw("False,")
            scratch.csvField(json)
            append(LayoutPlan.mixedCloudApp, lineEnd: "\r\n")
        }
    }
}
