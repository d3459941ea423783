/// Where a record object came from inside its file, which decides its export shape.
enum RecordOrigin: Equatable {
    case json(JSONContainer)
    case csv
}

/// Recognises what one record is, from its own keys (never from the file name), and hands it to
/// the mapper of its source. A record that is none of the known sources is rejected with the
/// reason.
enum RecordInterpreter {
    static let signInCategories: [String: LogSource] = [
        "signinlogs": .signInLogs,
        "noninteractiveusersigninlogs": .nonInteractiveSignInLogs,
        "serviceprincipalsigninlogs": .servicePrincipalSignInLogs,
        "microsoftserviceprincipalsigninlogs": .servicePrincipalSignInLogs,
        "managedidentitysigninlogs": .managedIdentitySignInLogs,
    ]

    /// The Log Analytics tables a row may name in `Type`, lower-cased.
    static let tables: [(name: String, source: LogSource)] = [
        ("signinlogs", .signInLogs),
        ("aadnoninteractiveusersigninlogs", .nonInteractiveSignInLogs),
        ("aadserviceprincipalsigninlogs", .servicePrincipalSignInLogs),
        ("aadmanagedidentitysigninlogs", .managedIdentitySignInLogs),
        ("microsoftgraphactivitylogs", .graphActivityLogs),
        ("cloudappevents", .cloudAppEvents),
        ("officeactivity", .officeActivity),
    ]

    /// The source of a Log Analytics table name, matched ASCII case-insensitively on the bytes
    /// (every row names its table: no string is made to look it up).
    static func source(ofTable name: UnsafeBufferPointer<UInt8>) -> LogSource? {
        tables.first { table in table.name.withUTF8Bytes { asciiCaseInsensitiveEqual($0, name) } }?.source
    }

    /// Interprets one record; `duplicateKeys` are the keys the parser saw repeated in it.
    static func interpret<Record: RecordFields>(_ record: Record, origin: RecordOrigin, provenance: Provenance, duplicateKeys: [String] = []) throws(RecordRejection) -> EventDraft {
        var draft = EventDraft.blank(provenance)
        try interpret(record, origin: origin, provenance: provenance, duplicateKeys: duplicateKeys, into: &draft)
        return draft
    }

    /// ``interpret(_:origin:provenance:duplicateKeys:)`` into `draft` (``EventDraft/blank(_:)``),
    /// which the mapper replaces and fills; when the record is rejected, the draft is unchanged.
    /// The reader's own draft is filled in place: a draft returned from a mapper was copied field
    /// by field and the original destroyed, once a record (5 % of ingest's CPU time at 488 MB).
    static func interpret<Record: RecordFields>(_ record: Record, origin: RecordOrigin, provenance: Provenance, duplicateKeys: [String] = [],
                                                into draft: inout EventDraft) throws(RecordRejection) {
        try recognise(record, origin: origin, provenance: provenance, into: &draft)
        // Repeated keys: the last value was used (the common reader behaviour); say so.
        for key in duplicateKeys {
            draft.notes.append("key '\(IdentifierNormalizer.clip(key, 40))' appears more than once; the last value was used")
        }
    }

    private static func recognise<Record: RecordFields>(_ record: Record, origin: RecordOrigin, provenance: Provenance, into draft: inout EventDraft) throws(RecordRejection) {
        if let kind = record.nonObjectKind {
            throw RecordRejection(reason: "record is \(kind) (expected an object)")
        }
        // 1. Azure Monitor diagnostic settings / Defender streaming API: envelope + properties.
        if let category = record.text(.category), record.has(.time) || record.has(.properties) {
            return try interpretEnvelope(record, category: category, provenance: provenance, into: &draft)
        }
        let laShape: ExportShape = origin == .csv ? .logAnalyticsCSV : (origin == .json(.array) ? .logAnalyticsJSON : .logAnalyticsNDJSON)
        // 2. Purview / classic audit export: the AuditData column holds the record.
        if origin == .csv, record.has(.auditData) {
            guard let audit = record.object(.auditData) else {
                throw RecordRejection(reason: "AuditData is not a JSON object (expected the audit record as JSON text)")
            }
            return try AuditRecordMapper.map(audit, shape: .purviewCSV, provenance: provenance, into: &draft)
        }
        // 3. A Log Analytics row that names its table.
        if let table = record.field(.type), let source = table.withUTF8(source(ofTable:)) {
            return try map(record, envelope: JSONValue?.none, source: source, shape: laShape, provenance: provenance, into: &draft)
        }
        // 4. Recognised by its columns.
        if record.has(.requestUri) && record.has(.requestMethod) {
            return try GraphActivityRecordMapper.map(record, envelope: JSONValue?.none, shape: laShape, provenance: provenance, into: &draft)
        }
        if record.has(.actionType) && (record.has(.reportId) || record.has(.rawEventData)) {
            let shape: ExportShape = record.has(.timeGenerated) ? laShape : (origin == .csv ? .advancedHuntingCSV : .advancedHuntingJSON)
            return try CloudAppEventRecordMapper.map(record, envelope: JSONValue?.none, shape: shape, provenance: provenance, into: &draft)
        }
        if record.has(.creationTime) && record.has(.operation) && (record.has(.recordType) || record.has(.workload)) {
            return try AuditRecordMapper.map(record, shape: origin == .csv ? .purviewCSV : .managementAPI, provenance: provenance, into: &draft)
        }
        if record.has(.officeWorkload) || (record.has(.officeId) && record.has(.operation)) {
            return try AuditRecordMapper.mapOfficeActivity(record, shape: laShape, provenance: provenance, into: &draft)
        }
        if record.has(.appDisplayName) || record.has(.uniqueTokenIdentifier) || record.has(.signInEventTypes) {
            if record.has(.createdDateTime) || record.has(.timeGenerated) || record.has(.resultType) || record.has(.status) {
                let (source, note) = SignInRecordMapper.source(of: record)
                let graphStyle = record.hasExactly("createdDateTime") && !record.has(.timeGenerated)
                let shape: ExportShape = graphStyle ? (origin == .json(.graphPage) ? .graphAPIPage : .graphAPIArray) : laShape
                try SignInRecordMapper.map(record, envelope: JSONValue?.none, source: source, shape: shape, provenance: provenance, into: &draft)
                if let note { draft.notes.append(note) }
                return
            }
        }
        let keys = record.keys.prefix(6).map { IdentifierNormalizer.clip($0, 30) }.joined(separator: ", ")
        throw RecordRejection(reason: "unrecognised record (keys: \(keys)); expected a sign-in, Graph activity, CloudAppEvents or audit record")
    }

    private static func interpretEnvelope<Record: RecordFields>(_ record: Record, category: String, provenance: Provenance, into draft: inout EventDraft) throws(RecordRejection) {
        let key = category.lowercased()
        let source: LogSource
        let shape: ExportShape
        if let signIn = signInCategories[key] {
            (source, shape) = (signIn, .diagnosticSettings)
        } else if key == "microsoftgraphactivitylogs" {
            (source, shape) = (.graphActivityLogs, .diagnosticSettings)
        } else if key == "advancedhunting-cloudappevents" {
            (source, shape) = (.cloudAppEvents, .defenderStreaming)
        } else {
            throw RecordRejection(reason: "category '\(IdentifierNormalizer.clip(category, 60))' is not a source SessionGraph reads (expected a sign-in category, MicrosoftGraphActivityLogs or AdvancedHunting-CloudAppEvents)")
        }
        guard let properties = record.object(.properties) else {
            throw RecordRejection(reason: "\(category) record has no properties object (expected the \(source.rawValue) fields under 'properties')")
        }
        try map(properties, envelope: record, source: source, shape: shape, provenance: provenance, into: &draft)
    }

    private static func map<Body: RecordFields, Envelope: RecordFields>(_ body: Body, envelope: Envelope?, source: LogSource, shape: ExportShape, provenance: Provenance,
                                                                       into draft: inout EventDraft) throws(RecordRejection) {
        switch source {
        case .signInLogs, .nonInteractiveSignInLogs, .servicePrincipalSignInLogs, .managedIdentitySignInLogs:
            try SignInRecordMapper.map(body, envelope: envelope, source: source, shape: shape, provenance: provenance, into: &draft)
        case .graphActivityLogs:
            try GraphActivityRecordMapper.map(body, envelope: envelope, shape: shape, provenance: provenance, into: &draft)
        case .cloudAppEvents:
            try CloudAppEventRecordMapper.map(body, envelope: envelope, shape: shape, provenance: provenance, into: &draft)
        case .officeActivity:
            try AuditRecordMapper.mapOfficeActivity(body, shape: shape, provenance: provenance, into: &draft)
        case .unifiedAuditLog:
            try AuditRecordMapper.map(body, shape: shape, provenance: provenance, into: &draft)
        }
    }
}
