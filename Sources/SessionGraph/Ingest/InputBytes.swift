import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be opened or decoded at all.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// The bytes of one input file, decoded to UTF-8 text: memory-mapped for plain files (the OS
/// pages them in and out, so a multi-GB export is never copied into one String), inflated for
/// gzip, transcoded for UTF-16 ("Unicode text" saved by Excel). A UTF-8 byte-order mark is
/// skipped through ``textStart``.
final class InputBytes: @unchecked Sendable {
    private let base: UnsafeRawPointer?
    private let count: Int
    private let mapped: Bool
    private let owned: [UInt8]?
    /// Offset of the first byte after any byte-order mark.
    let textStart: Int
    /// What the reader did to decode the file (`gzip`, `utf-16le`), for the report.
    let encodingNotes: [String]
    /// A problem that still left usable bytes (a truncated gzip stream).
    let problem: String?

    private init(mappedBase: UnsafeRawPointer?, count: Int) {
        self.base = mappedBase
        self.count = count
        self.mapped = mappedBase != nil
        self.owned = nil
        let bom = count >= 3 && mappedBase!.load(fromByteOffset: 0, as: UInt8.self) == 0xEF
            && mappedBase!.load(fromByteOffset: 1, as: UInt8.self) == 0xBB && mappedBase!.load(fromByteOffset: 2, as: UInt8.self) == 0xBF
        self.textStart = bom ? 3 : 0
        self.encodingNotes = bom ? ["utf-8 byte-order mark"] : []
        self.problem = nil
    }

    private init(owned: [UInt8], notes: [String], problem: String?) {
        self.base = nil
        self.count = owned.count
        self.mapped = false
        self.owned = owned
        let bom = owned.count >= 3 && owned[0] == 0xEF && owned[1] == 0xBB && owned[2] == 0xBF
        self.textStart = bom ? 3 : 0
        self.encodingNotes = notes + (bom ? ["utf-8 byte-order mark"] : [])
        self.problem = problem
    }

    deinit {
        if mapped, let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    var byteCount: Int { count }

    /// The size of a page of memory, the unit the OS maps, reads ahead and drops.
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Tells the OS the whole mapped pages between `start` and `offset` are read and may be
    /// dropped from memory (they are paged in again from the file if touched), so a multi-GB
    /// file does not stay resident while the rest of it is parsed. Returns where the next
    /// release of the same reader starts: the page boundary the pages released end at, `start`
    /// when none were, or `offset` for decoded (owned) bytes, which have none to release.
    @discardableResult
    func releasePages(from start: Int, before offset: Int) -> Int {
        guard mapped, let base else { return max(start, offset) }
        let page = Self.pageSize
        let first = (max(start, 0) + page - 1) / page * page
        let end = min(offset, count) / page * page
        guard end > first else { return start }
        madvise(UnsafeMutableRawPointer(mutating: base + first), end - first, MADV_DONTNEED)
        return end
    }

    /// Asks the OS to start reading the mapped pages of `range` from the file now, so that the
    /// parser does not wait for them a fault at a time when they are not in the page cache (a
    /// multi-GB export often is not). Does nothing for decoded (owned) bytes.
    func prefetch(_ range: Range<Int>) {
        guard mapped, let base else { return }
        let page = Self.pageSize
        let first = max(range.lowerBound, 0) / page * page
        let end = min(range.upperBound, count)
        guard end > first else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + first), end - first, MADV_WILLNEED)
    }

    /// Whether the bytes are the file's own pages (not inflated or transcoded into memory).
    var isMapped: Bool { mapped }

    /// Whether the file at `path` starts with the gzip magic or a UTF-16 byte-order mark, read
    /// without mapping or inflating it.
    static func needsDecoding(path: String) -> Bool {
        guard let head = firstTwoBytes(path: path) else { return true }
        return isGzip(head) || (head.0 == 0xFF && head.1 == 0xFE) || (head.0 == 0xFE && head.1 == 0xFF)
    }

    /// Whether the file starts as a gzip stream does.
    static func isGzip(path: String) -> Bool { firstTwoBytes(path: path).map(isGzip) ?? false }

    private static func isGzip(_ head: (UInt8, UInt8)) -> Bool { head.0 == 0x1F && head.1 == 0x8B }

    private static func firstTwoBytes(path: String) -> (UInt8, UInt8)? {
        // Only a regular file is opened (see open(path:)).
        var before = stat()
        guard stat(path, &before) == 0, before.st_mode & S_IFMT == S_IFREG else { return nil }
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var head: (UInt8, UInt8) = (0, 0)
        let got = withUnsafeMutableBytes(of: &head) { read(fd, $0.baseAddress, 2) }
        return got == 2 ? head : nil
    }

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let owned {
            return try owned.withUnsafeBufferPointer(body)
        }
        guard let base, count > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// Why a file of mode `mode` is not read, or nil for a regular file.
    static func notARegularFile(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder whose entries could not be listed"
        case S_IFIFO: return "a named pipe, not read (only regular files are read)"
        case S_IFSOCK: return "a socket, not read (only regular files are read)"
        case S_IFCHR, S_IFBLK: return "a device, not read (only regular files are read)"
        default: return "not a regular file, not read"
        }
    }

    /// Opens `path`, mapping it, inflating it when it is gzip (by its magic bytes, not its name)
    /// and transcoding UTF-16 to UTF-8.
    ///
    /// Only a regular file is read: a pipe, socket, device or folder is an error that says what
    /// it is, found before the file is opened (opening a device can act on it), and checked
    /// again on what was opened; a named pipe made in between does not wait for a writer.
    static func open(path: String, maxInflatedBytes: Int = 64 << 30) throws(InputError) -> InputBytes {
        var before = stat()
        guard stat(path, &before) == 0 else {
            let reason = String(cString: strerror(errno))
            var link = stat()
            if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                throw InputError(path: path, message: "a broken symbolic link (what it names cannot be reached: \(reason))")
            }
            throw InputError(path: path, message: "cannot open (\(reason))")
        }
        // A link to a folder that can be listed is one the walk did not follow (it leads out of
        // the folder being read); one that cannot be listed gets the message below.
        var link = stat()
        if before.st_mode & S_IFMT == S_IFDIR, lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, let folder = opendir(path) {
            closedir(folder)
            throw InputError(path: path, message: "a symbolic link to a folder outside the folder being read, not followed (name the folder on the command line to read it)")
        }
        if let kind = notARegularFile(before.st_mode) { throw InputError(path: path, message: kind) }
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw InputError(path: path, message: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw InputError(path: path, message: "cannot stat (\(String(cString: strerror(errno))))") }
        if let kind = notARegularFile(info.st_mode) { throw InputError(path: path, message: kind) }
        let size = Int(info.st_size)
        guard size > 0 else { return InputBytes(owned: [], notes: [], problem: nil) }
        guard let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED else {
            throw InputError(path: path, message: "cannot map (\(String(cString: strerror(errno))))")
        }
        let raw = UnsafeRawPointer(pointer)
        let first = raw.load(as: UInt8.self)
        let second = size > 1 ? raw.load(fromByteOffset: 1, as: UInt8.self) : 0
        if first == 0x1F && second == 0x8B {
            defer { munmap(pointer, size) }
            let (inflated, problem) = inflate(UnsafeRawBufferPointer(start: raw, count: size), limit: maxInflatedBytes)
            let decoded = transcodeIfUTF16(inflated)
            return InputBytes(owned: decoded.bytes, notes: ["gzip"] + decoded.notes, problem: problem)
        }
        if (first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF) {
            defer { munmap(pointer, size) }
            let decoded = transcodeIfUTF16(Array(UnsafeRawBufferPointer(start: raw, count: size)))
            return InputBytes(owned: decoded.bytes, notes: decoded.notes, problem: nil)
        }
        madvise(pointer, size, MADV_SEQUENTIAL)
        return InputBytes(mappedBase: raw, count: size)
    }

    /// Inflates a gzip stream (several members are read one after another, as `gzip -c a b`
    /// writes them). A stream cut short keeps what was inflated and says so.
    private static func inflate(_ input: UnsafeRawBufferPointer, limit: Int) -> ([UInt8], String?) {
        var output: [UInt8] = []
        output.reserveCapacity(min(input.count * 6, 1 << 30))
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return ([], "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var offset = 0
        var problem: String?
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(min(input.count, Int(UInt32.max)))
        while true {
            let status: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(chunk)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk - Int(stream.avail_out)
            output.append(contentsOf: buffer[0..<produced])
            if output.count > limit {
                problem = "inflated data exceeds \(limit) bytes (limit); the rest is not read"
                break
            }
            if status == Z_STREAM_END {
                offset = input.count - Int(stream.avail_in)
                // Another gzip member may follow.
                if stream.avail_in > 0, offset + 1 < input.count, input[offset] == 0x1F, input[offset + 1] == 0x8B {
                    inflateReset(&stream)
                    continue
                }
                if offset < input.count {
                    problem = "\(input.count - offset) bytes of trailing data after the gzip stream were ignored (not another gzip member)"
                }
                break
            }
            if status == Z_OK { continue }
            if status == Z_BUF_ERROR && stream.avail_in == 0 {
                problem = "gzip stream is truncated (the file ends before the compressed data does); \(output.count) bytes were recovered"
                break
            }
            let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
            problem = "gzip data is corrupt (\(message)); \(output.count) bytes were recovered"
            break
        }
        return (output, problem)
    }

    /// UTF-16 with a byte-order mark becomes UTF-8; anything else is returned unchanged.
    private static func transcodeIfUTF16(_ bytes: [UInt8]) -> (bytes: [UInt8], notes: [String]) {
        guard bytes.count >= 2 else { return (bytes, []) }
        let little: Bool
        if bytes[0] == 0xFF && bytes[1] == 0xFE { little = true } else if bytes[0] == 0xFE && bytes[1] == 0xFF { little = false } else { return (bytes, []) }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 2
        while i + 1 < bytes.count {
            units.append(little ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 2
        }
        let text = String(decoding: units, as: UTF16.self)
        return (Array(text.utf8), [little ? "utf-16le" : "utf-16be"])
    }
}
