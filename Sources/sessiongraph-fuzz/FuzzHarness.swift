// Fuzzing harness for the parser entry points (`make fuzz SECONDS=…`).
//
// Built with `-sanitize=fuzzer,address -DFUZZING`, libFuzzer drives `LLVMFuzzerTestOneInput` and
// `SG_FUZZ_TARGET` picks the entry point: json-record, csv-record, file-parts, timestamp, uti,
// dot-escaping, redaction.
// Built normally, the same binary replays files given on the command line through one target
// (`sessiongraph-fuzz TARGET FILE...`), which is how a crash found by the fuzzer becomes a
// regression check.
import Foundation
@testable import SessionGraph

enum FuzzTarget: String, CaseIterable {
    case jsonRecord = "json-record"
    case csvRecord = "csv-record"
    case fileParts = "file-parts"
    case timestamp
    case uti
    case dotEscaping = "dot-escaping"
    case redaction

    func run(_ data: UnsafeBufferPointer<UInt8>) {
        // Every input's values are new to the process-wide vocabulary; nothing of an input
        // outlives it, so the vocabulary is emptied before it grows large.
        defer { if TextVocabulary.shared.count > 100_000 { TextVocabulary.shared.removeAll() } }
        switch self {
        case .jsonRecord:
            var limits = ReadLimits()
            limits.maxRecordBytes = 1 << 20
            // The input's length picks the string limit and whether unread fields are skipped,
            // so cut keys and values and the unfiltered path are fuzzed too (the bytes are left
            // as they are).
            let stringLimits = [3, 9, 13, 15, 17, 64, 1 << 20]
            limits.maxStringBytes = stringLimits[data.count % stringLimits.count]
            limits.skipUnusedFields = (data.count / stringLimits.count) % 2 == 0
            var reader = JSONRecordReader(bytes: data, limits: limits)
            var interner = TextInterner()
            reader.read(from: 0) { raw in
                // A record the reader fails on fails alike as a tree.
                if let failures = FlatRecordCheck.failures(of: raw, in: data, limits: limits) {
                    precondition(failures.flat == failures.tree, "the reader and the tree of the same bytes fail differently")
                }
                guard case .success(let parsed) = raw.value else { return }
                // The record read flat and the tree of the same bytes read alike.
                if let readings = FlatRecordCheck.readings(of: raw, in: data, limits: limits) {
                    precondition(readings.flat == readings.tree, "the flat record and the tree of the same bytes differ")
                }
                let provenance = Provenance(fileIndex: 0, line: 0, record: 0)
                let origin = RecordOrigin.json(raw.container)
                let result = Result { () throws(RecordRejection) -> EventDraft in
                    switch parsed {
                    case .fields(let record): return try RecordInterpreter.interpret(record, origin: origin, provenance: provenance)
                    case .value(let value): return try RecordInterpreter.interpret(value, origin: origin, provenance: provenance)
                    }
                }
                if case .success(let draft) = result {
                    // The compact event gives back what the mapper read.
                    let event = interner.event(draft)
                    // The byte searches over a hostile user agent (memchr and memcmp on raw
                    // pointers): under AddressSanitizer here.
                    _ = ClientFamily.of(event.userAgent)
                    _ = ServiceSide.isServiceSide(event, asn: ServiceSide.microsoftASN)
                    _ = event.userAgent?.containsAnyIgnoringASCIICase(["/", "/messages", "a", "client=owa"])
                    // Compared as bytes: `==` would hold two Unicode spellings of a value equal.
                    func same(_ a: String?, _ b: FieldText?) -> Bool { a.map { Array($0.utf8) } == b.map { Array($0.string.utf8) } }
                    precondition(same(event.userAgent, draft.userAgent) && same(event.ipAddress, draft.ipAddress) && same(event.sessionId, draft.sessionId)
                                 && same(event.userDisplayName, draft.userDisplayName) && same(event.deviceName, draft.deviceName) && same(event.city, draft.city)
                                 && same(event.userPrincipalName, draft.userPrincipalName) && same(event.operation, draft.operation), "compact event changed a text field")
                    precondition(same(event.uniqueTokenId, draft.uniqueTokenId) && same(event.requestId, draft.requestId) && same(event.recordId, draft.recordId)
                                 && same(event.correlationId, draft.correlationId), "compact event changed an id")
                }
            }
        case .csvRecord:
            var interner = TextInterner()
            var reader = CSVReader(bytes: data, start: 0, separator: CSVReader.detectSeparator(data, start: 0), maxCellBytes: 1 << 16)
            // The first row names the columns, normalised as a file's are: the JSON cells go
            // through one cell parser, an `AuditData` or `RawEventData` column through a second
            // that reads it flat, as a file's reader does.
            var columns: CSVColumns?
            let cells = JSONCellParser(), recordCells = JSONCellParser()
            var rows = 0
            while let row = reader.next(), rows < 10_000 {
                rows += 1
                guard case .success(let row) = row else { continue }
                guard let columns else {
                    let names = row.strings.map(FileReader.normaliseHeader)
                    columns = CSVColumns(header: names, repeats: !FileReader.repeatedNames(names).isEmpty)
                    continue
                }
                func reading(_ record: CSVRecord) -> String {
                    do {
                        let draft = try RecordInterpreter.interpret(record, origin: .csv, provenance: Provenance(fileIndex: 0, line: 0, record: 0))
                        _ = interner.event(draft)
                        return "\(draft)"
                    } catch {
                        return "rejected: \(error.reason)"
                    }
                }
                for parser in [cells, nil] {
                    _ = reading(CSVRecord(cells: row.cells, columns: columns, cellParser: parser))
                }
                // The record's JSON cell read flat, as the reader reads it, reads as its tree.
                let record = CSVRecord(cells: row.cells, columns: columns, cellParser: cells)
                let flat = record.withRecordColumnRead(parser: recordCells, reading)
                precondition(flat == reading(record), "a CSV row's JSON cell read flat and as a tree read otherwise")
            }
        case .fileParts:
            // The input as a file, read whole and in two to four parts (NDJSON, envelopes a line
            // each, a top-level array or CSV, cut as for a large file): parts that stand joined give the whole read's account.
            let path = NSTemporaryDirectory() + "sessiongraph-fuzz-parts-\(getpid()).json"
            guard FileManager.default.createFile(atPath: path, contents: Data(data)) else { return }
            defer { try? FileManager.default.removeItem(atPath: path) }
            var limits = ReadLimits()
            limits.splitFilesFrom = 32
            limits.maxListedRejections = 1_000
            let reader = FileReader(path: path, fileIndex: 0, limits: limits)
            guard let plan = reader.partPlan(parts: 2 + data.count % 3) else { return }
            var parts = plan.starts.indices.map { reader.readPart(plan, $0) }
            guard !FileReader.partsNeedWholeRead(parts, limits: limits) else { return }
            let joined = FileReader.joined(&parts, limits: limits), whole = reader.read()
            precondition(joined.read == whole.read && joined.rejected == whole.rejected && joined.rejections == whole.rejections
                         && joined.rejectionsByReason == whole.rejectionsByReason,
                         "parts joined count or reject records otherwise than the whole read")
            precondition(joined.remarks == whole.remarks && joined.unrecognised == whole.unrecognised && joined.format == whole.format,
                         "parts joined remark otherwise")
            precondition(joined.events.map { EventExporter.jsonLine($0, files: [path]) } == whole.events.map { EventExporter.jsonLine($0, files: [path]) },
                         "parts joined give other events than the whole read")
        case .timestamp:
            _ = TimestampParser.parse(String(decoding: data, as: UTF8.self))
        case .uti:
            let text = String(decoding: data, as: UTF8.self)
            if case .success(let uti) = IdentifierNormalizer.uniqueTokenId(text) {
                let requestId = IdentifierNormalizer.requestId(fromTokenId: uti)
                // Invariants: a compact identifier gives back its text, and decodes a token to
                // the request id the text decoder gives.
                precondition(Array(CompactIdentifier(uti).text.utf8) == Array(uti.utf8), "compact token id changed its text")
                precondition(CompactIdentifier(uti).requestIdFromToken?.text == requestId, "compact token id decoded to another request id")
            }
            precondition(Array(CompactIdentifier(text).text.utf8) == Array(text.utf8), "compact identifier changed its text")
            let session = IdentifierNormalizer.sessionId(text)
            let address = IdentifierNormalizer.ipAddress(text)
            // The checks that keep a record's bytes as they are (``EventDraft``'s setters) agree with
            // the string normalisers they stand in for.
            func kept(_ result: Result<String, IdentifierNormalizer.Refusal>) -> Bool {
                if case .success(let value) = result { return Array(value.utf8) == Array(data) }
                return false
            }
            if IdentifierNormalizer.isCanonicalGUID(data) && !IdentifierNormalizer.isPlaceholderGUID(data) {
                precondition(kept(session), "a canonical session id is not kept as it is")
            }
            if IdentifierNormalizer.isCanonicalGUID(data) && !IdentifierNormalizer.isZeroGUID(data) {
                precondition(IdentifierNormalizer.guidOrText(text).map { Array($0.utf8) } == Array(data), "a canonical GUID is not kept as it is")
            }
            if IdentifierNormalizer.isPlainTokenId(data) {
                precondition(kept(IdentifierNormalizer.uniqueTokenId(text)), "a plain token id is not kept as it is")
            }
            if IdentifierNormalizer.isCanonicalIPv4(data) || IdentifierNormalizer.isCanonicalIPv6(data) {
                precondition(kept(address), "a canonical address is not kept as it is")
            }
            let lowered = FieldText.bytes(data).lowercased().string
            precondition(Array(lowered.utf8) == Array(text.lowercased().utf8), "lower-casing the bytes differs from the string's")
        case .redaction:
            // Patterns before the first 0x01, split at 0x00; the text after it. The one-pass
            // replacement equals the plain definition, in blocks as small as the input picks.
            let bytes = Array(data)
            let split = bytes.firstIndex(of: 1) ?? bytes.count
            let patterns = bytes[..<split].split(separator: 0, omittingEmptySubsequences: true).prefix(64)
            let pairs = patterns.enumerated().map { (pattern: Array($0.element.prefix(256)), replacement: Array("<\($0.offset)>".utf8)) }
            let text = Array(bytes[min(split + 1, bytes.count)...].prefix(8192))
            // Windows of a few bytes, so that most patterns are found by an anchor, and anchors
            // are shared and pushed along.
            let anchoring = PatternReplacer.Anchoring(window: 1 + data.count % 5, groupLimit: 1 + data.count / 5 % 3, shifts: 1 + data.count / 15 % 3)
            var replacer = PatternReplacer(pairs, anchoring: anchoring)
            replacer.blockSizeForTests = 1 + data.count % 13
            let replaced = text.withUnsafeBufferPointer { replacer.replace($0) }
            precondition(replaced == PatternReplacer.definition(text, pairs), "the one-pass replacement differs from its definition")
        case .dotEscaping:
            let text = String(decoding: data, as: UTF8.self)
            let label = DOTText.label(text)
            let tooltip = DOTText.tooltip(text)
            // Invariants: no raw quote ends the string, no control character survives.
            for escaped in [label, tooltip] {
                var previousBackslashes = 0
                for scalar in escaped.unicodeScalars {
                    precondition(!DOTText.isRemoved(scalar.value) || scalar == "\n", "control character survived escaping")
                    if scalar == "\"" { precondition(previousBackslashes % 2 == 1, "unescaped quote") }
                    previousBackslashes = scalar == "\\" ? previousBackslashes + 1 : 0
                }
                precondition(previousBackslashes % 2 == 0, "escaped text ends in a lone backslash")
            }
        }
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The function libFuzzer calls for every input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget(rawValue: ProcessInfo.processInfo.environment["SG_FUZZ_TARGET"] ?? "json-record")!.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable's entry point under this name; libFuzzer's driver runs from it.
@_cdecl("sessiongraph_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    let name = ProcessInfo.processInfo.environment["SG_FUZZ_TARGET"] ?? "json-record"
    guard FuzzTarget(rawValue: name) != nil else { fatalError("unknown SG_FUZZ_TARGET \(name)") }
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
@main
enum ReplayMain {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: sessiongraph-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...")
            exit(64)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            data.withUnsafeBytes { target.run($0.bindMemory(to: UInt8.self)) }
        }
        print("replayed \(arguments.count - 1) inputs through \(name)")
    }
}
#endif
