/// The elements once each, in order of first appearance (used by every stage).
extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        // A handful of elements (a branch's countries, a session's devices): compared in a
        // line, without building a set.
        if count <= 8 {
            var kept: [Element] = []
            kept.reserveCapacity(count)
            for element in self where !kept.contains(element) { kept.append(element) }
            return kept
        }
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
