/// Replaces many patterns in a text in one pass, in time linear in the text (Aho–Corasick), for
/// `--redact`: thousands of values replaced over outputs of hundreds of megabytes. Replacing them
/// one after another, each a search over the whole text, took hours at 488 MB of input.
///
/// Matching is leftmost-longest and non-overlapping: from the start of the text, the earliest
/// position where a pattern starts is replaced by the longest pattern starting there, and the
/// search goes on after it. So no value is replaced inside another, and nothing a replacement
/// wrote is searched again. ASCII letters match either case; other bytes match exactly.
///
/// Whole words only: a pattern that begins with a word byte (an ASCII letter, digit or `_`) does
/// not match right after a word byte, and one that ends with a word byte does not match right
/// before one. So the value `ed` is not replaced in `used`, nor `Tim` in `rootTime`. Escapes
/// that end in a letter (`\n`, `\t`) count as a boundary before a value.
///
/// The automaton is built over the reversed patterns and run from the end of the text to its
/// start: at each position it is then in the state of the longest pattern *starting* there
/// (one lookup, no chain of shorter matches to walk), and a forward pass picks the
/// replacements. The end-of-word condition is part of the automaton: a boundary symbol follows
/// every byte that is not a word byte (and the end of the text) in the reversed text, and
/// precedes each reversed pattern that ends with a word byte. The text is done a block at a time
/// (a megabyte, or four times the longest pattern), each block's backward scan starting as far
/// past its end as a pattern can reach, so the starts kept are a block's, not the whole text's.
struct PatternReplacer: Sendable {
    /// A state's children as a list (first child, next sibling), each with its symbol; the
    /// root's in a table by symbol. A byte is its own symbol; ``boundary`` is 256.
    private var rootChildren = [Int32](repeating: 0, count: 257)
    private var firstChild: [Int32] = [0]
    private var nextSibling: [Int32] = [0]
    private var symbol: [UInt16] = [0]
    /// The children of states with many (a table by symbol each, after building), by state:
    /// the index of its table, or -1. Shallow states of many patterns have dozens of children.
    private var tableOf: [Int32] = []
    private var tables: [Int32] = []
    private var failure: [Int32] = [0]
    /// For each state, the pattern of the longest of its suffixes that is a pattern (in reversed
    /// text, the longest pattern starting at the current position), or -1.
    private var longestPattern: [Int32] = [-1]
    private var patternLengths: [Int] = []
    private var patternStartsWithWord: [Bool] = []
    private var replacements: [[UInt8]] = []
    private var longestPatternLength = 0
    /// The bytes of text done at a time when set (tests make it as small as one byte, shorter than
    /// the patterns, to cross blocks); else a megabyte, or four times the longest pattern.
    var blockSizeForTests: Int? = nil

    private static let boundary: UInt16 = 256

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "_")
    }

    /// `pairs` in order of precedence: a pattern equal to an earlier one, ASCII case aside,
    /// is left out. Empty patterns are left out.
    init(_ pairs: [(pattern: [UInt8], replacement: [UInt8])]) {
        var terminal: [Int32] = [-1]
        for (pattern, replacement) in pairs where !pattern.isEmpty {
            var state: Int32 = 0
            func step(_ next: UInt16) {
                if let existing = child(state, next) {
                    state = existing
                    return
                }
                let created = Int32(failure.count)
                failure.append(0)
                terminal.append(-1)
                firstChild.append(0)
                symbol.append(next)
                if state == 0 {
                    nextSibling.append(0)
                    rootChildren[Int(next)] = created
                } else {
                    nextSibling.append(firstChild[Int(state)])
                    firstChild[Int(state)] = created
                }
                state = created
            }
            if Self.isWordByte(pattern[pattern.count - 1]) { step(Self.boundary) }
            for byte in pattern.reversed() {
                step(UInt16(Self.fold(byte)))
                if !Self.isWordByte(byte) { step(Self.boundary) }
            }
            guard terminal[Int(state)] < 0 else { continue }
            terminal[Int(state)] = Int32(patternLengths.count)
            patternLengths.append(pattern.count)
            patternStartsWithWord.append(Self.isWordByte(pattern[0]))
            replacements.append(replacement)
            longestPatternLength = max(longestPatternLength, pattern.count)
        }
        // States with many children get a table, so that a step from them is one lookup.
        tableOf = [Int32](repeating: -1, count: failure.count)
        for state in 1..<failure.count {
            var degree = 0
            var next = firstChild[state]
            while next != 0 { degree += 1; next = nextSibling[Int(next)] }
            guard degree >= 8 else { continue }
            tableOf[state] = Int32(tables.count / 257)
            let base = tables.count
            tables.append(contentsOf: repeatElement(0, count: 257))
            next = firstChild[state]
            while next != 0 { tables[base + Int(symbol[Int(next)])] = next; next = nextSibling[Int(next)] }
        }
        // Failure links breadth first: a state's link is the longest proper suffix of its string
        // that is a state; its longest pattern is its own when it ends one, else its link's.
        longestPattern = terminal
        var queue: [Int32] = rootChildren.filter { $0 != 0 }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            var next = firstChild[Int(state)]
            while next != 0 {
                let label = symbol[Int(next)]
                var link = failure[Int(state)]
                while link != 0, child(link, label) == nil { link = failure[Int(link)] }
                failure[Int(next)] = child(link, label) ?? 0
                if longestPattern[Int(next)] < 0 { longestPattern[Int(next)] = longestPattern[Int(failure[Int(next)])] }
                queue.append(next)
                next = nextSibling[Int(next)]
            }
        }
    }

    var isEmpty: Bool { patternLengths.isEmpty }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    private func child(_ state: Int32, _ label: UInt16) -> Int32? {
        if state == 0 {
            let next = rootChildren[Int(label)]
            return next == 0 ? nil : next
        }
        if Int(state) < tableOf.count, tableOf[Int(state)] >= 0 {
            let next = tables[Int(tableOf[Int(state)]) * 257 + Int(label)]
            return next == 0 ? nil : next
        }
        var next = firstChild[Int(state)]
        while next != 0 {
            if symbol[Int(next)] == label { return next }
            next = nextSibling[Int(next)]
        }
        return nil
    }

    private func advance(_ state: Int32, _ label: UInt16) -> Int32 {
        var state = state
        while state != 0, child(state, label) == nil { state = failure[Int(state)] }
        return child(state, label) ?? 0
    }

    /// Whether a pattern may start at `start`: after a byte that is not a word byte, or after an
    /// escape such as `\n`.
    private static func startsWord(at start: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard start > 0, isWordByte(text[start - 1]) else { return true }
        return start > 1 && text[start - 2] == UInt8(ascii: "\\")
    }

    /// `text` with the patterns replaced.
    func replace(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard !isEmpty else { return Array(text) }
        let blockSize = blockSizeForTests ?? max(1 << 20, 4 * longestPatternLength)
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var copied = 0
        var starts: [(position: Int, pattern: Int32)] = []
        var blockStart = 0
        while blockStart < text.count {
            let blockEnd = min(text.count, blockStart + blockSize)
            // Backwards from as far past the block as a pattern starting in it can reach: the
            // longest pattern starting at each position of the block where one starts.
            starts.removeAll(keepingCapacity: true)
            var position = min(text.count, blockEnd + longestPatternLength - 1)
            var state: Int32 = 0
            if position == text.count || !Self.isWordByte(text[position]) { state = advance(state, Self.boundary) }
            let first = max(blockStart, copied)
            while position > first {
                position -= 1
                let byte = text[position]
                state = advance(state, UInt16(Self.fold(byte)))
                if !Self.isWordByte(byte) { state = advance(state, Self.boundary) }
                let pattern = longestPattern[Int(state)]
                if pattern >= 0, position < blockEnd { starts.append((position, pattern)) }
            }
            // Forwards: the leftmost start, its longest pattern, then on after it (which may be
            // past the block's end).
            for (start, pattern) in starts.reversed() where start >= copied {
                if patternStartsWithWord[Int(pattern)], !Self.startsWord(at: start, in: text) { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied..<start]))
                out.append(contentsOf: replacements[Int(pattern)])
                copied = start + patternLengths[Int(pattern)]
            }
            blockStart = blockEnd
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied...]))
        return out
    }

    /// The same replacement by its plain definition, one position and every pattern at a time,
    /// for the tests and the fuzzer to check ``replace(_:)`` against (slow: patterns times text).
    static func definition(_ text: [UInt8], _ pairs: [(pattern: [UInt8], replacement: [UInt8])]) -> [UInt8] {
        var kept: [(pattern: [UInt8], replacement: [UInt8])] = []
        for pair in pairs where !pair.pattern.isEmpty && !kept.contains(where: { $0.pattern.map(fold) == pair.pattern.map(fold) }) {
            kept.append(pair)
        }
        var out: [UInt8] = []
        var position = 0
        while position < text.count {
            var best: (length: Int, replacement: [UInt8])? = nil
            for (pattern, replacement) in kept where pattern.count <= text.count - position {
                let end = position + pattern.count
                let matches = pattern.indices.allSatisfy { fold(pattern[$0]) == fold(text[position + $0]) }
                let startsWord = !isWordByte(pattern[0]) || position == 0 || !isWordByte(text[position - 1])
                    || (position > 1 && text[position - 2] == UInt8(ascii: "\\"))
                let endsWord = !isWordByte(pattern[pattern.count - 1]) || end == text.count || !isWordByte(text[end])
                if matches, startsWord, endsWord, pattern.count > (best?.length ?? 0) { best = (pattern.count, replacement) }
            }
            if let best {
                out += best.replacement
                position += best.length
            } else {
                out.append(text[position])
                position += 1
            }
        }
        return out
    }
}
