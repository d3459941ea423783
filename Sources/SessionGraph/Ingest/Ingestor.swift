import Foundation

/// The account of one input file in `ingest.json`.
public struct FileReport: Sendable, Codable, Equatable {
    /// One (source, shape) pair found in the file, with how many records had it.
    public struct SourceCount: Sendable, Codable, Equatable {
        public var source: LogSource
        public var shape: ExportShape
        public var records: Int
    }

    public var path: String
    /// The file's source, `mixed` when it holds several, `null` when none was recognised.
    public var source: String?
    /// The file's export shape, `mixed` when several, `null` when none was recognised.
    public var shape: String?
    public var sources: [SourceCount]
    public var format: String
    public var bytes: Int
    public var read: Int
    public var used: Int
    public var duplicate: Int
    public var rejected: Int
    /// The first rejections (line, record index, reason); all are counted in `rejected`.
    public var rejections: [Rejection]
    public var rejectionsByReason: [String: Int]
    public var remarks: [String]
    /// Why the file was not read at all, when it was not recognised.
    public var unrecognised: String?
}

/// Totals over all files: `read = used + duplicate + rejected`, always.
public struct IngestTotals: Sendable, Codable, Equatable {
    public var files = 0
    public var unrecognisedFiles = 0
    public var read = 0
    public var used = 0
    public var duplicate = 0
    public var rejected = 0
}

/// Everything the ingest stage hands to the next: the events, deduplicated and in time order,
/// and the record-by-record account of every file.
public struct IngestResult: Sendable {
    public var files: [FileReport]
    public var events: [Event]
    public var totals: IngestTotals
    /// The earliest and latest event time.
    public var timeRange: ClosedRange<UTCInstant>?
}

/// How far the ingest stage is, for a progress display.
public struct IngestProgress: Sendable, Equatable {
    public var filesDone: Int
    public var files: Int
    public var bytesDone: Int
    public var bytes: Int
    /// Records read so far (used, duplicate or rejected).
    public var records: Int
}

/// Options for a run of the ingest stage.
public struct IngestOptions: Sendable {
    public var limits = ReadLimits()
    /// Called after each file or part of a file is read, from any thread.
    public var progress: (@Sendable (IngestProgress) -> Void)?

    public init() {}
}

/// Why the run could not start.
public enum IngestError: Error, CustomStringConvertible, Equatable {
    case pathNotFound(String)
    case noInputFiles([String])

    public var description: String {
        switch self {
        case .pathNotFound(let path): return "\(path): no such file or folder"
        case .noInputFiles(let paths): return "no input files found under \(paths.joined(separator: ", ")) (hidden files are skipped)"
        }
    }
}

/// The ingest stage: finds the files under the given paths, reads them in parallel, removes
/// records exported twice, and returns events in time order with a full account.
public enum Ingestor {
    /// Files under `paths` (folders recursed, hidden entries skipped), sorted, each once.
    ///
    /// Symbolic links to files are followed (a case folder of links to the exports), and links
    /// to folders inside the folder being read (a `latest` link to a dated folder). A link out
    /// of it is not followed, so a link to `/` or to the output folder in an extracted archive
    /// cannot make the run read the machine or its own outputs: it is listed, and the reader
    /// reports it as not read, with why (name the folder on the command line to read it). A
    /// folder is walked once however often it is reached (a loop, or a second link to it, adds
    /// nothing), and a file reached twice (a link and its target, two hard links) is read once,
    /// by the name it was first reached by. Any other entry (a named pipe, a socket, a broken
    /// link, a folder that cannot be listed) is listed for the reader to report as not read.
    public static func inputFiles(_ paths: [String]) throws(IngestError) -> [String] {
        var files: [String] = []
        var walked = Set<FileIdentity>()
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0 else {
                // A broken link named on the command line: the reader says what it is.
                var link = stat()
                guard lstat(path, &link) == 0 else { throw .pathNotFound(path) }
                files.append(path)
                continue
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                files.append(path)
                continue
            }
            var found: [String] = []
            walk(path, status, inside: realPath(path) ?? path, into: &found, walked: &walked)
            files.append(contentsOf: found.sorted())
        }
        // Once each: by what the system knows the file as, else (it cannot be reached) by the
        // bytes of its name. A link to a folder not followed where it was found, but walked
        // under another name (named on the command line too), is dropped: its files are read.
        var seenFiles = Set<FileIdentity>(), seenNames = Set<[UInt8]>()
        let unique = files.filter { path in
            var status = stat()
            if stat(path, &status) == 0 {
                let identity = FileIdentity(status)
                if status.st_mode & S_IFMT == S_IFDIR, walked.contains(identity) { return false }
                return seenFiles.insert(identity).inserted
            }
            return seenNames.insert(Array(URL(fileURLWithPath: path).standardizedFileURL.path.utf8)).inserted
        }
        guard !unique.isEmpty else { throw .noInputFiles(paths) }
        return unique
    }

    /// A file or folder as the system knows it, whatever names reach it.
    private struct FileIdentity: Hashable {
        let device: UInt64
        let inode: UInt64

        init(_ status: stat) {
            (device, inode) = (UInt64(status.st_dev), UInt64(status.st_ino))
        }
    }

    /// Appends the entries under `folder` (whose status is `status`) to `found`: its folders
    /// walked unless walked before, a link to a folder only when it resolves inside `root` (a
    /// resolved path).
    private static func walk(_ folder: String, _ status: stat, inside root: String, into found: inout [String], walked: inout Set<FileIdentity>) {
        let identity = FileIdentity(status)
        guard !walked.contains(identity) else { return }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            // Not listed (no permission): named, so the reader reports it (and not counted as
            // walked, so nothing drops it as read under another name).
            found.append(folder)
            return
        }
        walked.insert(identity)
        // In name order, so the name a folder reached twice is walked by does not depend on
        // the order the system lists entries in.
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var entry = stat()
            guard stat(path, &entry) == 0, entry.st_mode & S_IFMT == S_IFDIR else {
                found.append(path)
                continue
            }
            var link = stat()
            if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                // Compared as bytes: `hasPrefix` holds Unicode-equivalent spellings equal.
                guard let target = realPath(path), Array(target.utf8).starts(with: Array((root.hasSuffix("/") ? root : root + "/").utf8))
                        || Array(target.utf8) == Array(root.utf8) else {
                    found.append(path)
                    continue
                }
            }
            walk(path, entry, inside: root, into: &found, walked: &walked)
        }
    }

    /// The path with every link resolved, or nil when it cannot be (a broken link).
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Each file's size in bytes, through a symbolic link to what it names; 0 when it cannot be
    /// read (reading it then says why).
    public static func fileSizes(_ files: [String]) -> [Int] {
        files.map { path in
            var status = stat()
            return stat(path, &status) == 0 ? Int(status.st_size) : 0
        }
    }

    /// About how many bytes the files hold once decoded, for sizing decisions made before they
    /// are read: a gzip file counts ten times its size (the benchmark's exports compress 12x).
    public static func decodedBytes(_ files: [String]) -> Int {
        zip(files, fileSizes(files)).reduce(0) { total, file in total + (InputBytes.isGzip(path: file.0) ? 10 * file.1 : file.1) }
    }

    /// Reads every file under `paths`.
    public static func ingest(paths: [String], options: IngestOptions = IngestOptions()) throws(IngestError) -> IngestResult {
        let files = try inputFiles(paths)
        return ingest(files: files, options: options)
    }

    /// Reads the given files (already enumerated). Large NDJSON files, envelopes a line each, JSON arrays and CSV exports are cut into parts (see
    /// ``FilePartPlan``); whole files and parts are read on every core, largest first, and each
    /// file's parts are joined in order (or the file read again whole where parts could differ),
    /// so the result does not depend on the cores.
    public static func ingest(files: [String], options: IngestOptions = IngestOptions()) -> IngestResult {
        let limits = options.limits
        let progress = options.progress
        let sizes = fileSizes(files)
        let totalBytes = sizes.reduce(0, +)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // One part per core, but none under half the split threshold: on many cores a file just
        // over it would be cut into parts whose interners each learn the file's values again.
        let smallestPart = max(1, limits.splitFilesFrom / 2)
        let plans = files.indices.map { index in
            FileReader(path: files[index], fileIndex: Int32(index), limits: limits).partPlan(parts: min(cores, sizes[index] / smallestPart), size: sizes[index])
        }
        // One work item per whole file or part, in file and part order.
        struct Item { var file: Int; var part: Int?; var bytes: Int }
        let items: [Item] = files.indices.flatMap { index in
            // A file's parts count all its bytes (the first from offset 0), for the progress display.
            plans[index].map { plan in plan.starts.indices.map { Item(file: index, part: $0, bytes: plan.range(of: $0).count + ($0 == 0 ? plan.starts[0] : 0)) } }
                ?? [Item(file: index, part: nil, bytes: sizes[index])]
        }
        let outcomes = ParallelSlots<FileReadOutcome>(count: items.count)
        let tracker = FileCompletion(parts: files.indices.map { plans[$0]?.starts.count ?? 1 })
        // Largest first, so the cores finish together (each result keeps its place).
        let order = items.indices.sorted { (items[$0].bytes, $1) > (items[$1].bytes, $0) }
        DispatchQueue.concurrentPerform(iterations: items.count) { step in
            let item = items[order[step]]
            let reader = FileReader(path: files[item.file], fileIndex: Int32(item.file), limits: limits)
            let outcome = if let part = item.part, let plan = plans[item.file] { reader.readPart(plan, part) } else { reader.read() }
            outcomes.store(outcome, at: order[step])
            let done = tracker.finish(file: item.file, bytes: item.bytes, records: outcome.read)
            progress?(IngestProgress(filesDone: done.files, files: files.count, bytesDone: done.bytes, bytes: totalBytes, records: done.records))
        }
        var byFile = [[FileReadOutcome]](repeating: [], count: files.count)
        for (item, outcome) in zip(items, outcomes.take()) { byFile[item.file].append(outcome) }
        let joined = files.indices.map { index in
            guard plans[index] != nil, FileReader.partsNeedWholeRead(byFile[index], limits: limits) else {
                return FileReader.joined(&byFile[index], limits: limits)
            }
            byFile[index] = []
            return FileReader(path: files[index], fileIndex: Int32(index), limits: limits).read()
        }
        return merge(files: files, sizes: sizes, outcomes: joined)
    }

    /// Deterministic merge: files in path order, records in file order; the first copy of a
    /// record is used and later copies are counted as duplicates of it.
    ///
    /// What the merge needs of each event (its duplicate key's hash, time, file, record, source
    /// and shape) was taken when the event was made (``FileReadOutcome/mergeFacts``), so the
    /// passes here read small arrays, not the events. `sizes` are the file sizes the reading was
    /// planned with, so the report and the progress agree.
    static func merge(files: [String], sizes: [Int], outcomes input: consuming [FileReadOutcome]) -> IngestResult {
        // Owned here, so that the events can be moved out at the end without a copy.
        var outcomes = consume input
        var profile = StepProfile("merge")
        defer { profile.report() }
        let counts = outcomes.map(\.events.count)
        var running = 0
        let starts = counts.map { count in
            defer { running += count }
            return running
        }
        let total = counts.reduce(0, +)
        /// The event at position `p` of all the outcomes' events, in order.
        @Sendable func locate(_ p: Int) -> (outcome: Int, index: Int) {
            // The last outcome starting at or before `p` (an outcome without events starts
            // where the next does).
            let outcome = starts.partitionIndex { $0 > p } - 1
            return (outcome, p - starts[outcome])
        }
        // Each event's facts were taken when it was made (its storage was in the cache then):
        // laid side by side in position order, so this pass reads small arrays, not the events.
        var facts: [MergeFacts] = []
        facts.reserveCapacity(total)
        for index in outcomes.indices {
            precondition(outcomes[index].mergeFacts.count == outcomes[index].events.count, "merge facts out of step with the events")
            facts.append(contentsOf: outcomes[index].takeMergeFacts())
        }
        profile.mark("facts")

        let duplicatePositions = duplicates(facts, in: outcomes, locate: locate)
        profile.mark("dedupe")
        // The kept events' sort keys, copied next to their positions: a comparison reads the two
        // elements it compares, not two facts elsewhere in memory.
        var order: [EventSortKey] = []
        order.reserveCapacity(total)
        var nextDuplicate = 0
        var reports: [FileReport] = []
        var totals = IngestTotals()
        for (index, outcome) in outcomes.enumerated() {
            var used = 0
            var duplicate = 0
            var counts = [Int](repeating: 0, count: SourceShapeKey.ordinals)
            for position in starts[index]..<(starts[index] + outcome.events.count) {
                let fact = facts[position]
                counts[Int(fact.sourceShape)] += 1
                if nextDuplicate < duplicatePositions.count && duplicatePositions[nextDuplicate] == position {
                    nextDuplicate += 1
                    duplicate += 1
                    continue
                }
                used += 1
                order.append(EventSortKey(time: fact.time, file: fact.file, record: fact.record, position: position))
            }
            let sources = counts.indices.filter { counts[$0] > 0 }.map { ordinal in
                let key = SourceShapeKey(ordinal: ordinal)
                return FileReport.SourceCount(source: key.source, shape: key.shape, records: counts[ordinal])
            }
            let distinctSources = Set(sources.map(\.source))
            let distinctShapes = Set(sources.map(\.shape))
            let bytes = sizes[index]
            reports.append(FileReport(
                path: files[index],
                source: distinctSources.count > 1 ? "mixed" : distinctSources.first?.rawValue,
                shape: distinctShapes.count > 1 ? "mixed" : distinctShapes.first?.rawValue,
                sources: sources,
                format: outcome.format,
                bytes: bytes,
                read: outcome.read,
                used: used,
                duplicate: duplicate,
                rejected: outcome.rejected,
                rejections: outcome.rejections,
                rejectionsByReason: outcome.rejectionsByReason,
                remarks: outcome.remarks,
                unrecognised: outcome.unrecognised))
            totals.files += 1
            if outcome.unrecognised != nil { totals.unrecognisedFiles += 1 }
            totals.read += outcome.read
            totals.used += used
            totals.duplicate += duplicate
            totals.rejected += outcome.rejected
        }
        profile.mark("count")
        sortByTime(&order)
        profile.mark("sort")
        // Each kept event is moved, not copied, to its place in time order, on every core: a copy
        // would retain every event, then release it again when the outcomes are freed, touching
        // millions of objects in no useful order. The duplicates are released.
        let sources = outcomes.indices.map { MovableEvents(outcomes[$0].takeEvents()) }
        let sorted = order
        let events = [Event](unsafeUninitializedCapacity: sorted.count) { buffer, initialized in
            let destination = MovableEvents.Destination(buffer)
            DispatchQueue.concurrentPerform(iterations: (sorted.count + (1 << 16) - 1) >> 16) { chunk in
                for k in (chunk << 16)..<min(sorted.count, (chunk + 1) << 16) {
                    let (o, i) = locate(sorted[k].position)
                    sources[o].move(i, to: destination, at: k)
                }
            }
            initialized = sorted.count
        }
        for position in duplicatePositions {
            let (o, i) = locate(position)
            sources[o].release(i)
        }
        let range = events.isEmpty ? nil : events.first!.time...events.last!.time
        profile.mark("gather")
        return IngestResult(files: reports, events: events, totals: totals, timeRange: range)
    }
}

/// The positions of the records that repeat an earlier one (``DuplicateKey``), ascending; the
/// first copy is kept, as in one pass in position order. Found on every core: the records are
/// split by the top bit of their key's hash (a record and its copies have one hash, so they fall
/// in the same half), each half checked in position order in a table of its own.
private func duplicates(_ facts: [MergeFacts], in outcomes: [FileReadOutcome], locate: @escaping @Sendable (Int) -> (outcome: Int, index: Int)) -> [Int] {
    // Shares the outcomes' event arrays only until this returns (the merge then moves them out).
    let events = outcomes.map(\.events)
    let halves = parallelChunks(count: 2, chunkSize: 1) { range -> [Int] in
        let half = UInt64(range.lowerBound)
        let count = facts.reduce(0) { $0 + ($1.duplicateHash != 0 && $1.duplicateHash >> 63 == half ? 1 : 0) }
        var seen = DuplicateTable(capacity: count)
        var found: [Int] = []
        for position in facts.indices {
            let hash = facts[position].duplicateHash
            guard hash != 0, hash >> 63 == half else { continue }
            let repeated = seen.containsOrAdd(hash, position) { earlier in
                let (o, i) = locate(earlier), (p, j) = locate(position)
                return DuplicateKey(events[o][i]) == DuplicateKey(events[p][j])
            }
            if repeated { found.append(position) }
        }
        return found
    }
    return merged(halves[0], halves[1], by: <)
}

/// Two lists, each in order by `before`, as one in order (on a tie, `first`'s element first).
private func merged<T>(_ first: [T], _ second: [T], by before: (T, T) -> Bool) -> [T] {
    var result: [T] = []
    result.reserveCapacity(first.count + second.count)
    var (a, b) = (0, 0)
    while a < first.count && b < second.count {
        if before(second[b], first[a]) {
            result.append(second[b])
            b += 1
        } else {
            result.append(first[a])
            a += 1
        }
    }
    result.append(contentsOf: first[a...])
    result.append(contentsOf: second[b...])
    return result
}

/// The sort keys in time, file and record order (each key is unique: file and record name one
/// record).
///
/// The merge lays the keys out file by file, each file's records in order, so a stable sort by
/// time alone gives that order: a least-significant-digit radix sort of each time's offset from
/// the earliest, 11 bits a pass (four passes for up to six months of microseconds, five for
/// any span the readers accept), in one scratch array. A comparison sort of the two halves on
/// two cores took 0.53 s of wall time for the 3 million keys of a 4.9 GB run, much of it
/// touching the fresh memory of its copies. Keys in any other order are sorted by comparison.
func sortByTime(_ keys: inout [EventSortKey]) {
    @Sendable func before(_ a: EventSortKey, _ b: EventSortKey) -> Bool { (a.time, a.file, a.record) < (b.time, b.file, b.record) }
    if keys.count >= 1 << 12, inFileOrder(keys) { return radixSortByTime(&keys) }
    guard keys.count >= 1 << 16 else { return keys.sort(by: before) }
    let middle = keys.count / 2
    let all = keys
    let (low, high) = inParallel({ all[..<middle].sorted(by: before) }, { all[middle...].sorted(by: before) })
    keys = merged(low, high, by: before)
}

/// Whether the keys are in (file, record) order.
private func inFileOrder(_ keys: [EventSortKey]) -> Bool {
    keys.withUnsafeBufferPointer { keys in
        for index in keys.indices.dropFirst() where (keys[index - 1].file, keys[index - 1].record) >= (keys[index].file, keys[index].record) {
            return false
        }
        return true
    }
}

/// Puts the keys in time order, keys of one time in the order given (see ``sortByTime(_:)``).
/// In each pass every core counts and moves its own stretch of the keys as they then lie: a
/// stretch's keys of one digit go after those of the stretches before it, so the sort stays
/// stable.
private func radixSortByTime(_ keys: inout [EventSortKey]) {
    let digitBits = 11, buckets = 1 << 11
    var earliest = Int64.max, latest = Int64.min
    for key in keys {
        earliest = min(earliest, key.time)
        latest = max(latest, key.time)
    }
    let span = UInt64(bitPattern: latest &- earliest)
    let passes = max(1, (UInt64.bitWidth - span.leadingZeroBitCount + digitBits - 1) / digitBits)
    let first = earliest, count = keys.count
    let stretches = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count >> 16))
    let bounds = (0...stretches).map { $0 * count / stretches }
    // The keys move from `keys` to `other` and back, pass by pass.
    // Every slot is written in the first pass that moves keys before it is read, and a pass
    // that moves none reads nothing: left unwritten, so its pages are touched by the cores that
    // fill them, not zeroed first on one.
    var other = [EventSortKey](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    let endsInOther = keys.withUnsafeMutableBufferPointer { keys in
        other.withUnsafeMutableBufferPointer { other in
            let buffers = RadixBuffers(keys: keys, other: other)
            var inOther = false
            for pass in 0..<passes {
                let shift = UInt64(pass * digitBits), from = inOther
                // Each stretch's digit counts, as the keys now lie.
                let counts = parallelChunks(count: stretches, chunkSize: 1) { range in
                    var counts = [Int](repeating: 0, count: buckets)
                    counts.withUnsafeMutableBufferPointer { counts in
                        for key in (from ? buffers.other : buffers.keys)[bounds[range.lowerBound]..<bounds[range.upperBound]] {
                            counts[Int((UInt64(bitPattern: key.time &- first) >> shift) & UInt64(buckets - 1))] += 1
                        }
                    }
                    return counts
                }
                // The earliest key's digits are all 0: a pass where every key has that digit
                // moves nothing.
                if counts.reduce(0, { $0 + $1[0] }) == count { continue }
                // Where each stretch's keys of each digit go.
                var starts = [[Int]](repeating: [Int](repeating: 0, count: buckets), count: stretches)
                var running = 0
                for digit in 0..<buckets {
                    for stretch in 0..<stretches {
                        starts[stretch][digit] = running
                        running += counts[stretch][digit]
                    }
                }
                let allStarts = starts
                DispatchQueue.concurrentPerform(iterations: stretches) { stretch in
                    var next = allStarts[stretch]
                    let (source, target) = from ? (buffers.other, buffers.keys) : (buffers.keys, buffers.other)
                    next.withUnsafeMutableBufferPointer { next in
                        for key in source[bounds[stretch]..<bounds[stretch + 1]] {
                            let digit = Int((UInt64(bitPattern: key.time &- first) >> shift) & UInt64(buckets - 1))
                            target[next[digit]] = key
                            next[digit] += 1
                        }
                    }
                }
                inOther.toggle()
            }
            return inOther
        }
    }
    if endsInOther { swap(&keys, &other) }
}

/// The two arrays of ``radixSortByTime(_:)``, handed to the threads that fill them (each slot
/// written by one thread in a pass, none read while it is written).
private struct RadixBuffers: @unchecked Sendable {
    let keys: UnsafeMutableBufferPointer<EventSortKey>
    let other: UnsafeMutableBufferPointer<EventSortKey>
}

/// A file's events in memory the merge owns, each moved out exactly once (to its place in time
/// order, or released as a duplicate), without a reference count: the events are first moved in
/// as a block of memory from the outcome's array, which keeps as many copies of one empty event.
/// Items are moved from any thread, each by one thread.
private final class MovableEvents: @unchecked Sendable {
    /// The array being filled, handed to the threads that fill it (each slot by one thread).
    struct Destination: @unchecked Sendable {
        let base: UnsafeMutablePointer<Event>?
        init(_ buffer: UnsafeMutableBufferPointer<Event>) { base = buffer.baseAddress }
    }

    private static let empty = Event(time: UTCInstant(microseconds: 0), source: .signInLogs, shape: .logAnalyticsNDJSON, kind: .action,
                                     provenance: Provenance(fileIndex: 0, line: 0, record: 0))
    private let base: UnsafeMutablePointer<Event>
    private let count: Int

    init(_ events: consuming [Event]) {
        var events = consume events
        count = events.count
        base = .allocate(capacity: max(count, 1))
        events.withUnsafeMutableBufferPointer { source in
            guard let start = source.baseAddress else { return }
            base.moveInitialize(from: start, count: source.count)
            start.initialize(repeating: Self.empty, count: source.count)
        }
    }

    /// Moves event `index` to slot `slot` of `destination`.
    func move(_ index: Int, to destination: Destination, at slot: Int) {
        precondition(index < count)
        (destination.base! + slot).initialize(to: (base + index).move())
    }

    /// Releases event `index`, which is not moved.
    func release(_ index: Int) {
        precondition(index < count)
        (base + index).deinitialize(count: 1)
    }

    /// Every event has been moved or released: only the memory is left.
    deinit { base.deallocate() }
}

/// A kept event's sort key and position in the outcomes.
struct EventSortKey: Sendable, Equatable {
    var time: Int64
    var file: Int32
    var record: Int32
    var position: Int
}

/// What the merge reads of one event, taken when the event is made (``FileReadOutcome/mergeFacts``).
struct MergeFacts: Sendable {
    /// ``DuplicateKey/mergeHash``, or 0 for a record without an id (never a duplicate).
    var duplicateHash: UInt64
    var time: Int64
    var file: Int32
    var record: Int32
    var sourceShape: UInt8

    init(_ event: Event) {
        duplicateHash = DuplicateKey(event)?.mergeHash ?? 0
        time = event.time.microseconds
        file = event.provenance.fileIndex
        record = event.provenance.record
        sourceShape = UInt8(SourceShapeKey.ordinal(event.source, event.shape))
    }
}

/// The records already kept, by duplicate-key hash (open addressing over positions); a hash
/// match is confirmed by comparing the records' keys, so a collision never drops a record.
private struct DuplicateTable {
    /// A hash and the position it came from, side by side: a probe reads one cache line (two
    /// parallel arrays cost two misses per record on a table of millions).
    private struct Slot {
        var hash: UInt64
        var position: Int
    }

    private var slots: [Slot]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = [Slot](repeating: Slot(hash: 0, position: 0), count: size)
        mask = size - 1
    }

    /// Whether a record with the same key (`sameKey` of an earlier position) is held; if not,
    /// holds this one.
    mutating func containsOrAdd(_ hash: UInt64, _ position: Int, sameKey: (Int) -> Bool) -> Bool {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot].hash != 0 {
            if slots[slot].hash == hash, sameKey(slots[slot].position) { return true }
            slot = (slot + 1) & mask
        }
        slots[slot] = Slot(hash: hash, position: position)
        return false
    }
}

private struct SourceShapeKey: Hashable {
    var source: LogSource
    var shape: ExportShape

    static let ordinals = LogSource.allCases.count * ExportShape.allCases.count

    static func ordinal(_ source: LogSource, _ shape: ExportShape) -> Int {
        LogSource.allCases.firstIndex(of: source)! * ExportShape.allCases.count + ExportShape.allCases.firstIndex(of: shape)!
    }

    init(ordinal: Int) {
        source = LogSource.allCases[ordinal / ExportShape.allCases.count]
        shape = ExportShape.allCases[ordinal % ExportShape.allCases.count]
    }
}

/// Two records are one when they come from the same source and agree on record id and event
/// time to the second (Graph renders whole seconds where diagnostic settings keep seven fraction
/// digits; a diagnostic-settings re-delivery has the same properties and a fresh envelope time,
/// which is not the event time). Records without an id are never duplicates.
struct DuplicateKey: Hashable {
    var source: LogSource
    var recordId: CompactIdentifier
    var second: Int64

    init?(_ event: Event) {
        guard let id = event.recordKey else { return nil }
        source = event.source
        recordId = id
        second = event.time.microseconds / 1_000_000
    }

    /// The key's hash for the merge's table, never 0 (0 marks "no key" there). The standard
    /// library's seeded hash: it is computed on every core before the sequential pass.
    var mergeHash: UInt64 {
        let value = UInt64(bitPattern: Int64(hashValue))
        return value == 0 ? 1 : value
    }
}

/// Which files are read completely, and how many bytes and records are done, for the progress
/// display.
private final class FileCompletion: @unchecked Sendable {
    private var remaining: [Int]
    private var finished = 0
    private var bytes = 0
    private var records = 0
    private let lock = NSLock()

    init(parts: [Int]) { remaining = parts }

    /// Counts one whole file or part as read; returns the totals so far.
    func finish(file: Int, bytes amount: Int, records read: Int) -> (files: Int, bytes: Int, records: Int) {
        lock.lock()
        defer { lock.unlock() }
        remaining[file] -= 1
        if remaining[file] == 0 { finished += 1 }
        bytes += amount
        records += read
        return (finished, bytes, records)
    }
}
