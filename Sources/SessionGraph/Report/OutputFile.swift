import CFileReplace
import Foundation

/// Writes output files so that an interrupted run never leaves a half-written one: the data
/// goes to a temporary file in the same folder, which then replaces the target in one step.
public enum OutputFile {
    public static func write(_ data: Data, to path: String) throws {
        let temporary = try temporaryFile(for: path)
        try data.write(to: temporary)
        try replace(path, with: temporary.path)
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Writes the text `body` sends to its stream, through a buffer, to `path` (by way of a
    /// temporary file, as ``write(_:to:)-(Data,_)`` does): a document of hundreds of megabytes
    /// is never whole in memory.
    public static func stream(to path: String, _ body: (inout FileTextStream) throws -> Void) throws {
        var file = try OpenTemporary(for: path)
        do {
            try body(&file.stream)
        } catch {
            file.discard()
            throw error
        }
        try file.finish()
        try replace(path, with: file.temporary.path)
    }

    /// Two documents written together (findings.json and findings.jsonl, from one pass over the
    /// findings): both are finished and checked before either replaces its target, so a failed
    /// write leaves the previous pair, not a new file beside an old one.
    public static func stream(to first: String, and second: String, _ body: (inout FileTextStream, inout FileTextStream) throws -> Void) throws {
        var one = try OpenTemporary(for: first)
        var two: OpenTemporary
        do {
            two = try OpenTemporary(for: second)
        } catch {
            one.discard()
            throw error
        }
        do {
            try body(&one.stream, &two.stream)
        } catch {
            one.discard()
            two.discard()
            throw error
        }
        let finished = (Result { try one.finish() }, Result { try two.finish() })
        for (outcome, other) in [(finished.0, two), (finished.1, one)] {
            if case .failure(let error) = outcome {
                // The other file is closed (or failed too): removed, so neither replaces its target.
                try? FileManager.default.removeItem(at: other.temporary)
                throw error
            }
        }
        do {
            try replace(first, with: one.temporary.path)
        } catch {
            try? FileManager.default.removeItem(at: two.temporary)
            throw error
        }
        // Should this replace fail (the folder changed under the run), the new first file stands
        // beside the previous second one, and the error says which.
        try replace(second, with: two.temporary.path)
    }

    /// A temporary file open for a buffered stream, beside its target.
    private struct OpenTemporary {
        let temporary: URL
        let file: UnsafeMutablePointer<FILE>
        var stream: FileTextStream
        let target: String

        init(for path: String) throws {
            temporary = try OutputFile.temporaryFile(for: path)
            guard let file = fopen(temporary.path, "w") else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create \(temporary.path): \(String(cString: strerror(errno)))"])
            }
            self.file = file
            stream = FileTextStream(file: file)
            target = path
        }

        /// Closes the file and removes it.
        func discard() {
            fclose(file)
            try? FileManager.default.removeItem(at: temporary)
        }

        /// Closes the file; a write error kept by it, or one in closing, removes it and is thrown.
        func finish() throws {
            let failed = ferror(file) != 0
            let closed = fclose(file) == 0
            guard !failed, closed else {
                try? FileManager.default.removeItem(at: temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot write \(target)"])
            }
        }
    }

    /// The temporary file the data for `path` is written to, beside it (its folder made when
    /// missing), named for the target and this process.
    private static func temporaryFile(for path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    }

    /// Puts the finished file at `temporary` in place of `path` in one step: a reader sees the
    /// old file or the new one, whole. (Like any file written without `fsync`, the new one is
    /// not made durable: a power loss soon after a run can leave it empty.)
    ///
    /// An existing target is swapped with the new file (Linux `RENAME_EXCHANGE`) and the old one
    /// then removed, rather than renamed over. ext4 treats a rename over a file as a replacement
    /// that must survive a crash, and writes the new file's blocks out during the rename
    /// (`auto_da_alloc`): about 0.13 s of waiting per run for the three large JSON documents at
    /// 488 MB of input, when the folder held a previous run's outputs. Where the target is
    /// missing or not a regular file, or the system cannot swap, the file is renamed as usual.
    static func replace(_ path: String, with temporary: String) throws {
        var target = stat()
        let targetIsFile = lstat(path, &target) == 0 && (target.st_mode & S_IFMT) == S_IFREG
        if targetIsFile, sessiongraph_exchange_files(temporary, path) == 0 {
            // `temporary` now names what was at `path`: the previous run's file, unless something
            // else took its place after the check above. Anything but a regular file is swapped
            // back, so a folder keeps its name, and the write fails as a rename would.
            var swapped = stat()
            guard lstat(temporary, &swapped) == 0, (swapped.st_mode & S_IFMT) == S_IFREG else {
                _ = sessiongraph_exchange_files(temporary, path)
                unlink(temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot replace \(path): it is no longer a regular file"])
            }
            guard unlink(temporary) == 0 else {
                // The new file is in place; the previous one would stay, hidden, beside it.
                let message = String(cString: strerror(errno))
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "wrote \(path), but cannot remove the previous file, now at \(temporary): \(message)"])
            }
            return
        }
        guard rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename into \(path): \(message)"])
        }
    }

    /// Removes from `folder` the session diagrams of an earlier run that this run did not write
    /// (`written`: file names), so that the folder holds this run's diagrams only: a diagram of a
    /// session no longer flagged (new evidence, another allow-list), or a view this run did not
    /// draw, would otherwise be taken for this run's. Only regular files named as
    /// ``sessionFileName(sessionId:index:shared:)`` names them, with `.suspicious` or not, `.dot`
    /// or `.svg`, are removed; anything else in the folder is left. No link is followed: not the
    /// folder (opened with `O_NOFOLLOW`), not an entry (looked at and removed by its name in the
    /// opened folder). Returns how many were removed.
    @discardableResult
    public static func removeEarlierDiagrams(in folder: String, keeping written: Set<String>) -> Int {
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { return 0 }
        defer { close(directory) }
        // The listing reads its own descriptor (closedir closes it).
        let listing = dup(directory)
        guard listing >= 0 else { return 0 }
        guard let stream = fdopendir(listing) else {
            close(listing)
            return 0
        }
        var names: [String] = []
        while let entry = readdir(stream) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) })
        }
        closedir(stream)
        var removed = 0
        // A diagram name is ASCII, so the string is the entry's exact bytes.
        for name in names where !written.contains(name) && isDiagramName(name) {
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFREG, unlinkat(directory, name, 0) == 0 else { continue }
            removed += 1
        }
        return removed
    }

    /// Whether `name` is one ``sessionFileName(sessionId:index:shared:)`` gives a diagram of a
    /// session whose id is a GUID (every id is, after ingest) or `session-<n>`: the id, then
    /// `-<n>` for a shared one, `.suspicious` or not, then `.dot` or `.svg`. Read as bytes, ASCII
    /// only (a combining mark after a digit is not a digit), and a lower-case GUID only (the
    /// ingest's own check), so that a word of hex letters (`face.svg`) is never taken for one.
    static func isDiagramName(_ name: String) -> Bool {
        var stem = Array(name.utf8)[...]
        func dropSuffix(_ suffix: StaticString) -> Bool {
            let tail = UnsafeBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
            guard stem.count >= tail.count, stem.suffix(tail.count).elementsEqual(tail) else { return false }
            stem = stem.dropLast(tail.count)
            return true
        }
        guard dropSuffix(".dot") || dropSuffix(".svg") else { return false }
        _ = dropSuffix(".suspicious")
        /// `-<digits>`, or nothing when `optional`.
        func index(_ rest: ArraySlice<UInt8>, optional: Bool) -> Bool {
            if rest.isEmpty { return optional }
            return rest.count > 1 && rest.first == UInt8(ascii: "-") && rest.dropFirst().allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
        }
        let session = Array("session".utf8)
        if stem.starts(with: session) {
            let rest = stem.dropFirst(session.count)
            guard let dash = rest.dropFirst().firstIndex(of: UInt8(ascii: "-")) else { return index(rest, optional: false) }
            return index(rest[..<dash], optional: false) && index(rest[dash...], optional: false)
        }
        guard stem.count >= 36, Array(stem.prefix(36)).withUnsafeBufferPointer(IdentifierNormalizer.isCanonicalGUID) else { return false }
        return index(stem.dropFirst(36), optional: true)
    }

    /// A file name for a session's outputs: its id when that is a plain GUID (it always is after
    /// ingest), else `session-<index>`; never raw input, so an id such as `../../x` cannot leave
    /// the output folder. `index` disambiguates a session id shared by two users.
    public static func sessionFileName(sessionId: String, index: Int, shared: Bool) -> String {
        let plain = !sessionId.isEmpty && sessionId.utf8.count <= 64
            && sessionId.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || $0 == "-" }
        let base = plain ? sessionId : "session-\(index)"
        return shared ? "\(base)-\(index)" : base
    }
}

/// A text stream into an open file, buffered by the C library; a write error is kept by the file
/// and reported when ``OutputFile/stream(to:_:)`` closes it.
public struct FileTextStream: TextOutputStream {
    private let file: UnsafeMutablePointer<FILE>

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        setvbuf(file, nil, _IOFBF, 1 << 20)
    }

    public mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress { _ = fwrite(base, 1, bytes.count, file) }
        }
    }
}
