/// Why one record was not used. The reason is a short sentence naming what was wrong and
/// what was expected; it is shown with the file and line.
struct RecordRejection: Error {
    var reason: String
}

/// A mapper fills its draft with these: identifiers normalised, and every value that could not
/// be used recorded in the draft's notes, so the reader's understanding can be checked. They
/// change the draft in place, and the mapper returns the draft itself: a builder holding the
/// draft made the mapper copy the whole draft out of it (a thousand bytes, field by field)
/// for every record.
extension EventDraft {

    /// The common "no zone" notes as constants, so the audit log's zone-less `CreationTime` does
    /// not cost a new string on every record.
    static let noZoneNotes: [String: String] = [
        "CreationTime": "CreationTime has no zone; read as UTC (the source documents UTC)",
        "CreatedDateTime": "CreatedDateTime has no zone; read as UTC (the source documents UTC)",
        "TimeGenerated": "TimeGenerated has no zone; read as UTC (the source documents UTC)",
        "Timestamp": "Timestamp has no zone; read as UTC (the source documents UTC)",
        "time": "time has no zone; read as UTC (the source documents UTC)",
    ]

    /// Reads the event time from the first candidate present (each the value of its key, nil
    /// when absent); rejects the record when none is, or when the one present cannot be read.
    static func eventTime(_ candidates: [(RawField?, String)], notes: inout [String]) throws(RecordRejection) -> UTCInstant {
        for (index, (value, key)) in candidates.enumerated() {
            guard let raw = value else { continue }
            let parsed: Result<ParsedTimestamp, TimestampError>
            switch raw {
            case .bytes(let bytes):
                guard !bytes.isEmpty else { continue }
                parsed = TimestampParser.parse(bytes)
            case .value(.string(let text)) where !text.isEmpty:
                parsed = TimestampParser.parse(text)
            case .value(.number(let lexeme)):
                guard let value = Int64(lexeme) else { throw RecordRejection(reason: "\(key) is the number \(lexeme) (expected a timestamp)") }
                parsed = TimestampParser.epoch(value)
            case .value(.string), .value(.null):
                continue
            case .value(let other):
                throw RecordRejection(reason: "\(key) is \(kindName(other)) (expected a timestamp)")
            }
            switch parsed {
            case .success(let value):
                if !value.zoneStated { notes.append(Self.noZoneNotes[key] ?? "\(key) has no zone; read as UTC (the source documents UTC)") }
                if index > 0 { notes.append("time taken from \(key) (\(candidates[0].1) missing)") }
                return value.instant
            case .failure(let error):
                throw RecordRejection(reason: "\(key): \(error)")
            }
        }
        let names = candidates.map(\.1).uniqued().joined(separator: " or ")
        throw RecordRejection(reason: "missing time (expected \(names))")
    }

    mutating func note(_ text: String) { notes.append(text) }

    /// `raw` as a normaliser gives it: the record's value itself when `kept` holds for its bytes
    /// (the normaliser would give it back unchanged; no string is made), else the normaliser's
    /// result; nil for empty text, and for a refusal, noted as "`field` `refused`: reason".
    private mutating func normalised(_ raw: FieldText, keptWhen kept: (UnsafeBufferPointer<UInt8>) -> Bool,
                                     by normalise: (String) -> Result<String, IdentifierNormalizer.Refusal>,
                                     field: String, refused: String) -> FieldText? {
        if raw.withUTF8(kept) { return raw }
        let text = raw.string
        guard !text.isEmpty else { return nil }
        switch normalise(text) {
        case .success(let value): return FieldText(value)
        case .failure(let refusal):
            note("\(field) \(refused): \(refusal.reason)")
            return nil
        }
    }

    mutating func setSession(_ raw: FieldText?, field: String) {
        guard let raw, let sid = normalised(raw, keptWhen: { IdentifierNormalizer.isCanonicalGUID($0) && !IdentifierNormalizer.isPlaceholderGUID($0) },
                                            by: IdentifierNormalizer.sessionId, field: field, refused: "not used for linking") else { return }
        if let existing = sessionId {
            if !existing.sameBytes(as: sid) {
                note("\(field) \(sid) differs from \(sessionIdField?.string ?? "session id") \(existing); kept the first")
            }
            return
        }
        sessionId = sid
        sessionIdField = FieldText(field)
    }

    mutating func setToken(_ raw: FieldText?, field: String) {
        guard let raw, uniqueTokenId == nil else { return }
        uniqueTokenId = normalised(raw, keptWhen: IdentifierNormalizer.isPlainTokenId, by: IdentifierNormalizer.uniqueTokenId,
                                         field: field, refused: "not used for linking")
    }

    mutating func setIssuedAt(_ raw: RawField?, field: String) {
        guard tokenIssuedAt == nil, let raw else { return }
        let parsed: Result<ParsedTimestamp, TimestampError>
        switch raw {
        case .bytes(let bytes) where !bytes.isEmpty: parsed = TimestampParser.parse(bytes)
        case .value(.string(let text)) where !text.isEmpty: parsed = TimestampParser.parse(text)
        case .value(.number(let lexeme)): parsed = Int64(lexeme).map(TimestampParser.epoch) ?? .failure(.unrecognised(lexeme))
        default: return
        }
        switch parsed {
        case .success(let value): tokenIssuedAt = value.instant
        case .failure(let error): note("\(field) ignored: \(error)")
        }
    }

    mutating func setIP(_ raw: FieldText?, field: String) {
        guard ipAddress == nil, let raw else { return }
        ipAddress = normalised(raw, keptWhen: { IdentifierNormalizer.isCanonicalIPv4($0) || IdentifierNormalizer.isCanonicalIPv6($0) },
                                     by: IdentifierNormalizer.ipAddress, field: field, refused: "ignored")
    }

    mutating func setASN(_ raw: JSONValue?) {
        guard let raw else { return }
        if let value = raw.integer, value > 0, value < 1 << 32 {
            asn = Int(value)
        } else if let text = raw.text, text != "0" {
            note("AutonomousSystemNumber '\(IdentifierNormalizer.clip(text))' ignored (expected a positive number)")
        }
    }

    mutating func setDevice(_ detail: NestedRecord?) {
        guard let detail else { return }
        if let id = detail.field(.deviceId) { deviceId = IdentifierNormalizer.guidOrText(id) }
        deviceName = deviceName ?? detail.field(.displayName)
        operatingSystem = operatingSystem ?? detail.field(.operatingSystem)
        browser = browser ?? detail.field(.browser)
        trustType = trustType ?? detail.field(.trustType)
        isCompliant = isCompliant ?? detail[.isCompliant]?.boolean
        isManaged = isManaged ?? detail[.isManaged]?.boolean
    }

    /// `LocationDetails` / Graph `location`: city, state, country and coordinates.
    mutating func setLocation(_ location: NestedRecord?) {
        guard let location else { return }
        city = city ?? location.field(.city)
        country = country ?? location.field(.countryOrRegion)
        if let coordinates = location.object(.geoCoordinates) {
            latitude = coordinates[.latitude]?.double
            longitude = coordinates[.longitude]?.double
        }
    }

    /// Sets `field` (a field of the draft) to `raw` as a GUID, or as text, when it is still
    /// empty. The field is passed `inout`, not as a key path: a key path applied at run time
    /// copied the whole draft on every call, six times a record.
    static func setGUID(_ field: inout FieldText?, _ raw: FieldText?) {
        guard field == nil, let raw, let value = IdentifierNormalizer.guidOrText(raw) else { return }
        field = value
    }
}

extension IdentifierNormalizer {
    /// ``guidOrText(_:)`` of a field: the field itself when it already is a canonical GUID
    /// other than the zero GUID (no string made).
    static func guidOrText(_ raw: FieldText) -> FieldText? {
        if raw.withUTF8({ isCanonicalGUID($0) && !isZeroGUID($0) }) { return raw }
        return guidOrText(raw.string).map(FieldText.text)
    }
}
