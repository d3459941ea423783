/// Replaces many patterns in a text in one pass, in time linear in the text (Aho–Corasick), for
/// `--redact`: thousands of values replaced over outputs of hundreds of megabytes. Replacing them
/// one after another, each a search over the whole text, took hours at 488 MB of input.
///
/// Matching is leftmost-longest and non-overlapping: from the start of the text, the earliest
/// position where a pattern starts is replaced by the longest pattern starting there, and the
/// search goes on after it. So no value is replaced inside another, and nothing a replacement
/// wrote is searched again. ASCII letters match either case; other bytes match exactly.
///
/// The automaton is built over the reversed patterns and run from the end of the text to its
/// start: at each position it is then in the state of the longest pattern *starting* there (one
/// lookup, no chain of shorter matches to walk), and a forward pass picks the replacements.
struct PatternReplacer: Sendable {
    /// Child states: the root's in a table by byte, the others by `state << 8 | byte`.
    private var rootChildren = [Int32](repeating: 0, count: 256)
    private var children: [Int: Int32] = [:]
    private var failure: [Int32] = [0]
    /// For each state, the pattern of the longest of its suffixes that is a pattern (in reversed
    /// text, the longest pattern starting at the current position), or -1.
    private var longestPattern: [Int32] = [-1]
    private var patternLengths: [Int] = []
    private var replacements: [[UInt8]] = []

    /// `pairs` in order of precedence: a pattern equal to an earlier one, ASCII case aside,
    /// is left out. Empty patterns are left out.
    init(_ pairs: [(pattern: [UInt8], replacement: [UInt8])]) {
        var terminal: [Int32] = [-1]
        for (pattern, replacement) in pairs where !pattern.isEmpty {
            var state: Int32 = 0
            for byte in pattern.reversed() {
                let folded = Self.fold(byte)
                if let next = child(state, folded) {
                    state = next
                } else {
                    let next = Int32(failure.count)
                    failure.append(0)
                    terminal.append(-1)
                    if state == 0 { rootChildren[Int(folded)] = next } else { children[Int(state) << 8 | Int(folded)] = next }
                    state = next
                }
            }
            guard terminal[Int(state)] < 0 else { continue }
            terminal[Int(state)] = Int32(patternLengths.count)
            patternLengths.append(pattern.count)
            replacements.append(replacement)
        }
        // Failure links breadth first: a state's link is the longest proper suffix of its string
        // that is a state; its longest pattern is its own when it ends one, else its link's.
        longestPattern = terminal
        var edgesByParent: [Int32: [(byte: UInt8, child: Int32)]] = [:]
        for (key, child) in children { edgesByParent[Int32(key >> 8), default: []].append((UInt8(key & 0xFF), child)) }
        var queue: [Int32] = []
        for byte in 0..<256 where rootChildren[byte] != 0 { queue.append(rootChildren[byte]) }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for (byte, next) in edgesByParent[state] ?? [] {
                var link = failure[Int(state)]
                while link != 0, child(link, byte) == nil { link = failure[Int(link)] }
                let target = child(link, byte) ?? 0
                failure[Int(next)] = target == next ? 0 : target
                if longestPattern[Int(next)] < 0 { longestPattern[Int(next)] = longestPattern[Int(failure[Int(next)])] }
                queue.append(next)
            }
        }
    }

    var isEmpty: Bool { patternLengths.isEmpty }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    private func child(_ state: Int32, _ byte: UInt8) -> Int32? {
        if state == 0 {
            let next = rootChildren[Int(byte)]
            return next == 0 ? nil : next
        }
        return children[Int(state) << 8 | Int(byte)]
    }

    /// `text` with the patterns replaced.
    func replace(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard !isEmpty else { return Array(text) }
        // Backwards: the longest pattern starting at each position where one starts.
        var starts: [(position: Int, pattern: Int32)] = []
        var state: Int32 = 0
        var position = text.count
        while position > 0 {
            position -= 1
            let byte = Self.fold(text[position])
            while state != 0, child(state, byte) == nil { state = failure[Int(state)] }
            state = child(state, byte) ?? 0
            let pattern = longestPattern[Int(state)]
            if pattern >= 0 { starts.append((position, pattern)) }
        }
        // Forwards: the leftmost start, its longest pattern, then on after it.
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var copied = 0
        for (start, pattern) in starts.reversed() where start >= copied {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied..<start]))
            out.append(contentsOf: replacements[Int(pattern)])
            copied = start + patternLengths[Int(pattern)]
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied...]))
        return out
    }
}
