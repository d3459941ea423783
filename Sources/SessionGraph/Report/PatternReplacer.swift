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
///
/// A pattern longer than ``Anchoring/window`` bytes is not spelled out in the automaton, which
/// takes tens of bytes a byte of pattern (2,000 hostile display names of 10,000 characters made
/// a table of 1.1 GB in 9 s). It is found by one window of its bytes (an *anchor*: its last
/// ``Anchoring/window`` bytes, or a few bytes further in when as many other patterns already
/// share those), which the automaton holds as it holds a pattern; where the anchor occurs, the
/// pattern's whole span in the text is compared with it by a polynomial hash, and the bytes are
/// compared before a replacement is made. At most ``Anchoring/groupLimit`` spans are hashed at a
/// position, and a position keeps the longest that matched (a block's worth of them at most); a
/// pattern whose last ``Anchoring/shifts`` windows are all that shared is spelled out after all.
/// So the automaton holds at most a window for each long pattern it does not spell out, and the
/// scan does at most ``Anchoring/groupLimit`` hashes a byte more than before.
struct PatternReplacer: Sendable {
    /// How patterns longer than a window are found (tests make the window tiny): by a window of
    /// `window` bytes, the last, or one of the `shifts` before it that fewer than `groupLimit`
    /// patterns share; a hash base the tests may choose (1 makes anagrams collide).
    struct Anchoring: Sendable {
        var window = 64
        var groupLimit = 16
        var shifts = 64
        var hashBase: UInt64? = nil
    }
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
    /// For each state, the anchored patterns whose anchor ends there or at a suffix of its
    /// string (an index into ``anchorGroups``), or -1; all anchors are as long, so a position
    /// has at most one.
    private var anchorAt: [Int32] = []
    /// The anchored patterns of each anchor: the pattern, where its anchor starts in it.
    private var anchorGroups: [[(pattern: Int32, offset: Int)]] = []
    /// Of each pattern (by index) longer than a window: its bytes, ASCII case folded, and their
    /// hash (else empty and 0); and whether it is anchored (not spelled out).
    private var longBytes: [[UInt8]] = []
    private var longHashes: [UInt64] = []
    private var anchored: [Bool] = []
    private var patternEndsWithWord: [Bool] = []
    private var hasher = SpanHasher()
    /// The bytes of text done at a time when set (tests make it as small as one byte, shorter than
    /// the patterns, to cross blocks); else a megabyte, or four times the longest pattern.
    var blockSizeForTests: Int? = nil

    private static let boundary: UInt16 = 256

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "_")
    }

    /// `pairs` in order of precedence: a pattern equal to an earlier one, ASCII case aside,
    /// is left out. Empty patterns are left out.
    init(_ pairs: [(pattern: [UInt8], replacement: [UInt8])], anchoring: Anchoring = Anchoring()) {
        precondition(anchoring.window >= 1 && anchoring.groupLimit >= 0, "a window of at least one byte")
        if let base = anchoring.hashBase { hasher = SpanHasher(base: base) }
        var terminal: [Int32] = [-1]
        var anchorOf: [Int32] = [-1]
        // Room for every state at once (a pattern spells at most two symbols a byte and one
        // more; an anchored one, its window's): grown by doubling, the arrays were copied and
        // their fresh pages touched twice over, most of the build's time at 10 million states.
        let stateBound = 1 + pairs.reduce(0) { bound, pair in bound + 2 * min(pair.pattern.count, anchoring.window + 1) + 1 }
        terminal.reserveCapacity(stateBound)
        anchorOf.reserveCapacity(stateBound)
        failure.reserveCapacity(stateBound)
        firstChild.reserveCapacity(stateBound)
        nextSibling.reserveCapacity(stateBound)
        symbol.reserveCapacity(stateBound)
        // Long patterns already taken, by the hash of their folded bytes (equal ones, ASCII
        // case aside, are left out as equal short ones are); and how many patterns each
        // anchor's bytes, by their hash, are already shared by.
        var longByHash: [UInt64: [Int32]] = [:]
        var sharing: [UInt64: Int] = [:]
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
                anchorOf.append(-1)
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
            func spell(_ bytes: ArraySlice<UInt8>) {
                for byte in bytes.reversed() {
                    step(UInt16(lowerASCII(byte)))
                    if !Self.isWordByte(byte) { step(Self.boundary) }
                }
            }
            /// Keeps the pattern, as id `id`: its facts, and a long one's folded bytes and hash.
            func add(long: (bytes: [UInt8], hash: UInt64)?, anchored isAnchored: Bool) {
                patternLengths.append(pattern.count)
                patternStartsWithWord.append(Self.isWordByte(pattern[0]))
                patternEndsWithWord.append(Self.isWordByte(pattern[pattern.count - 1]))
                replacements.append(replacement)
                longestPatternLength = max(longestPatternLength, pattern.count)
                longBytes.append(long?.bytes ?? [])
                longHashes.append(long?.hash ?? 0)
                anchored.append(isAnchored)
            }
            let id = Int32(patternLengths.count)
            var long: (bytes: [UInt8], hash: UInt64)? = nil
            if pattern.count > anchoring.window {
                let folded = pattern.map(lowerASCII)
                let hash = hasher.hash(folded[...])
                if longByHash[hash, default: []].contains(where: { longBytes[Int($0)] == folded }) { continue }
                longByHash[hash, default: []].append(id)
                long = (folded, hash)
                // The anchor: the last window its sharers leave room in.
                var anchor: (offset: Int, key: UInt64)? = nil
                for shift in 0..<max(1, anchoring.shifts) {
                    let offset = pattern.count - anchoring.window - shift
                    guard offset >= 0 else { break }
                    let key = hasher.hash(folded[offset..<(offset + anchoring.window)])
                    if sharing[key, default: 0] < anchoring.groupLimit {
                        anchor = (offset, key)
                        break
                    }
                }
                if let anchor {
                    sharing[anchor.key, default: 0] += 1
                    spell(pattern[anchor.offset..<(anchor.offset + anchoring.window)])
                    if anchorOf[Int(state)] < 0 {
                        anchorOf[Int(state)] = Int32(anchorGroups.count)
                        anchorGroups.append([])
                    }
                    anchorGroups[Int(anchorOf[Int(state)])].append((id, anchor.offset))
                    add(long: long, anchored: true)
                    continue
                }
                // Every window is shared by as many as a position checks: spelled out.
            }
            if Self.isWordByte(pattern[pattern.count - 1]) { step(Self.boundary) }
            spell(pattern[...])
            // A short pattern equal to one before, ASCII case aside (a long one was already left
            // out by its bytes), is left out.
            guard terminal[Int(state)] < 0 else { continue }
            terminal[Int(state)] = id
            add(long: long, anchored: false)
        }
        if !anchorGroups.isEmpty { hasher.preparePowers(upTo: longestPatternLength) }
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
        // Moved, not copied (the first change to a copy would copy it whole).
        swap(&longestPattern, &terminal)
        swap(&anchorAt, &anchorOf)
        var queue: [Int32] = []
        queue.reserveCapacity(failure.count)
        queue.append(contentsOf: rootChildren.filter { $0 != 0 })
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
                if anchorAt[Int(next)] < 0 { anchorAt[Int(next)] = anchorAt[Int(failure[Int(next)])] }
                queue.append(next)
                next = nextSibling[Int(next)]
            }
        }
    }

    var isEmpty: Bool { patternLengths.isEmpty }

    /// How many states the automaton has, how many patterns are anchored, and how many share
    /// the most shared anchor (the tests bound them).
    var states: Int { failure.count }
    var anchoredCount: Int { anchored.filter { $0 }.count }
    var largestAnchorGroup: Int { anchorGroups.map(\.count).max() ?? 0 }

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
        // The hashes of the block's text from `first` on, and for each position from `first` on
        // the longest anchored pattern whose span there hashes as the pattern does (or -1): made
        // when an anchor first occurs in the block.
        var prefixHashes: [UInt64] = []
        var anchoredAt: [Int32] = []
        let hasAnchors = !anchorGroups.isEmpty
        var blockStart = 0
        while blockStart < text.count {
            let blockEnd = min(text.count, blockStart + blockSize)
            // Backwards from as far past the block as a pattern starting in it can reach: the
            // longest pattern starting at each position of the block where one starts.
            starts.removeAll(keepingCapacity: true)
            prefixHashes.removeAll(keepingCapacity: true)
            anchoredAt.removeAll(keepingCapacity: true)
            let first = max(blockStart, copied)
            // A replacement reached past the block: no pattern starts in it.
            guard first < blockEnd else {
                blockStart = blockEnd
                continue
            }
            let scanEnd = min(text.count, blockEnd + longestPatternLength - 1)
            var position = scanEnd
            var state: Int32 = 0
            if position == text.count || !Self.isWordByte(text[position]) { state = advance(state, Self.boundary) }
            while position > first {
                position -= 1
                let byte = text[position]
                state = advance(state, UInt16(lowerASCII(byte)))
                if !Self.isWordByte(byte) { state = advance(state, Self.boundary) }
                let pattern = longestPattern[Int(state)]
                if pattern >= 0, position < blockEnd { starts.append((position, pattern)) }
                let group = hasAnchors ? anchorAt[Int(state)] : -1
                guard group >= 0 else { continue }
                // An anchor starts here: each pattern anchored by it whose span, as a whole
                // word at its end, hashes as the pattern does (at most ``Anchoring/groupLimit``).
                if prefixHashes.isEmpty {
                    prefixHashes = hasher.prefixes(text, from: first, to: scanEnd)
                    anchoredAt = [Int32](repeating: -1, count: blockEnd - first)
                }
                for (id, offset) in anchorGroups[Int(group)] {
                    let start = position - offset, end = start + patternLengths[Int(id)]
                    guard start >= first, start < blockEnd, end <= scanEnd else { continue }
                    if patternEndsWithWord[Int(id)], end < text.count, Self.isWordByte(text[end]) { continue }
                    let kept = anchoredAt[start - first]
                    guard kept < 0 || patternLengths[Int(kept)] < patternLengths[Int(id)] else { continue }
                    if hasher.span(prefixHashes, from: start - first, to: end - first) == longHashes[Int(id)] { anchoredAt[start - first] = id }
                }
            }
            // Forwards: the leftmost start, its longest pattern, then on after it (which may be
            // past the block's end).
            func replace(_ pattern: Int32, at start: Int) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied..<start]))
                out.append(contentsOf: replacements[Int(pattern)])
                copied = start + patternLengths[Int(pattern)]
            }
            if anchoredAt.isEmpty {
                for (start, pattern) in starts.reversed() where start >= copied {
                    if patternStartsWithWord[Int(pattern)], !Self.startsWord(at: start, in: text) { continue }
                    replace(pattern, at: start)
                }
            } else {
                // Each position's anchored pattern beside the automaton's, the longer first; its
                // bytes are compared before it is taken (the hashes of a span that differs
                // could collide).
                var next = starts.count - 1
                for offset in anchoredAt.indices {
                    let start = first + offset
                    var spelled: Int32 = -1
                    if next >= 0, starts[next].position == start {
                        spelled = starts[next].pattern
                        next -= 1
                    }
                    guard start >= copied, spelled >= 0 || anchoredAt[offset] >= 0 else { continue }
                    var found = anchoredAt[offset]
                    if found >= 0, !spells(found, at: start, in: text) { found = longestAnchored(at: start, in: text) }
                    let longerFirst = found >= 0 && (spelled < 0 || patternLengths[Int(found)] > patternLengths[Int(spelled)]) ? [found, spelled] : [spelled, found]
                    for pattern in longerFirst where pattern >= 0 {
                        if patternStartsWithWord[Int(pattern)], !Self.startsWord(at: start, in: text) { continue }
                        replace(pattern, at: start)
                        break
                    }
                }
            }
            blockStart = blockEnd
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied...]))
        return out
    }

    /// The longest anchored pattern that `text` holds from `start` as a whole word at its end, by
    /// its bytes, or -1: the answer when the span's hash collided with another pattern's (every
    /// anchored pattern is tried, which a collision, a chance in about 2^61 / length, justifies).
    private func longestAnchored(at start: Int, in text: UnsafeBufferPointer<UInt8>) -> Int32 {
        var best: Int32 = -1
        for id in anchored.indices where anchored[id] && (best < 0 || patternLengths[id] > patternLengths[Int(best)]) {
            let end = start + patternLengths[id]
            guard end <= text.count, spells(Int32(id), at: start, in: text) else { continue }
            if patternEndsWithWord[id], end < text.count, Self.isWordByte(text[end]) { continue }
            best = Int32(id)
        }
        return best
    }

    /// Whether `text` from `start` holds the bytes of the anchored `pattern`, ASCII case aside.
    private func spells(_ pattern: Int32, at start: Int, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        let bytes = longBytes[Int(pattern)]
        guard start + bytes.count <= text.count else { return false }
        for index in bytes.indices where lowerASCII(text[start + index]) != bytes[index] { return false }
        return true
    }

    /// The same replacement by its plain definition, one position and every pattern at a time,
    /// for the tests and the fuzzer to check ``replace(_:)`` against (slow: patterns times text).
    static func definition(_ text: [UInt8], _ pairs: [(pattern: [UInt8], replacement: [UInt8])]) -> [UInt8] {
        var kept: [(pattern: [UInt8], replacement: [UInt8])] = []
        for pair in pairs where !pair.pattern.isEmpty && !kept.contains(where: { $0.pattern.map(lowerASCII) == pair.pattern.map(lowerASCII) }) {
            kept.append(pair)
        }
        var out: [UInt8] = []
        var position = 0
        while position < text.count {
            var best: (length: Int, replacement: [UInt8])? = nil
            for (pattern, replacement) in kept where pattern.count <= text.count - position {
                let end = position + pattern.count
                let matches = pattern.indices.allSatisfy { lowerASCII(pattern[$0]) == lowerASCII(text[position + $0]) }
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

/// Polynomial hashes of byte strings modulo the prime 2^61 − 1, with a base drawn at random for
/// each replacer (no input can be made to collide on purpose, and a collision only costs a byte
/// comparison); the hash of any span of a text comes from the text's prefix hashes in constant
/// time. Bytes count from 1, so that leading zero bytes count.
struct SpanHasher: Sendable {
    static let modulus: UInt64 = (1 << 61) - 1
    let base: UInt64

    init(base: UInt64 = UInt64.random(in: 256..<((1 << 61) - 2))) { self.base = base % Self.modulus }

    /// `base` to the power of each length up to the longest span asked for.
    private var powers: [UInt64] = [1]

    @inline(__always)
    static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        // 2^64 ≡ 8 and 2^61 ≡ 1 modulo 2^61 − 1; a and b are below 2^61, the high word below 2^58.
        let (high, low) = a.multipliedFullWidth(by: b)
        var sum = (low & modulus) &+ (low >> 61) &+ (high << 3)
        sum = (sum & modulus) &+ (sum >> 61)
        return sum >= modulus ? sum - modulus : sum
    }

    @inline(__always)
    private func extend(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        let sum = Self.multiply(hash, base) + UInt64(byte) + 1
        return sum >= Self.modulus ? sum - Self.modulus : sum
    }

    func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0, extend)
    }

    mutating func preparePowers(upTo length: Int) {
        while powers.count <= length { powers.append(Self.multiply(powers[powers.count - 1], base)) }
    }

    /// The hashes of `text[from..<from + i]`, ASCII case folded, for each i up to `to - from`.
    func prefixes(_ text: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> [UInt64] {
        var hashes = [UInt64](repeating: 0, count: to - from + 1)
        for index in from..<to {
            hashes[index - from + 1] = extend(hashes[index - from], lowerASCII(text[index]))
        }
        return hashes
    }

    /// The hash of the span `from..<to` of the text whose `prefixes` these are (at most as long
    /// as the powers prepared).
    func span(_ prefixes: [UInt64], from: Int, to: Int) -> UInt64 {
        let shifted = Self.multiply(prefixes[from], powers[to - from])
        let whole = prefixes[to]
        return whole >= shifted ? whole - shifted : whole + Self.modulus - shifted
    }
}
